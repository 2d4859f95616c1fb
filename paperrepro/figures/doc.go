// Package figures draws the reproduction's figures from compression-ratio
// tables and their fitted scaling laws, and the plots the notebooks show.
//
// Figures of a grid (Figures builds them all, WriteAll writes them):
//   - Heatmaps: the paper's Figure 1, CR over model size x training step per
//     modality, each panel with its own colour bar and this project's refit
//     of the law above it;
//   - ScalingCurves: per modality, one small panel per training step (CR vs
//     size) and per model (CR vs step), the table's cells, the fitted law and
//     its bootstrap band, so that no lines cross;
//   - Residuals: each cell's CR minus the fitted CR, one shared colour scale;
//   - Comparison: the modalities side by side (Figure 4 of the author's blog
//     post).
//
// Beyond draws a registered prediction (scaling.Predictions) beyond the
// sizes its law was fitted to, with any computed cells of the larger
// models; Baselines draws the models against classical codecs.
//
// Plots for the notebooks: TokenHistogram (tokens per chunk on shared bins,
// the 1024-token cut marked) and PredictionHistogram (a prediction over the
// bootstrap resamples, its interval shaded, reference values marked).
// NewPlot and NewFigure give a notebook's own plots the same style.
//
// One style everywhere: Liberation Sans, sizes in points, and two
// resolutions of one layout: Figure.Write's files at DPI (150) and
// Figure.NotebookPNG at NotebookDPI (96), where text appears at its size
// in points, as large as a notebook's own text.
//
// Every figure says where its cells come from, from the tables' Source:
// "paper, Table 2" for the paper's transcribed numbers, "this project,
// computed <day>, <backend>" for a run's cells. None calls them measured.
//
// It sits after results and scaling: it plots any results.Table (the
// paper's, or the grid's) and takes its laws from scaling (FitLaws).
// Axes and tick labels come from the data, so a grid of tiny test models
// plots as readably as the paper's. Input it cannot draw (a step or size
// that is not positive, on a log axis; a CR that is not a positive number;
// a cell given twice) is an error naming the table and cell, never a panic.
package figures
