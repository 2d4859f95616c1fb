package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/fitreport"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// registeredPredictionsFile is the project's registered prediction in
// expected/: what `paperrepro predict` gives by default, committed before
// the cells it predicts were computed.
const registeredPredictionsFile = "registered_predictions.csv"

// The values of predict's -law.
const (
	lawRefit  = "refit"
	lawTable1 = "table1"
)

func newPredictCommand() *command {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	law := fs.String("law", lawRefit, `the law that predicts: "refit" (this project's fit of the tables read, with bootstrap interval and spread over forms) or "table1" (the paper's printed Table 1 coefficients, from -paper)`)
	models := fs.String("models", "", "comma-separated models to predict: Pythia sizes (2.8b, pythia-6.9b, 12b-deduped) or bare parameter counts (5e9); default every Pythia size larger than the tables' largest model")
	steps := fs.String("steps", "", "comma-separated training steps to predict at (default the tables' steps)")
	params := fs.String("params", string(scaling.Nominal), "which parameter count is a model's size P: nominal, total or non-embedding (see 'paperrepro fit --help')")
	bootstrap := addBootstrapFlags(fs)
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers, for -law table1")
	csvOut := addOutputFile(fs, "also write the predictions to this CSV `FILE` (replaced only with -f)")
	return &command{
		name:    "predict",
		args:    "[results.csv | results-folder]",
		summary: "predict CR for models and steps beyond the tables: the refit law with its bootstrap interval and the spread over forms",
		help: `Predict reads compression-ratio tables - by default the paper's Tables 2-4
from expected/, or a run's protocol folder, or a table CSV - fits the paper's
law CR = a + b*P^-alpha + c*S^-beta to each modality as 'paperrepro fit' does,
and prints its compression ratio at every (model, step) asked for, with two
uncertainties: the percentile bootstrap interval of the refit (resampling the
cells) and the lowest and highest CR of the functional forms 'fit -forms'
compares (the choice of form, which no bootstrap of one form shows). With
-law table1 it evaluates the paper's printed Table 1 instead, which has
neither.

By default it predicts every Pythia size larger than the tables' largest
model - for the paper's tables 2.8b, 6.9b and 12b - at the tables' steps.
The project's registered prediction, committed before those cells were
computed, is expected/` + registeredPredictionsFile + `; its README gives the
command that made it, and 'paperrepro tables' and 'paperrepro figures' set
computed cells of those models against it.

Examples:
  paperrepro predict                                   # 2.8b, 6.9b, 12b at the paper's steps
  paperrepro predict -law table1 -models 5e9 -steps 200000   # Section 4.6: 0.1134
  paperrepro predict -params non-embedding -models 12b results/seed+float16
  paperrepro predict -f -o expected/` + registeredPredictionsFile,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) > 1 {
				return usagef("predict takes one results CSV or folder, got %d arguments", len(args))
			}
			opts, err := bootstrap.options()
			if err != nil {
				return err
			}
			if *law != lawRefit && *law != lawTable1 {
				return usagef("-law: unknown %q (want %s or %s)", *law, lawRefit, lawTable1)
			}
			count, err := parseParams(*params)
			if err != nil {
				return err
			}
			if *law == lawTable1 && count != scaling.Nominal {
				return usagef("-law table1 predicts at nominal sizes only: the paper fitted its Table 1 on them (got -params %s)", count)
			}
			askedSteps, err := parseSteps(*steps)
			if err != nil {
				return err
			}
			input := defaultExpectedDir
			if len(args) == 1 {
				input = args[0]
			}
			if csvOut.given() {
				if err := csvOut.check(sourcedInputs(input)); err != nil {
					return err
				}
			}
			var tables []results.Table
			var paper results.Paper
			if *law == lawTable1 {
				if paper, err = results.LoadPaper(*paperDir); err != nil {
					return fmt.Errorf("-law table1: %w", err)
				}
				tables = paper.Tables
			} else if tables, err = readSourcedTables(input); err != nil {
				return err
			}
			if tables, err = scaling.TablesWithSizes(tables, count, pythiaConfig); err != nil {
				return fmt.Errorf("%s: %w", input, err)
			}

			ps := scaling.Predictions{Law: describeRefit(tables, input), Sizes: string(count)}
			if *law == lawTable1 {
				ps.Law = "paper, Table 1"
			} else {
				ps.Bootstrap = opts
				ps.FormsCompared = len(scaling.Forms())
			}
			for _, t := range tables {
				if err := ctx.Err(); err != nil {
					return err
				}
				points, err := predictionPoints(t, splitList(*models), askedSteps, count)
				if err != nil {
					return err
				}
				if *law == lawTable1 {
					coef, ok := paper.Coefficients(t.Modality)
					if !ok {
						return fmt.Errorf("-law table1: the paper's Table 1 has no %s row", t.Modality)
					}
					ps.Rows = append(ps.Rows, scaling.PredictTable1(coef, points)...)
					continue
				}
				preds, err := scaling.PredictFit(t, points, scaling.PredictOptions{Bootstrap: ps.Bootstrap})
				if err != nil {
					return fmt.Errorf("%s: %w", input, err)
				}
				ps.Rows = append(ps.Rows, preds...)
			}
			fitreport.WritePredictions(out.Out, ps)
			if csvOut.given() {
				if err := scaling.WritePredictions(csvOut.path, ps); err != nil {
					return err
				}
				fmt.Fprintf(out.Err, "wrote %s\n", csvOut.path)
			}
			return nil
		},
	}
}

