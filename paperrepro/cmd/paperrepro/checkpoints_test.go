package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
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

// TestLargerPythiaModels: -models takes the sizes beyond the paper's and
// the -deduped twins, as hub repositories whose shapes are known before
// they are fetched (for the memory plan), and bench measures their shapes.
func TestLargerPythiaModels(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := addModelFlags(fs, paperModels, paperSteps)
	if err := fs.Parse([]string{"-models", "2.8b,6.9b,12b,12b-deduped", "-steps", "143000"}); err != nil {
		t.Fatal(err)
	}
	cks, err := f.checkpoints()
	if err != nil {
		t.Fatal(err)
	}
	wantRepos := []string{"EleutherAI/pythia-2.8b", "EleutherAI/pythia-6.9b", "EleutherAI/pythia-12b", "EleutherAI/pythia-12b-deduped"}
	wantHidden := []int{2560, 4096, 5120, 5120}
	cfgs := checkpointConfigs(cks)
	if len(cks) != len(wantRepos) || len(cfgs) != len(wantRepos) {
		t.Fatalf("%d checkpoints, %d shapes; want %d", len(cks), len(cfgs), len(wantRepos))
	}
	for i, ck := range cks {
		if ck.Repo != wantRepos[i] || ck.Revision != "step143000" || ck.Step != 143000 || cfgs[i].HiddenSize != wantHidden[i] {
			t.Errorf("checkpoint %d: %+v, hidden size %d; want %s@step143000, hidden size %d", i, ck, cfgs[i].HiddenSize, wantRepos[i], wantHidden[i])
		}
	}
	shapes, err := benchShapes("2.8b,6.9b,12b,12b-deduped", "")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range shapes {
		if want := "pythia-" + strings.TrimPrefix(wantRepos[i], "EleutherAI/pythia-"); s.Name != want || s.Config != cfgs[i] {
			t.Errorf("bench shape %d: %s, want %s with the checkpoint's shape", i, s.Name, want)
		}
	}
}

// TestSlurmLargerModels: the Slurm script takes the larger sizes and the
// -deduped twins like the paper's, and fetches them before the array.
func TestSlurmLargerModels(t *testing.T) {
	data := testenv.SampleData(t)
	dir := t.TempDir()
	script, binary := filepath.Join(dir, "big.sh"), filepath.Join(dir, "paperrepro")
	writeExecutable(t, binary, "true\n")
	code, stdout, stderr := run(t, "slurm", "-binary", binary, "-models", "2.8b,6.9b,12b-deduped", "-steps", "1000,143000", "-modalities", "text,speech", "-chunks", "16",
		"-paper", testenv.Expected(t), "-data-dir", data, "-out", filepath.Join(dir, "out"), "-hf-home", filepath.Join(dir, "hf"), "-o", script)
	if code != exitOK || !strings.Contains(stdout, "12 cells") {
		t.Fatalf("slurm: exit %d\n%s%s", code, stdout, stderr)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 models x 2 steps x 2 modalities = 12 cells", "fetch -models 2.8b,6.9b,12b-deduped -steps 1000,143000"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("script lacks %q", want)
		}
	}
}
