package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// gridFlags are the flags that define a grid - its checkpoints, modalities,
// chunks and protocol - shared by run, status and slurm so that one grid
// is named the same way in each.
type gridFlags struct {
	fs         *flag.FlagSet
	models     *modelFlags
	modalities *string
	chunks     *int
	protocol   *string
	float16    *bool
}

// gridFlagNames are the flags addGridFlags defines.
var gridFlagNames = []string{"models", "steps", "model-dir", "model-name", "step", "modalities", "chunks", "protocol", "float16"}

func addGridFlags(fs *flag.FlagSet) *gridFlags {
	return &gridFlags{
		fs:         fs,
		models:     addModelFlags(fs, paperModels, paperSteps),
		modalities: fs.String("modalities", "text,image,speech", "comma-separated modalities"),
		chunks:     fs.Int("chunks", datasets.DefaultCount, "chunks per modality (the paper: 2048)"),
		protocol:   fs.String("protocol", grid.ProtocolSeed, `"seed" (the paper's: -log2 p summed over the first 1024 tokens) or "lossless" (a real range coder, every chunk decompressed and checked)`),
		float16:    fs.Bool("float16", false, "seed protocol: emulate the paper's float16 softmax (probabilities below ~6e-8 cost 33.2 bits); used for Tables 2-4"),
	}
}

// checkpoints are the grid's checkpoints, refused here when a run would
// refuse them (a local checkpoint folder without its training step, a step
// below 1), so that slurm fails before it writes a script.
func (g *gridFlags) checkpoints() ([]grid.Checkpoint, error) {
	cks, err := g.models.checkpoints()
	if err != nil {
		return nil, err
	}
	if err := g.models.requireStep(cks); err != nil {
		return nil, err
	}
	if err := grid.CheckCheckpoints(cks); err != nil {
		return nil, usagef("%v", err)
	}
	return cks, nil
}

// validate checks the values that need no files: chunks, modalities named
// once each, and a -step given at least 1 (a -step 0 would otherwise give
// way to the step a folder named stepN states).
func (g *gridFlags) validate() error {
	if *g.chunks < 1 {
		return usagef("-chunks must be at least 1, got %d", *g.chunks)
	}
	modalities := splitList(*g.modalities)
	if len(modalities) == 0 {
		return usagef("name at least one modality (text, image, speech)")
	}
	for i, m := range modalities {
		if slices.Contains(modalities[:i], m) {
			return usagef("-modalities: %s is named twice", m)
		}
	}
	if anyFlagSet(g.fs, []string{"step"}) && *g.models.step < 1 {
		return usagef("-step %d: a training step is at least 1 (leave -step out to take N from a checkpoint folder named stepN)", *g.models.step)
	}
	return nil
}

// protocolInfo is the protocol as result files record it (its Label is the
// run's folder under the output folder).
func (g *gridFlags) protocolInfo() (results.ProtocolInfo, error) {
	engine, err := grid.NewEngine(grid.EngineOptions{Protocol: *g.protocol, Float16: *g.float16})
	if err != nil {
		return results.ProtocolInfo{}, usagef("%v", err)
	}
	return engine.Protocol(), nil
}

// statusGrid is the grid for grid.ReadStatus, in shards of shards (0: not
// sharded).
func (g *gridFlags) statusGrid(shards int) (*grid.StatusGrid, error) {
	if err := g.validate(); err != nil {
		return nil, err
	}
	cks, err := g.checkpoints()
	if err != nil {
		return nil, err
	}
	protocol, err := g.protocolInfo()
	if err != nil {
		return nil, err
	}
	return &grid.StatusGrid{Protocol: protocol, Checkpoints: cks, Modalities: splitList(*g.modalities), Chunks: *g.chunks, Shards: shards}, nil
}

// runShard is run's shard: -shard when given, else the Slurm array task's
// share (getenv reads the environment), else the whole grid.
func runShard(flagValue string, getenv func(string) string) (grid.Shard, error) {
	if flagValue != "" {
		shard, err := grid.ParseShard(flagValue)
		if err != nil {
			return grid.Shard{}, usagef("-shard: %v", err)
		}
		return shard, nil
	}
	shard, _, err := grid.ShardFromEnv(getenv)
	if err != nil {
		return grid.Shard{}, usagef("%v", err)
	}
	return shard, nil
}

// reportShard prints what a run of one shard did; it fails when other
// workers held some of its cells (see heldError). It writes no table: the
// shards' cells are merged once all are done, by a run without -shard.
func reportShard(out streams, summary *grid.Summary, shard grid.Shard) error {
	fmt.Fprintf(out.Out, "shard %s: %d cells (%d computed now, %d from earlier runs)\n", shard, len(summary.Cells), summary.Computed, summary.Reused)
	reportHeld(out, summary)
	if summary.Tokens > 0 {
		fmt.Fprintf(out.Out, "scored %d tokens in %.1f s: %.0f tokens/s\n", summary.Tokens, summary.Seconds, summary.TokensPerSecond())
	}
	fmt.Fprintln(out.Out, "once every shard is done, 'paperrepro run' with the same flags and no -shard merges the cells into the tables")
	return heldError(summary)
}

// reportHeld lists the cells a run skipped because other workers hold them,
// each with when its worker will be presumed dead and what to do.
func reportHeld(out streams, summary *grid.Summary) {
	if len(summary.Held) == 0 {
		return
	}
	fmt.Fprintf(out.Out, "%s skipped, held by other workers:\n", plural(len(summary.Held), "cell"))
	for _, h := range summary.Held {
		fmt.Fprintf(out.Out, "  %v\n", h)
	}
}

// heldError is the run's failure when other workers held some of its cells:
// exit status 0 means that every cell of the run's share is done.
func heldError(summary *grid.Summary) error {
	switch n := len(summary.Held); n {
	case 0:
		return nil
	case 1:
		return errors.New("1 cell of this run's share is not done: another worker holds it (see above)")
	default:
		return fmt.Errorf("%d cells of this run's share are not done: other workers hold them (see above)", n)
	}
}
