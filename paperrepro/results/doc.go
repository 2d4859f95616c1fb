// Package results holds compression-ratio tables: one compression ratio (CR)
// per model checkpoint (model size x training step) and modality, read from
// and written to CSV.
//
// It sits between the grid, which measures the cells, and the stages that use
// them: scaling fits CR(P, S) to a Table and figures plots it. It is also the
// one place that reads the paper's own numbers from the repository's
// expected/ folder (LoadPaper); nothing else hard-codes a number of the paper.
//
// A table CSV has a header and one row per cell with (at least) the columns
//
//	model,params,step,compression_ratio
//
// and optionally a modality column; without it the modality comes from the
// file name (table2_text.csv holds text). Extra columns are ignored.
package results
