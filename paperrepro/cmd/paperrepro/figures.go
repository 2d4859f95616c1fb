package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
)

func newFiguresCommand() *command {
	fs := flag.NewFlagSet("figures", flag.ContinueOnError)
	output := addOutputFolder(fs, "figures", "`DIR` to write the PNG and SVG files into (made if missing)")
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers and the registered prediction, for the prediction figure (\"\" for none)")
	bootstrap := addBootstrapFlags(fs)
	return &command{
		name:    "figures",
		args:    "[results.csv | results-folder]",
		summary: "draw Figure 1 heatmaps, CR vs size / vs step with the fitted law, residuals and the modality comparison as PNG and SVG",
		help: `Figures reads compression-ratio tables - by default the paper's Tables 2-4
from expected/, or a run's protocol folder (its cell files; a damaged one is
an error naming it), or a table CSV - fits the paper's scaling law to each
and bootstraps it as 'paperrepro fit' does (-resamples 1000, -seed 1,
-level 0.95 bands by default; tables too small to fit are drawn without the
law, and the figures say why) and writes into the output folder:

  figure1_heatmaps      one heatmap per modality of CR over model size x step,
                        each with its colour bar and our refit of the law
  scaling_<modality>    one panel per step (CR vs parameters) and per model
                        (CR vs training step): the table's cells, fitted law
                        and its bootstrap band
  residuals             each cell's CR - the fitted CR (only with a fit)
  figure4_combined      the modalities side by side (Figure 4 of the blog post)
  ` + figures.BeyondFigureName + `     the registered prediction (expected/` + registeredPredictionsFile + `)
                        beyond the paper's sizes, with the cells of the
                        results read that it predicts (pythia-2.8b to 12b);
                        its band is the registered prediction's bootstrap

each as .png (150 dpi) and .svg. Every figure labels its cells with their
source: "paper, Table 2" for the paper's tables, "this project, computed
<day>, <backend>" for a run's cells. Sizes and steps must be positive (both
are drawn on log axes). Figures already in the folder are replaced only
with -f.

Examples:
  paperrepro figures -f                    # the paper's tables into figures/
  paperrepro figures -out out/ results/    # our own grid's tables`,
		flags: fs,
		run: func(_ context.Context, out streams, args []string) error {
			if len(args) > 1 {
				return usagef("figures takes one results CSV or folder, got %d arguments", len(args))
			}
			input := defaultExpectedDir
			if len(args) == 1 {
				input = args[0]
			}
			tables, err := readSourcedTables(input)
			if err != nil {
				return err
			}
			opts, err := bootstrap.options()
			if err != nil {
				return err
			}
			laws, err := figures.FitLaws(tables, opts)
			if err != nil {
				return fmt.Errorf("%s: figures: %w", input, err)
			}
			figs, err := figures.Figures(tables, laws)
			if err != nil {
				return fmt.Errorf("%s: %w", input, err)
			}
			beyond, ok, err := beyondFigure(*paperDir, tables)
			if err != nil {
				return err
			}
			if ok {
				figs = append(figs, beyond)
			}
			var names []string
			for _, f := range figs {
				names = append(names, f.Name+".png", f.Name+".svg") // as Figure.Write names them
			}
			if err := output.check(resultInputs(input), names...); err != nil {
				return err
			}
			for _, f := range figs {
				paths, err := f.Write(output.path)
				if err != nil {
					return err
				}
				for _, p := range paths {
					fmt.Fprintln(out.Out, p)
				}
			}
			return nil
		},
	}
}
