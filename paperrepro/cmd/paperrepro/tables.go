package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// tablesDefaultResults is where `make reproduce` puts the Table 2-4 run:
// the seed protocol with the paper's float16 emulation.
const tablesDefaultResults = "results/seed+float16"

func newTablesCommand() *command {
	fs := flag.NewFlagSet("tables", flag.ContinueOnError)
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers (expected/)")
	output := addOutputFolder(fs, "", "also write our tables as table2_text.csv, table3_image.csv, table4_speech.csv and all of them as "+tablesFile+" into this `DIR`")
	return &command{
		name:    "tables",
		args:    "[results-folder | results.csv]",
		summary: "print our Tables 2-4 beside the paper's, with the differences",
		help: `Tables reads our results - a run's folder of cell files (default
` + tablesDefaultResults + `, what 'paperrepro run -float16' writes) or a
results CSV - and prints, for each modality, every cell of the paper's
Tables 2-4 beside ours with the difference. A cell counts as reproduced
within 0.01 for text and 0.03 for image and speech (their source samples
cannot be the paper's exactly). Cells not computed yet are listed as such.
Cells of the models the project's registered prediction covers (pythia-2.8b,
6.9b and 12b; expected/` + registeredPredictionsFile + `) are set against it:
inside or outside its bootstrap interval and its spread over forms.
With -out, files already in that folder are replaced only with -f.

Examples:
  paperrepro tables
  paperrepro tables -out tables results/seed+float16`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) > 1 {
				return usagef("tables takes one results folder or CSV, got %d arguments", len(args))
			}
			input := tablesDefaultResults
			if len(args) == 1 {
				input = args[0]
			}
			ours, err := readOurTables(input)
			if err != nil {
				return err
			}
			paper, err := results.LoadPaper(*paperDir)
			if err != nil {
				return fmt.Errorf("%w (run from the repository root, or give -paper)", err)
			}
			if output.given() {
				if err := output.check(resultInputs(input), tableFiles(ours)...); err != nil {
					return err
				}
			}
			for i, theirs := range paper.Tables {
				mine := results.Table{Modality: theirs.Modality}
				for _, t := range ours {
					if t.Modality == theirs.Modality {
						mine = t
					}
				}
				fmt.Fprintf(out.Out, "Table %d (%s): ours vs the paper's compression ratio\n", i+2, theirs.Modality)
				results.PrintComparison(out.Out, theirs.Modality, results.Compare(theirs, mine), results.PaperTolerance(theirs.Modality))
				fmt.Fprintln(out.Out)
				if output.given() && len(mine.Rows) > 0 {
					if err := writeTables(output.file(results.PaperTableFiles[theirs.Modality]), []results.Table{mine}); err != nil {
						return err
					}
				}
			}
			if err := printPredictionChecks(out.Out, *paperDir, ours); err != nil {
				return err
			}
			if output.given() && len(ours) > 0 {
				return writeTables(output.file(tablesFile), ours)
			}
			return nil
		},
	}
}

// tableFiles are the files tables -out writes for our tables: one per
// paper table we have rows for, and all of them in one.
func tableFiles(ours []results.Table) []string {
	var names []string
	for _, t := range ours {
		if name, ok := results.PaperTableFiles[t.Modality]; ok && len(t.Rows) > 0 {
			names = append(names, name)
		}
	}
	if len(ours) > 0 {
		names = append(names, tablesFile)
	}
	return names
}

// readOurTables reads a run's cell files, or a results CSV or CSV folder.
func readOurTables(input string) ([]results.Table, error) {
	if _, err := os.Stat(input); err != nil {
		return nil, fmt.Errorf("%w: compute results first with 'paperrepro run -float16', or name a results folder", err)
	}
	return results.Read(input)
}
