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
	"path/filepath"

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
	bootstrap := addBootstrapFlags(fs)
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers, to print its Table 1 and Section 4.6 prediction beside ours (\"\" for none)")
	table1 := addOutputFile(fs, "also write our Table 1 with intervals, R^2 and RMSE to this CSV `FILE` (replaced only with -f)")
	params := fs.String("params", string(scaling.Nominal), "which parameter count is a model's size P: nominal (the size a Pythia name states, 70e6 ... 1.4e9, as the paper's Table 1 fits them), total or non-embedding (counted from the Pythia configs)")
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
			opts, err := bootstrap.options()
			if err != nil {
				return err
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
			count, err := parseParams(*params)
			if err != nil {
				return err
			}
			if tables, err = scaling.TablesWithSizes(tables, count, pythiaConfig); err != nil {
				return fmt.Errorf("%s: %w", input, err)
			}
			paper, hasPaper, err := loadPaperIfPresent(*paperDir, *paperDir != defaultExpectedDir)
			if err != nil {
				return err
			}
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
			fmt.Fprintf(out.Out, "P: %s\n", count.Describe())
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

// pythiaConfig is the configuration the -params counts come from.
func pythiaConfig(model string) (scaling.Parameters, error) { return neox.PythiaConfig(model) }

// parseParams reads -params.
func parseParams(name string) (scaling.Count, error) {
	c, err := scaling.ParseCount(name)
	if err != nil {
		return "", usagef("-params: %v", err)
	}
	return c, nil
}

// sourcedInputs are the files readSourcedTables(input) reads, as inputs
// for output.check: the paper's files when input is the paper's folder
// (not the project's registered prediction beside them, which a command
// may rewrite), else what results.Read reads.
func sourcedInputs(input string) []string {
	if info, err := os.Stat(input); err == nil && info.IsDir() {
		if _, err := results.LoadPaper(input); err == nil {
			files := []string{filepath.Join(input, results.PaperTable1File), filepath.Join(input, results.PaperPredictionFile)}
			for _, name := range results.PaperTableFiles {
				files = append(files, filepath.Join(input, name))
			}
			return files
		}
	}
	return resultInputs(input)
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

// bootstrapFlags are the bootstrap settings of fit and predict, whose
// defaults are those of the figures' bands.
type bootstrapFlags struct {
	resamples *int
	seed      *uint64
	level     *float64
}

// addBootstrapFlags defines -resamples, -seed and -level.
func addBootstrapFlags(fs *flag.FlagSet) bootstrapFlags {
	return bootstrapFlags{
		resamples: fs.Int("resamples", figures.DefaultBootstrap.Resamples, "bootstrap resamples for the confidence intervals"),
		seed:      fs.Uint64("seed", figures.DefaultBootstrap.Seed, "bootstrap seed (the same seed gives the same intervals)"),
		level:     fs.Float64("level", figures.DefaultBootstrap.Level, "confidence level of the intervals"),
	}
}

// options checks the flags and returns them as bootstrap options.
func (b bootstrapFlags) options() (scaling.BootstrapOptions, error) {
	if *b.resamples < 2 {
		return scaling.BootstrapOptions{}, usagef("-resamples must be at least 2, got %d", *b.resamples)
	}
	if !(*b.level > 0 && *b.level < 1) {
		return scaling.BootstrapOptions{}, usagef("-level must be between 0 and 1, got %g", *b.level)
	}
	return scaling.BootstrapOptions{Resamples: *b.resamples, Seed: *b.seed, Level: *b.level}, nil
}
