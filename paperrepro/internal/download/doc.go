// Package download fetches one file over HTTP into a local cache, resuming an
// interrupted transfer with an HTTP Range request and verifying a SHA-256 sum
// before the file appears under its final name.
//
// It sits beside the pipeline rather than in it: datasets uses it to fetch
// enwik8 and LibriSpeech, hub to fetch model checkpoints. Partial data lives in
// Dest+".part", so a file under its final name is always complete (and, when
// a sum was given, verified).
package download