// parseSteps reads -steps; empty gives nil (the tables' steps).
func parseSteps(list string) ([]int, error) {
	var steps []int
	for _, s := range splitList(list) {
		v, err := strconv.Atoi(strings.TrimPrefix(s, "step"))
		if err != nil || v < 1 {
			return nil, usagef("-steps: %q is not a training step (a whole number of at least 1)", s)
		}
		steps = append(steps, v)
	}
	return steps, nil
}

// predictionPoints returns the points to predict for table t: each of
// models (default: every Pythia size larger than t's largest) at each of
// steps (default: t's), with its size under count.
func predictionPoints(t results.Table, models []string, steps []int, count scaling.Count) ([]scaling.Point, error) {
	if len(steps) == 0 {
		steps = t.Steps()
	}
	if len(models) == 0 {
		largest := t.Models()[len(t.Models())-1]
		limit, ok := results.NominalParams(largest.Name)
		if !ok {
			limit = largest.Params
		}
		for _, p := range neox.PythiaSuite() {
			if nominal, _ := results.NominalParams(p.Name); nominal > limit {
				models = append(models, p.Name)
			}
		}
		if len(models) == 0 {
			return nil, fmt.Errorf("the %s table's largest model, %s, is Pythia's largest: name the models to predict with -models", t.Modality, largest.Name)
		}
	}
	size := scaling.SizeBy(count, pythiaConfig, nil)
	var points []scaling.Point
	for _, m := range models {
		name, p := pythiaName(m), 0.0
		if v, err := strconv.ParseFloat(m, 64); err == nil {
			if !(v > 0) {
				return nil, usagef("-models: %q is not a positive parameter count", m)
			}
			name, p = "", v
		} else if p, err = size(name); err != nil {
			return nil, usagef("-models: %s: %v", m, err)
		}
		for _, s := range steps {
			points = append(points, scaling.Point{Model: name, P: p, Step: s})
		}
	}
	return points, nil
}

// pythiaName spells a Pythia size as the tables do: "2.8b" is
// "pythia-2.8b".
func pythiaName(m string) string {
	if strings.HasPrefix(m, "pythia-") {
		return m
	}
	return "pythia-" + m
}

// describeRefit names the law this project fits to tables read from input:
// "this project's refit of paper, Tables 2-4", or of the tables' sources,
// or of input when they do not say.
func describeRefit(tables []results.Table, input string) string {
	return "this project's refit of " + cmp.Or(results.JoinSources(tables), input)
}

// printPredictionChecks sets the cells of ours that the registered
// prediction in the folder dir predicts against it, or says which models it
// covers and how to compute them when ours has none of their cells. A
// folder without a registered prediction is not an error.
func printPredictionChecks(w io.Writer, dir string, ours []results.Table) error {
	path := filepath.Join(dir, registeredPredictionsFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	registered, err := scaling.ReadPredictions(path)
	if err != nil {
		return err
	}
	if checks := scaling.CheckPredictions(registered, ours); len(checks) > 0 {
		fitreport.WritePredictionChecks(w, path, checks)
		return nil
	}
	var models []string
	for _, p := range registered.Rows {
		if name := strings.TrimPrefix(p.Model, "pythia-"); name != "" && !slices.Contains(models, name) {
			models = append(models, name)
		}
	}
	fmt.Fprintf(w, "No computed cell of the models the registered prediction %s covers; to test it: paperrepro run -float16 -models %s\n", path, strings.Join(models, ","))
	return nil
}

// beyondFigure draws the registered prediction in the paper's folder dir -
// the paper's tables it was fitted to, this project's refit, the
// predictions - with the cells of computed that it predicts. It reports
// false when dir is "" or holds no registered prediction.
func beyondFigure(dir string, computed []results.Table) (figures.Figure, bool, error) {
	if dir == "" {
		return figures.Figure{}, false, nil
	}
	path := filepath.Join(dir, registeredPredictionsFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return figures.Figure{}, false, nil
	}
	registered, err := scaling.ReadPredictions(path)
	if err != nil {
		return figures.Figure{}, false, err
	}
	paper, err := results.LoadPaper(dir)
	if err != nil {
		return figures.Figure{}, false, err
	}
	if want := describeRefit(paper.Tables, dir); registered.Law != want {
		return figures.Figure{}, false, fmt.Errorf("%s: predictions of %q, but the prediction figure draws a refit of the paper's tables (%q)", path, registered.Law, want)
	}
	laws, err := figures.FitLaws(paper.Tables, registered.Bootstrap)
	if err != nil {
		return figures.Figure{}, false, err
	}
	fig, err := figures.Beyond(paper.Tables, laws, registered, computed)
	return fig, err == nil, err
}
