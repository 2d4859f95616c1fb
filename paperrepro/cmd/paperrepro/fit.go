package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/fitreport"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// defaultExpectedDir is the repository's folder of the paper's numbers, as
// seen from the repository root (where make runs).
const defaultExpectedDir = "expected"

func newFitCommand() *command {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	resamples := fs.Int("resamples", figures.DefaultBootstrap.Resamples, "bootstrap resamples for the confidence intervals")
	seed := fs.Uint64("seed", figures.DefaultBootstrap.Seed, "bootstrap seed (the same seed gives the same intervals)")
	level := fs.Float64("level", figures.DefaultBootstrap.Level, "confidence level of the intervals")
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers, to print its Table 1 and Section 4.6 prediction beside ours (\"\" for none)")
	table1 := addOutputFile(fs, "also write our Table 1 with intervals, R^2 and RMSE to this CSV `FILE` (replaced only with -f)")
	params := fs.String("params", paramsNominal, "which parameter count is a model's size P: nominal (the size a Pythia name states, 70e6 ... 1.4e9, as the paper's Table 1 fits them), total or non-embedding (counted from the Pythia configs)")
	forms := fs.Bool("forms", false, "also compare the paper's functional form with four alternatives on each table (AICc, BIC, R^2, held-out error), with and without the first step")
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

With -forms it also fits four alternatives to the paper's form to each table
with the same least squares - without the size term, a + b ln P + c S^-beta,
the paper's form in tokens seen (D = 2,097,152 S, Pythia's batch) and the
multiplicative a + b P^-alpha S^-beta - and compares them by AICc, BIC, R^2
and leave-one-size-out error, on all cells and without the first step; with
the paper's folder, also their CR(5e9, 2e5) beside our bootstrap interval.
K counts the parameters the criteria count: the coefficients and the error
variance sigma^2. Forms within 2 of the lowest AICc are reported as tied:
so small a difference does not single one out.

-params chooses what P is. The paper calls its sizes non-embedding parameters
but fits the nominal ones its model names state; -params total and
-params non-embedding refit the same cells on the counts from the Pythia
configs (neox.PythiaConfig: pythia-70m has 70,426,624 parameters in all,
18,915,328 outside its embeddings). A model that is not a Pythia size keeps
the table's size under nominal and cannot be counted otherwise.

A table needs at least 6 cells from 2 model sizes and 2 steps to be fitted,
and 3 sizes for the leave-one-size-out check.

Examples:
  paperrepro fit                                  # the paper's Tables 2-4
  paperrepro fit -resamples 200 results/          # our own grid's tables
  paperrepro fit -o table1_ours.csv expected/table2_text.csv
  paperrepro fit -forms                           # how much the form matters
  paperrepro fit -params non-embedding            # P as Kaplan et al. count it`,
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
			if table1.given() {
				if err := table1.check(resultInputs(input)); err != nil {
					return err
				}
			}
			tables, err := readSourcedTables(input)
			if err != nil {
				return err
			}
			if tables, err = tablesWithSizes(tables, *params); err != nil {
				return fmt.Errorf("%s: %w", input, err)
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
					return fmt.Errorf("%s: every compression ratio of the %s table is %g: there is nothing to fit (R^2 is undefined)", input, t.Modality, t.Rows[0].CR)
				}
				analyses = append(analyses, a)
			}
			var ref *results.Paper // nil: no comparison with the paper
			if hasPaper {
				ref = &paper
			}
			fmt.Fprintf(out.Out, "P: %s\n", paramsDescriptions[*params])
			fitreport.WriteText(out.Out, input, analyses, ref)
			if *forms {
				fmt.Fprintln(out.Out)
				fitreport.WriteForms(out.Out, analyses, scaling.Forms(), ref)
			}
			if table1.given() {
				if err := writeTable1CSV(table1.path, analyses); err != nil {
					return err
				}
				fmt.Fprintf(out.Err, "wrote %s\n", table1.path)
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

// writeTable1CSV writes our Table 1 of analyses to the file path.
func writeTable1CSV(path string, analyses []*scaling.Analysis) error {
	var buf bytes.Buffer
	if err := fitreport.WriteTable1CSV(&buf, analyses); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

// The values of -params: which count of a model's parameters is its size P.
const (
	paramsNominal      = "nominal"
	paramsTotal        = "total"
	paramsNonEmbedding = "non-embedding"
)

// paramsDescriptions says what P is under each value of -params.
var paramsDescriptions = map[string]string{
	paramsNominal:      "nominal sizes, as the model names state them (70e6 for pythia-70m), as the paper's Table 1 fits them",
	paramsTotal:        "total parameter counts from the Pythia configs, embeddings included (70,426,624 for pythia-70m); the paper's Table 1 fits nominal sizes",
	paramsNonEmbedding: "non-embedding parameter counts from the Pythia configs (18,915,328 for pythia-70m), as Kaplan et al. count them; the paper's Table 1 fits nominal sizes",
}

// modelSize returns the size P of a model under the -params value count:
// for nominal the size its name states, else given's size of it (a model
// whose name states none, such as a local checkpoint); for total and
// non-embedding the count from its Pythia config.
func modelSize(count string, given map[string]float64) (func(model string) (float64, error), error) {
	switch count {
	case paramsNominal:
		return func(model string) (float64, error) {
			if p, ok := results.NominalParams(model); ok {
				return p, nil
			}
			if p, ok := given[model]; ok {
				return p, nil
			}
			return 0, fmt.Errorf("its name states no size: give it as a parameter count")
		}, nil
	case paramsTotal, paramsNonEmbedding:
		return func(model string) (float64, error) {
			c, err := neox.PythiaConfig(model)
			if err != nil {
				return 0, fmt.Errorf("-params %s counts the parameters of Pythia models from their configs: %w", count, err)
			}
			if count == paramsTotal {
				return float64(c.Parameters()), nil
			}
			return float64(c.NonEmbeddingParameters()), nil
		}, nil
	}
	return nil, usagef("-params: unknown %q (want %s, %s or %s)", count, paramsNominal, paramsTotal, paramsNonEmbedding)
}

// tablesWithSizes returns tables with every model's size P under the
// -params value count (see modelSize).
func tablesWithSizes(tables []results.Table, count string) ([]results.Table, error) {
	out := make([]results.Table, len(tables))
	for i, t := range tables {
		given := map[string]float64{}
		for _, r := range t.Rows {
			given[r.Model] = r.Params
		}
		size, err := modelSize(count, given)
		if err != nil {
			return nil, err
		}
		if out[i], err = scaling.TableWithSizes(t, size); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readSourcedTables reads the tables at input as results.Read does, except
// that a folder that loads as the paper's (expected/) gives the paper's
// tables with their sources ("paper, Table 2"), which a folder of plain
// CSVs cannot say.
func readSourcedTables(input string) ([]results.Table, error) {
	if info, err := os.Stat(input); err == nil && info.IsDir() {
		if paper, err := results.LoadPaper(input); err == nil {
			return paper.Tables, nil
		}
	}
	return results.Read(input)
}
