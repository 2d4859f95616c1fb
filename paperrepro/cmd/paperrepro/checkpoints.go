package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// The paper's grid: five Pythia sizes at five training steps.
const (
	paperModels = "70m,160m,410m,1b,1.4b"
	paperSteps  = "1000,8000,32000,128000,143000"
	pythiaOrg   = "EleutherAI"
)

// modelFlags are the flags that name checkpoints, shared by every command
// that takes a model: hub repositories at revisions, or one local folder.
type modelFlags struct {
	models, steps       *string
	modelDir, modelName *string
	step                *int
}

func addModelFlags(fs *flag.FlagSet, defaultModels, defaultSteps string) *modelFlags {
	return &modelFlags{
		models: fs.String("models", defaultModels,
			"comma-separated models: Pythia sizes (70m, 160m, 410m, 1b, 1.4b, or pythia-70m ...) or hub repositories ORG/NAME"),
		steps: fs.String("steps", defaultSteps,
			"comma-separated training steps (1000 or step1000) or other hub revisions"),
		modelDir: fs.String("model-dir", "",
			"a local checkpoint folder (config.json + model.safetensors or pytorch_model.bin) to use instead of the hub"),
		modelName: fs.String("model-name", "",
			"with -model-dir: the model's name in the results (default: the folder's name, or its parent's when the folder is named stepN)"),
		step: fs.Int("step", 0, "with -model-dir: the checkpoint's training step in the results (default: N when the folder is named stepN)"),
	}
}

// checkpoints expands the flags into the grid's checkpoints, models outer.
func (f *modelFlags) checkpoints() ([]grid.Checkpoint, error) {
	if *f.modelDir != "" {
		return f.localCheckpoint()
	}
	var repos []string
	for _, m := range splitList(*f.models) {
		repo, err := modelRepo(m)
		if err != nil {
			return nil, err
		}
		repos = append(repos, repo)
	}
	revisions := splitList(*f.steps)
	if len(repos) == 0 || len(revisions) == 0 {
		return nil, usagef("name at least one model (-models) and one step (-steps), or a checkpoint folder (-model-dir)")
	}
	var cks []grid.Checkpoint
	for _, repo := range repos {
		for _, rev := range revisions {
			rev, step, err := revisionStep(rev)
			if err != nil {
				return nil, err
			}
			cks = append(cks, grid.Checkpoint{Model: hub.RepoName(repo), Step: step, Repo: repo, Revision: rev})
		}
	}
	return cks, nil
}

// localCheckpoint names the -model-dir checkpoint. A folder laid out like a
// hub repository at a revision, <model>/step<N>, gives both its name and
// its step; otherwise the name is the folder's and the step is -step's
// (0 when not given, which a grid run refuses: see requireStep).
func (f *modelFlags) localCheckpoint() ([]grid.Checkpoint, error) {
	abs, err := filepath.Abs(*f.modelDir)
	if err != nil {
		return nil, err
	}
	name, step := *f.modelName, *f.step
	folderStep, err := grid.ParseStep(filepath.Base(abs))
	stepFolder := err == nil && folderStep > 0
	if name == "" {
		name = filepath.Base(abs)
		if stepFolder {
			name = filepath.Base(filepath.Dir(abs))
		}
	}
	if step == 0 && stepFolder {
		step = folderStep
	}
	return []grid.Checkpoint{{Model: name, Step: step, Dir: *f.modelDir}}, nil
}

// requireStep refuses a local checkpoint without a training step, which no
// table can hold (the scaling law needs S >= 1).
func (f *modelFlags) requireStep(cks []grid.Checkpoint) error {
	for _, ck := range cks {
		if ck.Dir != "" && ck.Step < 1 {
			return usagef("-step: give the training step of the checkpoint in %s (at least 1; its folder name does not say it)", ck.Dir)
		}
	}
	return nil
}

// modelRepo turns a model as typed into a hub repository: "70m" and
// "pythia-70m" are EleutherAI/pythia-70m; ORG/NAME is taken as it is.
func modelRepo(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	full := name
	if !strings.HasPrefix(full, "pythia-") {
		full = "pythia-" + full
	}
	if _, sized := results.NominalParams(full); !sized || !results.IsKnownModel(full) {
		var sizes []string
		for _, m := range results.KnownModels() {
			if _, ok := results.NominalParams(m); ok {
				sizes = append(sizes, strings.TrimPrefix(m, "pythia-"))
			}
		}
		return "", usagef("unknown model %q: use a Pythia size (%s, optionally with -deduped), a hub repository ORG/NAME, or -model-dir DIR",
			name, strings.Join(sizes, ", "))
	}
	return pythiaOrg + "/" + full, nil
}

// revisionStep reads a step as typed: "1000" and "step1000" are the branch
// step1000 at step 1000.
func revisionStep(typed string) (string, int, error) {
	if n, err := strconv.Atoi(typed); err == nil && n >= 0 {
		return fmt.Sprintf("step%d", n), n, nil
	}
	step, err := grid.ParseStep(typed)
	if err != nil {
		return "", 0, usagef("%v", err)
	}
	return typed, step, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
