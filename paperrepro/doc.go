// Package paperrepro reproduces "Scaling Laws for LLM-Based Data Compression"
// (Bharadwaj, 2025): Pythia models compress text, image and speech bytes, and
// the compression ratio follows a power law in model size and training step.
//
// The pipeline runs one way, one subpackage a stage:
//
//	datasets (byte chunks) -> tokenize (ids) -> neox (log-probabilities)
//	-> protocol, arith (bits, compressed bytes) -> grid (results per cell)
//	-> results (tables) -> scaling (fit) -> figures -> notebooks
//
// hub fetches checkpoints, and cmd/paperrepro is the command line over them.
//
// This package itself holds the reproducibility tests a reader runs to check
// the paper, for example:
//
//	go test ./paperrepro -run Table1
//	go test ./paperrepro -run Table2
package paperrepro
