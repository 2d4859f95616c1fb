package main

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
)

// TestLocalCheckpointNames: a -model-dir folder laid out like a hub
// revision, <model>/step<N>, names the model and the step; any other folder
// needs -step, since a table cannot hold step 0.
func TestLocalCheckpointNames(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		name string
		args []string
		want grid.Checkpoint
		err  string
	}{
		{"hub layout", []string{"-model-dir", filepath.Join(root, "pythia-tiny-16", "step1000")},
			grid.Checkpoint{Model: "pythia-tiny-16", Step: 1000}, ""},
		{"hub layout, named", []string{"-model-dir", filepath.Join(root, "pythia-tiny-16", "step1000"), "-model-name", "mine", "-step", "5000"},
			grid.Checkpoint{Model: "mine", Step: 5000}, ""},
		{"plain folder with -step", []string{"-model-dir", filepath.Join(root, "my-neox"), "-step", "5000"},
			grid.Checkpoint{Model: "my-neox", Step: 5000}, ""},
		{"plain folder", []string{"-model-dir", filepath.Join(root, "my-neox")}, grid.Checkpoint{}, "-step: give the training step"},
		{"step0 folder", []string{"-model-dir", filepath.Join(root, "m", "step0")}, grid.Checkpoint{}, "-step: give the training step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := addModelFlags(fs, paperModels, paperSteps)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			cks, err := f.checkpoints()
			if err == nil {
				err = f.requireStep(cks)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("got %v, %v; want an error saying %q", cks, err, tc.err)
				}
				return
			}
			if err != nil || len(cks) != 1 || cks[0].Model != tc.want.Model || cks[0].Step != tc.want.Step {
				t.Errorf("got %+v, %v; want model %s step %d", cks, err, tc.want.Model, tc.want.Step)
			}
		})
	}
}
