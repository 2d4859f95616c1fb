// Package results holds compression-ratio tables - one compression ratio (CR)
// per model checkpoint (model size x training step) and modality - and the
// files they come from, and compares them with the paper's.
//
// It sits between the grid, which measures the cells, and the stages that use
// them: scaling fits CR(P, S) to a Table and figures plots it. It is also the
// one place that reads the paper's own numbers from the repository's
// expected/ folder (LoadPaper), and that lines ours up with them (Compare,
// PrintComparison, PaperTolerance); nothing else hard-codes a number of the
// paper.
//
// Tables come in two formats, each with one reader:
//
//   - result files, one JSON Cell per grid cell with its provenance and
//     per-chunk results, as a run writes them (ReadCell, ReadCells,
//     CellTables). They are the source of truth for a run's folder.
//
//   - table CSVs, a header and one row per cell with (at least) the columns
//
//     model,params,step,compression_ratio
//
//     and optionally a modality column; without it the modality comes from
//     the file name (table2_text.csv holds text). Extra columns are ignored.
//
// Read takes either: a CSV file, a folder of CSVs (expected/), or a run's
// protocol folder, whose cells it reads (a summary CSV beside them is
// ignored).
package results
