package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
)

func newStatusCommand() *command {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	gridDef := addGridFlags(fs)
	shards := fs.Int("shards", 0, "the number of shards (Slurm array tasks) the grid runs in: name the tasks that still have cells to do")
	complete := fs.Bool("complete", false, "exit with status 1 unless every cell is done (for the step after a cluster run)")
	verbose := fs.Bool("v", false, "list every cell, the done ones too (else at most 20 of each state)")
	return &command{
		name:    "status",
		args:    "RESULTS",
		summary: "show how far a grid run is: cells done, running (with their worker), interrupted and missing, tokens and time spent",
		help: `Status reads a run's output folder (run's -out) while workers write into it,
and prints how many cells are done, running, interrupted and missing, the
tokens scored and the scoring time spent (summed over workers), and every
unfinished cell: a running one with its worker (host, pid, Slurm job) and
the age of its heartbeat, an interrupted one with the chunks it has saved
and the dead worker that left it, which the next run resumes.

Without grid flags the grid is inferred from the folder: every model and
step found, each with every modality found. Give the flags the grid was
run with (run's defaults otherwise) to list the cells not started yet too;
with -shards N it names the array tasks that own unfinished cells.

Examples:
  paperrepro status results
  watch -n 60 paperrepro status -models 70m,160m -chunks 256 -shards 8 /shared/results
  paperrepro status -complete -models 70m -steps 1000 -chunks 64 results`,
		flags: fs,
		run: func(_ context.Context, out streams, args []string) error {
			if len(args) != 1 {
				return usagef("status takes one results folder (run's -out), got %d arguments", len(args))
			}
			if *shards < 0 {
				return usagef("-shards must be 0 or more, got %d", *shards)
			}
			var want *grid.StatusGrid
			if *shards > 0 || anyFlagSet(fs, gridFlagNames) {
				var err error
				if want, err = gridDef.statusGrid(*shards); err != nil {
					return err
				}
			}
			st, err := grid.ReadStatus(args[0], want)
			if err != nil {
				return err
			}
			chunks := 0
			if want != nil {
				chunks = want.Chunks
			}
			printStatus(out.Out, args[0], st, chunks, *verbose)
			if left := len(st.Cells) - st.Count(grid.CellDone); *complete && left > 0 {
				return fmt.Errorf("%d of %d cells of %s are not done", left, len(st.Cells), args[0])
			}
			return nil
		},
	}
}

// anyFlagSet reports whether any of names was given on the command line.
func anyFlagSet(fs *flag.FlagSet, names []string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || slices.Contains(names, f.Name) })
	return set
}

// printStatus writes the status report; chunks is the grid's chunks per
// cell, or 0 when not known.
func printStatus(w io.Writer, dir string, st *grid.Status, chunks int, verbose bool) {
	fmt.Fprintf(w, "%s: %d cells: %d done, %d running, %d interrupted, %d missing\n", dir, len(st.Cells),
		st.Count(grid.CellDone), st.Count(grid.CellRunning), st.Count(grid.CellInterrupted), st.Count(grid.CellMissing))
	if len(st.Cells) == 0 {
		fmt.Fprintf(w, "no cells found under %s: nothing has been run into it yet, or it is not a run's -out (give the grid flags to list the cells still to do)\n", dir)
		return
	}
	tokens, seconds := st.Spent()
	fmt.Fprintf(w, "spent: %d tokens in %s of scoring (summed over workers)\n", tokens, time.Duration(seconds*float64(time.Second)).Round(time.Second))
	protocols := map[string]bool{}
	for _, c := range st.Cells {
		protocols[c.Protocol] = true
	}
	sections := []struct {
		state grid.CellState
		title string
	}{
		{grid.CellRunning, "running (a live worker holds the lock)"},
		{grid.CellInterrupted, "interrupted (the next run resumes from the chunks saved)"},
		{grid.CellMissing, "missing"},
		{grid.CellDone, "done"},
	}
	for _, sec := range sections {
		if st.Count(sec.state) == 0 || (sec.state == grid.CellDone && !verbose) {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", sec.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		listed := 0
		for _, c := range st.Cells {
			if c.State != sec.state {
				continue
			}
			if listed++; listed > listLimit && !verbose {
				fmt.Fprintf(tw, "  ... and %d more (-v lists them all)\n", st.Count(sec.state)-listLimit)
				break
			}
			name := c.Name()
			if len(protocols) > 1 {
				name = c.Protocol + " " + name
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, cellProgress(c, chunks), cellWorker(c))
		}
		tw.Flush()
	}
	if tasks := st.UnfinishedShards(); len(tasks) > 0 {
		list := taskRanges(tasks)
		fmt.Fprintf(w, "\narray tasks with cells left: %s (once they have stopped, submit them again: bash GRID-SCRIPT submit %s)\n", list, list)
	}
}

// listLimit is how many cells of each state status lists without -v.
const listLimit = 20

// taskRanges writes sorted task numbers as sbatch --array takes them, runs
// as ranges: "0-3,7,9-10".
func taskRanges(tasks []int) string {
	var parts []string
	for i := 0; i < len(tasks); {
		j := i
		for j+1 < len(tasks) && tasks[j+1] == tasks[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(tasks[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", tasks[i], tasks[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// cellProgress is a cell's chunks as a report column.
func cellProgress(c grid.CellStatus, chunks int) string {
	if c.State == grid.CellMissing {
		return ""
	}
	done := fmt.Sprintf("%d chunks", c.Chunks)
	if chunks > 0 {
		done = fmt.Sprintf("%d/%d chunks", c.Chunks, chunks)
	}
	if c.State == grid.CellDone {
		return fmt.Sprintf("%s, %d tokens", done, c.Tokens)
	}
	return done
}

// cellWorker is a cell's worker and shard as a report column.
func cellWorker(c grid.CellStatus) string {
	var parts []string
	if c.Shard >= 0 {
		parts = append(parts, fmt.Sprintf("shard %d", c.Shard))
	}
	if c.Owner != nil {
		verb := "worker"
		if c.State == grid.CellInterrupted {
			verb = "left by dead worker"
		}
		worker := fmt.Sprintf("%s %s, heartbeat %s ago", verb, c.Owner, time.Since(c.Heartbeat).Round(time.Second))
		if !c.PresumedDead.IsZero() {
			worker += ", presumed dead at " + c.PresumedDead.Format(time.TimeOnly) + " unless it beats again"
		}
		parts = append(parts, worker)
	}
	return strings.Join(parts, "  ")
}
