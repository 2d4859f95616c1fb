package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// defaultExpectedDir is the repository's folder of the paper's numbers, as
// seen from the repository root (where make runs).
const defaultExpectedDir = "expected"

func newFitCommand() *command {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	resamples := fs.Int("resamples", 1000, "bootstrap resamples for the confidence intervals")
	seed := fs.Uint64("seed", 1, "bootstrap seed (the same seed gives the same intervals)")
	level := fs.Float64("level", 0.95, "confidence level of the intervals")
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers, to print its Table 1 and Section 4.6 prediction beside ours (\"\" for none)")
	csvOut := fs.String("o", "", "also write our Table 1 with intervals, R^2 and RMSE to this CSV file")
	return &command{
		name:    "fit",
		args:    "[results.csv | results-folder]",
		summary: "fit CR(P,S) = a + b*P^-alpha + c*S^-beta to each table: Table 1 with CIs, R^2, extrapolation errors",
		help: `Fit reads compression-ratio tables - by default the paper's own Tables 2-4
from expected/, or a run's protocol folder (its cell files; a damaged one is
an error naming it), or a table CSV - and fits the paper's scaling law to
each modality by least squares (Levenberg-Marquardt from a grid of starts).
For each table it prints the coefficients with percentile bootstrap
confidence intervals (resampling cells), R^2 and RMSE, and the
leave-one-model-size-out check: the law fitted without one size, and its
error on that size's cells. With the paper's folder at hand it also prints
the paper's Table 1 beside ours and the Section 4.6 prediction.

A table needs at least 6 cells from 2 model sizes and 2 steps to be fitted,
and 3 sizes for the leave-one-size-out check.

Examples:
  paperrepro fit                                  # the paper's Tables 2-4
  paperrepro fit -resamples 200 results/          # our own grid's tables
  paperrepro fit -o table1_ours.csv expected/table2_text.csv`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) > 1 {
				return usagef("fit takes one results CSV or folder, got %d arguments", len(args))
			}
			if *resamples < 2 {
				return usagef("-resamples must be at least 2, got %d", *resamples)
			}
			if !(*level > 0 && *level < 1) {
				return usagef("-level must be between 0 and 1, got %g", *level)
			}
			input := defaultExpectedDir
			if len(args) == 1 {
				input = args[0]
			}
			tables, err := results.Read(input)
			if err != nil {
				return err
			}
			paper, hasPaper, err := loadPaperIfPresent(*paperDir, *paperDir != defaultExpectedDir)
			if err != nil {
				return err
			}
			opts := scaling.BootstrapOptions{Resamples: *resamples, Seed: *seed, Level: *level}
			var analyses []*scaling.Analysis
			for _, t := range tables {
				if err := ctx.Err(); err != nil {
					return err
				}
				a, err := scaling.Analyze(scaling.PowerLaw{}, t, opts)
				if err != nil {
					return fmt.Errorf("%s: %w", input, err)
				}
				if math.IsNaN(a.Fit.R2) { // R^2 = 1 - 0/0: the ratios do not vary
					return fmt.Errorf("%s: every compression ratio of the %s table is %g: there is nothing to fit (R^2 is undefined)", input, label(t.Modality), t.Rows[0].CR)
				}
				analyses = append(analyses, a)
			}
			printFits(out.Out, input, analyses, opts, paper, hasPaper)
			if *csvOut != "" {
				if err := writeTable1CSV(*csvOut, analyses); err != nil {
					return err
				}
				fmt.Fprintf(out.Err, "wrote %s\n", *csvOut)
			}
			return nil
		},
	}
}

