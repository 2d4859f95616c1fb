package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// TestRunChecksSummaryBeforeWork: a summary table path the run could not
// write at the end (here a folder) fails the run before any cell is
// computed, not after.
func TestRunChecksSummaryBeforeWork(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	summary := filepath.Join(out, "seed", tablesFile)
	if err := os.MkdirAll(summary, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text",
		"-chunks", "1", "-data-dir", data, "-out", out)
	if code != exitFail || !strings.Contains(stderr, summary+" is not a file") {
		t.Errorf("exit %d, stderr %q; want the summary path refused", code, stderr)
	}
	if cells, _ := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.json*")); len(cells) > 0 {
		t.Errorf("the run computed %v before failing", cells)
	}
}

// TestEditedCellIsRefused: a cell whose compression ratio was edited (its
// chunks give another) is not reused by run nor tabulated by tables, fit or
// figures: each refuses it, naming the file.
func TestEditedCellIsRefused(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	args := []string{"run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}
	if code, _, stderr := run(t, args...); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	cell := filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json")
	text, err := os.ReadFile(cell)
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`(?m)^  "compression_ratio": [0-9.e-]+,$`).ReplaceAll(text, []byte(`  "compression_ratio": 0.1234,`))
	if bytes.Equal(edited, text) {
		t.Fatalf("no compression_ratio to edit in %s", text)
	}
	if err := os.WriteFile(cell, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		args,
		{"tables", "-paper", testenv.Expected(t), filepath.Join(out, "seed")},
		{"fit", "-paper", "", filepath.Join(out, "seed")},
		{"figures", "-out", t.TempDir(), filepath.Join(out, "seed")},
	} {
		code, stdout, stderr := run(t, args...)
		if code != exitFail || !strings.Contains(stderr, cell+": field compression_ratio 0.1234, but its chunks give") {
			t.Errorf("%s on an edited cell: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
}

// TestChangedConfigIsNotReused: config.json shapes the numbers as much as
// the weights (here layer_norm_eps and rotary_pct), so a cell computed with
// another config.json is not reused - the run is refused, naming it - and
// the changed model does give another compression ratio in a fresh folder.
func TestChangedConfigIsNotReused(t *testing.T) {
	data := testenv.SampleData(t)
	ckpt := filepath.Join(t.TempDir(), "pythia-tiny-16", "step1000")
	copyCheckpoint(t, testenv.TinyCheckpoint(t, "pythia-tiny-16", "step1000"), ckpt)
	cr := func(out string) string {
		t.Helper()
		code, stdout, stderr := run(t, "run", "-model-dir", ckpt, "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out)
		if code != exitOK {
			t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
		}
		c, err := results.ReadCell(filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json"))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%.4f", c.CR)
	}
	out := t.TempDir()
	before := cr(out)
	config := filepath.Join(ckpt, "config.json")
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(`"layer_norm_eps": 1e-05`, `"layer_norm_eps": 0.5`, `"rotary_pct": 0.25`, `"rotary_pct": 1.0`).Replace(string(text))
	if changed == string(text) {
		t.Fatalf("nothing to change in %s", text)
	}
	if err := os.WriteFile(config, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "run", "-model-dir", ckpt, "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out)
	if code != exitFail || !strings.Contains(stderr, "computed with another setup (config.json sha256 ") {
		t.Errorf("rerun after editing config.json: exit %d\n%s%s\nwant a refusal naming config.json", code, stdout, stderr)
	}
	if after := cr(t.TempDir()); after == before {
		t.Errorf("CR %s with either config.json: the edit should change the model", before)
	}
}

// TestGridFlagsSayWhatTheyMean: a name that is a path, a modality named
// twice and an explicit -step 0 are refused as the usage errors they are,
// rather than writing outside -out, counting a cell twice or taking the
// step from the folder's name instead.
func TestGridFlagsSayWhatTheyMean(t *testing.T) {
	data := testenv.SampleData(t)
	ckpt := filepath.Join(t.TempDir(), "mine", "step1000")
	copyCheckpoint(t, testenv.TinyCheckpoint(t, "pythia-tiny-16", "step1000"), ckpt)
	root := t.TempDir()
	out := filepath.Join(root, "a", "b", "c")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-model-dir", ckpt, "-model-name", "../../../escape", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}, `model name "../../../escape" is a path`},
		{[]string{"run", "-models", "EleutherAI/../..", "-steps", "1000", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}, `model name ".." is a path`},
		{[]string{"run", "-model-dir", ckpt, "-modalities", "text,text", "-chunks", "1", "-data-dir", data, "-out", out}, "-modalities: text is named twice"},
		{[]string{"status", "-model-dir", ckpt, "-modalities", "text,image,text", out}, "-modalities: text is named twice"},
		{[]string{"run", "-model-dir", ckpt, "-step", "0", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}, "-step 0: a training step is at least 1"},
	} {
		code, stdout, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s%s\nwant a usage error saying %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(out, path); err == nil && !d.IsDir() && !filepath.IsLocal(rel) {
			t.Errorf("%s written outside -out", path)
		}
		return nil
	})
}

// TestStatusOfAFileIsAnError: status of a path that is no results folder
// says so and fails, rather than reporting an empty grid.
func TestStatusOfAFileIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "results.txt")
	if err := os.WriteFile(file, []byte("not a folder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status", file}, {"status", "-models", "70m", "-steps", "1000", file}} {
		code, stdout, stderr := run(t, args...)
		if code != exitFail || !strings.Contains(stderr, file+" is a file, not a results folder") {
			t.Errorf("%v: exit %d\n%s%s\nwant a failure saying it is no results folder", args, code, stdout, stderr)
		}
	}
	empty := t.TempDir()
	code, stdout, _ := run(t, "status", empty)
	if code != exitOK || !strings.Contains(stdout, "no cells found") {
		t.Errorf("status of an empty folder: exit %d\n%s\nwant 0 cells and a hint", code, stdout)
	}
}

// TestHeldCellSaysWhenItsHolderIsPresumedDead: a cell whose lock another
// machine's worker holds, its heartbeat 54 s old, is not computed; the run
// says when that worker will be presumed dead and what to do, and exits
// non-zero, since its share of the grid is not done. Once the heartbeat is
// older than that, the run takes the cell over.
func TestHeldCellSaysWhenItsHolderIsPresumedDead(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	lock := filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json.lock")
	if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
		t.Fatal(err)
	}
	owner := fmt.Sprintf(`{"host": "gpu-node-17", "pid": 4242, "slurm_job": "77_1", "since": %q}`, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	if err := os.WriteFile(lock, []byte(owner+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	beat := func(age time.Duration) {
		if err := os.Chtimes(lock, time.Now().Add(-age), time.Now().Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"run", "-shard", "0/1", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}
	beat(54 * time.Second)
	code, stdout, stderr := run(t, args...)
	for _, want := range []string{"pid 4242 on gpu-node-17 (Slurm job 77_1)", "heartbeat 54s ago", "presumed dead once its heartbeat is 3m0s old", "run again then"} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("the run does not say %q:\n%s%s", want, stdout, stderr)
		}
	}
	if code != exitFail || !strings.Contains(stderr, "1 cell of this run's share is not done") {
		t.Errorf("exit %d\n%s; want a failure: the shard is not done", code, stderr)
	}
	beat(4 * time.Minute)
	code, stdout, stderr = run(t, args...)
	if code != exitOK || !strings.Contains(stderr, "taking over the lock of pid 4242 on gpu-node-17") {
		t.Errorf("with a heartbeat 4 minutes old: exit %d\n%s%s\nwant the cell taken over", code, stdout, stderr)
	}
}

// TestStatusSaysWhenARemoteWorkerIsPresumedDead: status shows, beside a
// cell another machine's worker holds, when that worker will be presumed
// dead.
func TestStatusSaysWhenARemoteWorkerIsPresumedDead(t *testing.T) {
	out := t.TempDir()
	lock := filepath.Join(out, "seed", "pythia-70m", "step1000", "text.json.lock")
	if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, []byte(`{"host": "gpu-node-17", "pid": 4242, "since": "2026-01-01T00:00:00Z"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	beat := time.Now().Add(-54 * time.Second)
	if err := os.Chtimes(lock, beat, beat); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "status", out)
	want := "presumed dead at " + beat.Add(3*time.Minute).Format(time.TimeOnly)
	if code != exitOK || !strings.Contains(stdout, "worker pid 4242 on gpu-node-17") || !strings.Contains(stdout, want) {
		t.Errorf("status: exit %d\n%s%s\nwant the worker and %q", code, stdout, stderr, want)
	}
}
