package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// tablesFile is the CSV of compression-ratio tables a run writes beside its
// cells: a summary of every cell in the folder for other tools (pandas, a
// spreadsheet). `paperrepro fit`, `figures` and `tables` read the cells
// themselves, the one source of truth.
const tablesFile = "compression_ratios.csv"

func newRunCommand() *command {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	gridDef := addGridFlags(fs)
	data := addDataFlags(fs)
	out := addResultsFolder(fs, "results", "results `DIR`: one JSON file per cell under DIR/<protocol>/<model>/step<N>/<modality>.json, which later runs resume from")
	tokenizer := fs.String("tokenizer", "", "tokenizer.json to use (default: the checkpoint's own; the data folder's tokenizer/tokenizer.json when it has none)")
	compute := addComputeFlags(fs)
	shardFlag := fs.String("shard", "", "compute only shard i/n of the grid's cells (0 <= i < n), into the -out that all n share; default: the Slurm array task's share when run in a job array, else the whole grid")
	return &command{
		name:    "run",
		summary: "run the grid: every checkpoint compresses every modality's chunks, one result file per cell",
		help: `Run downloads each checkpoint (into the Hugging Face cache; see 'fetch'),
cuts the chunks of each modality from the data folder, scores them with the
chosen protocol and writes one JSON file per cell (model x step x modality)
with its provenance: checkpoint commit and weights sha256, backend, protocol
and options, data files and their sha256, per-chunk tokens, bits and
compression ratio, dropped chunks, wall time and tokens/s. 'fit', 'figures'
and 'tables' read the cells of OUT/<protocol>; a summary of every cell in
that folder, earlier runs' included, goes to OUT/<protocol>/` + tablesFile + `
(not from a run of one shard: see below).

A run that is stopped (Ctrl-C) or killed loses at most one batch: run the
same command again and it skips finished cells and resumes the cell it was
in. Nothing is silently reused: each cell records its setup (the sha256 of
the weights, config.json and tokenizer, the backend and the GoMLX versions,
protocol options and compute dtype, for lossless the batch size, data files
and their sha256), one folder holds one configuration, and a run whose
setup differs from the folder's cells or .partial files is refused before
any work, naming what differs; so is a cell edited by hand (its ratio no
longer what its chunks give). Cells written by a paperrepro that did not
record config.json and the engine are not resumed: run into another -out. A local
checkpoint needs -step (unless its folder is named stepN).

Many runs may share one output folder: each computes a cell only under the
cell's lock and takes over the lock of a run that died, resuming from the
chunks it saved. A run on this machine is known dead once its process ends;
one on another machine once its heartbeat (every 15 s) is 3 minutes old. A
cell another live run holds is skipped and reported with what to do, and
the run then exits with status 1: its share is not done. With
-shard i/n (or inside a Slurm job array, where it is read from
SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) a run computes only its
share, balanced by model size x chunks, and writes no ` + tablesFile + `:
once every shard is done, the same command without -shard computes nothing
and writes it. 'paperrepro slurm' writes the whole cluster job, and
'paperrepro status' shows how far it is.

The data folder must hold the three data sets (see 'paperrepro chunks --help'
and the datasets package: enwik8, ImageNet validation images, LibriSpeech).
HF_TOKEN, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE=1 work as with Python's
tools. GOMLX_BACKEND picks the compute backend (see the grid package on GPUs;
'paperrepro install-plugin' installs XLA's plugin, 'paperrepro bench' says
how fast each model runs here). The progress bar shows tokens/s and the ETA
in the units 'bench' reports.

Examples:
  paperrepro run -float16                               # the paper's Tables 2-4 (days on a CPU)
  paperrepro run -models 70m -steps 1000 -chunks 64 -modalities text
  paperrepro run -protocol lossless -models 70m -steps 143000 -chunks 16
  paperrepro run -float16 -dtype bfloat16 -batch 64      # on a GPU
  paperrepro run -model-dir ./my-neox -model-name mine -step 5000 -tokenizer tokenizer.json`,
		flags: fs,
		run: func(ctx context.Context, out_ streams, args []string) error {
			if len(args) != 0 {
				return usagef("run takes no arguments, got %q", args)
			}
			if err := gridDef.validate(); err != nil {
				return err
			}
			if _, err := gridDef.protocolInfo(); err != nil { // a usage error, before the data is read
				return err
			}
			shard, err := runShard(*shardFlag, os.Getenv)
			if err != nil {
				return err
			}
			cks, err := gridDef.checkpoints()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(*out, 0o755); err != nil {
				return fmt.Errorf("output folder: %w", err)
			}
			if err := atomicfile.CheckWritable(*out); err != nil {
				return err
			}
			dtype, plan, err := compute.resolve(checkpointConfigs(cks), grid.WorkloadOf(*gridDef.protocol))
			if err != nil {
				return err
			}
			fmt.Fprintln(out_.Err, describePlan(plan, dtype))
			dataDir, err := datasets.ResolveDataDir(*data.dir)
			if err != nil {
				return err
			}
			sources, err := data.open(splitList(*gridDef.modalities), dataDir, *gridDef.chunks, out_)
			if err != nil {
				return err
			}
			engine, err := grid.NewEngine(grid.EngineOptions{Protocol: *gridDef.protocol, Float16: *gridDef.float16,
				Tokenizer: *tokenizer, FallbackTokenizer: dataTokenizer(dataDir), DType: dtype, Batch: plan.Batch})
			if err != nil {
				return usagef("%v", err)
			}
			summaryPath := filepath.Join(*out, engine.Protocol().Label(), tablesFile)
			if shard.Count == 0 {
				if err := checkSummaryFile(summaryPath); err != nil {
					return err
				}
			}
			runner := &grid.Runner{Hub: hub.NewFromEnv(), Engine: engine, Sources: sources, Out: *out, BatchSize: plan.Batch, Progress: out_.Err, Shard: shard}
			summary, err := runner.Run(ctx, cks)
			if err != nil {
				return batchFlagError(err)
			}
			if shard.Count > 0 {
				return reportShard(out_, summary, shard)
			}
			return reportRun(out_, summary, filepath.Dir(summaryPath))
		},
	}
}

// reportRun writes the table CSV of every cell in the run's protocol folder
// dir, earlier runs' included, and prints what was done; it fails when
// other workers held some of the run's cells (see heldError).
func reportRun(out streams, summary *grid.Summary, dir string) error {
	tables, err := results.Read(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, tablesFile)
	if err := writeTables(path, tables); err != nil {
		return err
	}
	fmt.Fprintf(out.Out, "%d cells (%d computed now, %d from earlier runs) -> %s\n", len(summary.Cells), summary.Computed, summary.Reused, path)
	reportHeld(out, summary)
	if summary.Tokens > 0 {
		fmt.Fprintf(out.Out, "scored %d tokens in %.1f s: %.0f tokens/s on backend %s\n",
			summary.Tokens, summary.Seconds, summary.TokensPerSecond(), summary.Cells[0].Backend)
	}
	return heldError(summary)
}

// checkSummaryFile refuses, before any work, a summary table path the run
// could not write at the end: a folder, or anything but a regular file.
func checkSummaryFile(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s is not a file (%s): the run writes its summary table there at the end; move it away first", path, info.Mode().Type())
	}
	return nil
}

// writeTables writes tables as one CSV, atomically; a grid with holes (a
// partial run) is written too, where results.WriteCSV would refuse it.
func writeTables(path string, tables []results.Table) error {
	var buf bytes.Buffer
	if err := results.Encode(&buf, tables...); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}
