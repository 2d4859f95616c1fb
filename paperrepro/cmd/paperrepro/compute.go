package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

// computeFlags are how a command runs its models: the batch (sequences per
// forward pass) and the compute dtype. run and bench share them.
type computeFlags struct {
	fs    *flag.FlagSet
	batch *int
	dtype *string
}

func addComputeFlags(fs *flag.FlagSet) *computeFlags {
	return &computeFlags{
		fs:    fs,
		batch: fs.Int("batch", 0, "chunks per forward pass (lossless protocol: decoder streams); when not given, as many as fit in the GPU's free memory (at most 256), or in the system's on a CPU (at most 8, or 64 decoder streams)"),
		dtype: fs.String("dtype", "float32", "compute dtype of the models: float32, bfloat16 or float16 (layer norms and softmaxes stay float32, the normalisers float64); recorded in every result"),
	}
}

// resolve checks the flags for models of the given shapes running the
// workload, and returns the dtype and the batch to use, with errors that
// name the flag to change.
func (c *computeFlags) resolve(cfgs []neox.Config, w neox.Workload) (string, neox.BatchPlan, error) {
	dtype, err := neox.CheckDType(*c.dtype)
	if err != nil {
		return "", neox.BatchPlan{}, usagef("-dtype: %v", err)
	}
	given := false
	c.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "batch" })
	if given && *c.batch < 1 {
		return "", neox.BatchPlan{}, usagef("-batch must be at least 1, got %d (leave it out to choose from memory)", *c.batch)
	}
	plan, err := neox.ChooseBatch(cfgs, dtype, w, *c.batch)
	if err != nil {
		return "", plan, batchFlagError(err)
	}
	return dtype, plan, nil
}

// batchFlagError turns a batch that does not fit in memory into a usage
// error naming -batch; other errors pass through.
func batchFlagError(err error) error {
	var big *neox.BatchTooLargeError
	if !errors.As(err, &big) {
		return err
	}
	if big.Max == 0 {
		return fmt.Errorf("%v: use a GPU or machine with more memory (from float32, -dtype bfloat16 halves the weights)", big)
	}
	return usagef("-batch %d is too large: %v; use -batch %d or less, or leave it out to choose", big.Batch, big, big.Max)
}

// describePlan is the line a command prints about its batch.
func describePlan(plan neox.BatchPlan, dtype string) string {
	how := "memory not checked"
	if plan.Max > 0 {
		how = fmt.Sprintf("up to %d fit in %s", plan.Max, plan.Memory)
	}
	return fmt.Sprintf("backend %s, %s, batch %d sequences per forward pass; %s", plan.Backend, dtype, plan.Batch, how)
}

// checkpointConfigs returns the shapes of the checkpoints that can be known
// before fetching them: Pythia sizes by name, local folders from their
// config.json. The others are checked once loaded.
func checkpointConfigs(cks []grid.Checkpoint) []neox.Config {
	var cfgs []neox.Config
	for _, ck := range cks {
		if ck.Dir != "" {
			if cfg, err := neox.ReadConfig(filepath.Join(ck.Dir, "config.json")); err == nil {
				cfgs = append(cfgs, cfg)
			}
			continue
		}
		if cfg, err := neox.PythiaConfig(ck.Model); err == nil {
			cfgs = append(cfgs, cfg)
		}
	}
	return cfgs
}
