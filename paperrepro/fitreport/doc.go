// Package fitreport writes what `paperrepro fit` reports about scaling-law
// fits: our Table 1 with bootstrap intervals beside the paper's, R^2 and
// RMSE, the leave-one-size-out check and the Section 4.6 prediction as
// text, and Table 1 as CSV; the comparison of functional forms with its
// verdict (a tie within 2 of the lowest AICc is reported as a tie); and the
// predictions of `paperrepro predict` and computed cells set against them.
//
// It sits after scaling (which computes the analyses) and figures (whose
// number formatting it shares); the command line only parses flags and
// opens files.
package fitreport