// loadPaperIfPresent loads the paper's numbers from dir. A missing default
// folder (a binary run outside the repository) just means no comparison;
// a folder the user named must load.
func loadPaperIfPresent(dir string, required bool) (results.Paper, bool, error) {
	if dir == "" {
		return results.Paper{}, false, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && !required {
		return results.Paper{}, false, nil
	}
	paper, err := results.LoadPaper(dir)
	if err != nil {
		return results.Paper{}, false, err
	}
	return paper, true, nil
}

// printFits writes the report of fit: one block per table, then the
// paper's prediction next to ours.
func printFits(w io.Writer, input string, analyses []*scaling.Analysis, opts scaling.BootstrapOptions, paper results.Paper, hasPaper bool) {
	form := scaling.PowerLaw{}
	fmt.Fprintf(w, "Table 1 (ours) from %s: %s\n", input, form.Name())
	fmt.Fprintf(w, "least squares from %d starts; %.0f%% percentile bootstrap intervals, %d resamples of the cells, seed %d\n",
		analyses[0].Fit.Starts, 100*opts.Level, opts.Resamples, opts.Seed)
	fmt.Fprintf(w, "(an interval reaching a = 0 or alpha, beta = %g touches the fit's bounds: the data leave that coefficient loose)\n", scaling.MaxExponent)
	for _, a := range analyses {
		sizes, steps := map[float64]bool{}, map[float64]bool{}
		for _, c := range a.Fit.Cells {
			sizes[c.P], steps[c.S] = true, true
		}
		fmt.Fprintf(w, "\n%s: %d cells, %d model sizes x %d steps\n", label(a.Modality), len(a.Fit.Cells), len(sizes), len(steps))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		ref, hasRef := paper.Coefficients(a.Modality)
		header := "  coefficient\tours\tinterval"
		if hasPaper && hasRef {
			header += "\tpaper"
		}
		fmt.Fprintln(tw, header)
		refs := map[string]float64{"a": ref.A, "b": ref.B, "c": ref.C, "alpha": ref.Alpha, "beta": ref.Beta}
		for _, iv := range a.Bootstrap.Intervals {
			line := fmt.Sprintf("  %s\t%.4g\t[%.3g, %.3g]", iv.Name, iv.Estimate, iv.Lo, iv.Hi)
			if hasPaper && hasRef {
				line += fmt.Sprintf("\t%g", refs[iv.Name])
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
		fmt.Fprintf(w, "  R^2 %.4f   RMSE %.4f\n", a.Fit.R2, a.Fit.RMSE)
		if len(a.Holdouts) == 0 {
			fmt.Fprintf(w, "  leave one model size out: needs at least %d model sizes\n", scaling.MinHoldoutSizes)
			continue
		}
		fmt.Fprintln(w, "  leave one model size out (fit the others, predict its cells):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    held out\tparams\tRMSE\tmax |error|\tmean |error|/CR")
		for _, h := range a.Holdouts {
			fmt.Fprintf(tw, "    %s\t%s\t%.4f\t%.4f\t%.1f%%\n", h.Model, figures.Count(h.P), h.RMSE, h.MaxAbsError, 100*h.MeanRelError)
		}
		tw.Flush()
	}
	if !hasPaper {
		return
	}
	pred := paper.Prediction
	for _, a := range analyses {
		if a.Modality != pred.Modality {
			continue
		}
		ours := a.Fit.Predict(pred.Params, pred.Step)
		lo, hi := a.Bootstrap.PredictionInterval(form, pred.Params, pred.Step)
		fmt.Fprintf(w, "\nprediction (paper section 4.6), %s: CR(P=%g, S=%g)\n", pred.Modality, pred.Params, pred.Step)
		fmt.Fprintf(w, "  ours %.4f, %.0f%% interval [%.4f, %.4f]; paper %.3f", ours, 100*opts.Level, lo, hi, pred.CR)
		if coef, ok := paper.Coefficients(pred.Modality); ok {
			fromTable1 := form.Eval([]float64{coef.A, coef.B, coef.C, coef.Alpha, coef.Beta}, pred.Params, pred.Step)
			fmt.Fprintf(w, " (its Table 1 coefficients give %.4f)", fromTable1)
		}
		fmt.Fprintln(w)
	}
}

func label(modality string) string {
	if modality == "" {
		return "unnamed table"
	}
	return modality
}

// writeTable1CSV writes our Table 1: per modality each coefficient with its
// interval, then R^2 and RMSE.
func writeTable1CSV(path string, analyses []*scaling.Analysis) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing Table 1: %w", err)
	}
	cw := csv.NewWriter(f)
	header := []string{"modality", "cells"}
	for _, name := range (scaling.PowerLaw{}).Coefficients() {
		header = append(header, name, name+"_lo", name+"_hi")
	}
	header = append(header, "r2", "rmse", "level", "resamples", "seed")
	if err := cw.Write(header); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, a := range analyses {
		rec := []string{a.Modality, strconv.Itoa(len(a.Fit.Cells))}
		for _, iv := range a.Bootstrap.Intervals {
			rec = append(rec, num(iv.Estimate), num(iv.Lo), num(iv.Hi))
		}
		o := a.Bootstrap.Options
		rec = append(rec, num(a.Fit.R2), num(a.Fit.RMSE), num(o.Level), strconv.Itoa(o.Resamples), strconv.FormatUint(o.Seed, 10))
		if err := cw.Write(rec); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
