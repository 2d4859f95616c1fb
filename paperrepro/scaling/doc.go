// Package scaling fits scaling laws to compression-ratio tables: the paper's
// CR(P, S) = a + b P^-alpha + c S^-beta over model size P and training step
// S, or any other Form.
//
// It sits after results (which supplies the tables) and before figures and
// the notebooks (which draw and discuss the fits). Fit finds the least-squares
// optimum with a Levenberg-Marquardt solver started from a grid of initial
// points, as Hoffmann et al. (Chinchilla, approach 3) did, and keeps the best;
// Result reports R^2, RMSE and the residual of every cell. Bootstrap gives
// seeded, reproducible percentile confidence intervals for every coefficient
// by resampling cells, and LeaveOneSizeOut measures how well the law
// extrapolates to a model size it has not seen. Analyze does all three.
package scaling
