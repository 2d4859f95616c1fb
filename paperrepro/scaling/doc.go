// Package scaling fits scaling laws to compression-ratio tables: the paper's
// CR(P, S) = a + b P^-alpha + c S^-beta over model size P and training step
// S, or any other Form, and measures how far a fitted law can be trusted.
//
// It sits after results (which supplies the tables) and before figures and
// the notebooks (which draw and discuss the fits).
//
// Fit finds the least-squares optimum of a form within its bounds (a >= 0,
// exponents in [0, MaxExponent]). It profiles the cost over a grid of
// exponents, solving for the linear coefficients exactly at each point
// (variable projection), and a bound-constrained Levenberg-Marquardt solver
// descends from each local minimum of that profile; a grid of starts is
// what Hoffmann et al. (Chinchilla, approach 3) used too. Result reports
// R^2, RMSE, the residual of every cell and which coefficients ended on a
// bound; Evaluate scores fixed coefficients (the paper's printed Table 1,
// say) the same way.
//
// Bootstrap gives seeded, reproducible percentile confidence intervals for
// every coefficient and for any prediction by resampling cells and
// refitting, and counts the resamples whose fit ended on a bound.
// LeaveOneSizeOut measures how well the law extrapolates to a model size it
// has not seen. Analyze does all three for one table.
//
// CompareForms weighs the paper's form against alternatives (Forms: without
// its size term, logarithmic in P, in tokens rather than steps, and a
// multiplicative form) by AICc, BIC, R^2 and leave-one-size-out error, and
// Comparison.Spread shows how much an extrapolation depends on the choice
// of form, which no bootstrap of a single form can. Forms within TieAICc
// (2) of the lowest AICc are tied (Comparison.Tied); FormFit.K counts the
// error variance the criteria count besides the coefficients.
//
// PredictFit predicts cells beyond a table (larger models, later steps)
// with both uncertainties, the bootstrap interval and the spread over
// forms; PredictTable1 does the same for printed coefficients (the paper's
// Table 1). Predictions are written and read as CSV (WritePredictions,
// ReadPredictions: the registered prediction in expected/), and
// CheckPredictions sets computed cells against them.
//
// Smaller functions compute the numbers the notebooks' prose quotes, so
// that it can print them rather than type them: StepGains, SizeEffect,
// Extrapolation, Analysis.HoldoutRatios, MonotoneBound, LogLogFit and
// Quantile (the one quantile definition of every interval reported).
// WithSizes (TableWithSizes), Rescaled and WithoutSteps refit the same
// cells on other model sizes, in other units, or without some steps;
// SizeBy and TablesWithSizes give a model's size as a Count: Nominal (the
// paper's), Total or NonEmbedding parameters.
package scaling
