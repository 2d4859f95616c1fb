// Package figures draws the reproduction's figures from compression-ratio
// tables: the paper's Figure 1 (one heatmap of CR over model size x training
// step per modality), CR against model size and against training step per
// modality with the fitted scaling law dashed, and the three-modality
// comparison (Figure 4 of the author's blog post).
//
// It sits after results and scaling: it plots any results.Table (the
// paper's now, the grid's computed tables later) and fits the law itself
// with scaling.PowerLaw. Axes and tick labels come from the data, so a grid
// of tiny test models plots as readably as the paper's. WriteAll writes
// every figure as PNG and SVG; Figure.PNG draws one at any resolution, as
// the notebooks do at 72 dpi to keep their stored images small.
package figures
