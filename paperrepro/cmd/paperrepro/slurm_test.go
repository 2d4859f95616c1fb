package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// tinyGrid is the grid flags of the tiny test grid (testenv.TinyGrid): 2
// models x 2 steps x 2 modalities, those of the sample data every clone
// carries (testenv.SampleData).
var tinyGrid = []string{"-models", "EleutherAI/pythia-tiny-16,EleutherAI/pythia-tiny-32", "-steps", "1000,2000", "-modalities", "text,speech"}

// writeExecutable writes a shell script that every node could run.
func writeExecutable(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/bash\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestSlurmScript runs the script 'paperrepro slurm' writes against a
// stand-in sbatch and paperrepro that log their arguments, so every mode of
// the script is checked where Slurm is not installed (the real cluster run
// is TestSlurmArrayOnALocalCluster).
func TestSlurmScript(t *testing.T) {
	data := testenv.SampleData(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(dir, "calls.log")
	writeExecutable(t, filepath.Join(bin, "paperrepro"), `echo "paperrepro offline=${HF_HUB_OFFLINE:-} cache=$HF_HUB_CACHE $*" >> `+calls+"\n")
	writeExecutable(t, filepath.Join(bin, "sbatch"), `echo "sbatch $*" >> `+calls+`
n=$(grep -c '^sbatch' `+calls+`)
echo "10$n;cluster"
`)
	out, hf := filepath.Join(dir, "shared results"), filepath.Join(dir, "hf")
	script := filepath.Join(dir, "grid.sh")
	args := append([]string{"slurm", "-binary", filepath.Join(bin, "paperrepro"), "-paper", testenv.Expected(t), "-data-dir", data,
		"-out", out, "-hf-home", hf, "-chunks", "16", "-tasks", "4", "-gpus", "2", "-speech-rule", "pcm16", "-time", "1:00:00", "-partition", "gpu", "-sbatch", "--qos=high", "-o", script}, tinyGrid...)
	code, stdout, stderr := run(t, args...)
	if code != exitOK || !strings.Contains(stdout, "8 cells in 4 array tasks") {
		t.Fatalf("slurm: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "usually private to each node") {
		t.Errorf("no warning about node-local folders under /tmp:\n%s", stderr)
	}
	if err := exec.Command("bash", "-n", script).Run(); err != nil {
		t.Fatalf("bash -n %s: %v", script, err)
	}
	text, _ := os.ReadFile(script)
	for _, want := range []string{"2 models x 2 steps x 2 modalities = 8 cells", "No fit: it needs at least 6 cells"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("script lacks %q", want)
		}
	}

	bash := func(env []string, arg ...string) {
		t.Helper()
		cmd := exec.Command("bash", append([]string{script}, arg...)...)
		cmd.Env = append(append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH")), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bash %s %v: %v\n%s", script, arg, err, b)
		}
	}
	bash(nil)
	bash([]string{"SLURM_ARRAY_TASK_ID=2"}, "work")
	bash(nil, "after")
	bash(nil, "submit", "1,3")
	logged, _ := os.ReadFile(calls)
	lines := strings.Split(strings.TrimSpace(string(logged)), "\n")
	cache := filepath.Join(hf, "hub")
	grid := "-models EleutherAI/pythia-tiny-16,EleutherAI/pythia-tiny-32 -steps 1000,2000 -modalities text,speech -chunks 16 -protocol seed -float16=false"
	runFlags := "-data-dir " + data + " -image-seed 0 -speech-rule pcm16"
	want := []string{
		// bash grid.sh: fetch once, then the array and the job after it.
		"paperrepro offline= cache=" + cache + " fetch -models EleutherAI/pythia-tiny-16,EleutherAI/pythia-tiny-32 -steps 1000,2000",
		"sbatch --parsable --partition=gpu --qos=high --cpus-per-task=4 --gres=gpu:2 --time=1:00:00 --job-name=paperrepro --array=0-3 --requeue --open-mode=append --output=" + out + "/slurm-logs/%x-%A_%a.log " + script + " work",
		"sbatch --parsable --partition=gpu --qos=high --job-name=paperrepro-after --dependency=afterany:101 --output=" + out + "/slurm-logs/%x-%j.log " + script + " after",
		// An array task: its shard, offline.
		"paperrepro offline=1 cache=" + cache + " run " + grid + " " + runFlags + " -out " + out + " -shard 2/4",
		// After the array: every cell done; tables (with all of them in one
		// CSV) and figures from the cells, no model loaded.
		"paperrepro offline=1 cache=" + cache + " status -complete -shards 4 " + grid + " " + out,
		"paperrepro offline=1 cache=" + cache + " tables -f -paper " + testenv.Expected(t) + " -out " + out + "/tables " + out + "/seed",
		"paperrepro offline=1 cache=" + cache + " figures -f -out " + out + "/figures " + out + "/seed",
		// submit 1,3: those tasks again.
		"paperrepro offline= cache=" + cache + " fetch -models EleutherAI/pythia-tiny-16,EleutherAI/pythia-tiny-32 -steps 1000,2000",
		"sbatch --parsable --partition=gpu --qos=high --cpus-per-task=4 --gres=gpu:2 --time=1:00:00 --job-name=paperrepro --array=1,3 --requeue --open-mode=append --output=" + out + "/slurm-logs/%x-%A_%a.log " + script + " work",
		"sbatch --parsable --partition=gpu --qos=high --job-name=paperrepro-after --dependency=afterany:103 --output=" + out + "/slurm-logs/%x-%j.log " + script + " after",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d calls, want %d:\n%s", len(lines), len(want), logged)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("call %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}

func TestSlurmCommandErrors(t *testing.T) {
	data := testenv.SampleData(t)
	expected := testenv.Expected(t)
	exe := filepath.Join(t.TempDir(), "paperrepro")
	writeExecutable(t, exe, "exit 0\n")
	base := []string{"slurm", "-binary", exe, "-paper", expected, "-chunks", "16"}
	tests := []struct {
		args []string
		code int
		says string
	}{
		{append(append([]string(nil), base...), "-data-dir", t.TempDir()), exitFail, "the array tasks could not read their data: datasets: no text data"},
		{[]string{"slurm", "-binary", filepath.Join(t.TempDir(), "none"), "-data-dir", data, "-paper", expected}, exitUsage, "is not an executable file"},
		{append(append([]string(nil), base...), "-data-dir", data, "-paper", filepath.Join(t.TempDir(), "none")), exitUsage, "no such folder"},
		{append(append([]string(nil), base...), "-data-dir", data, "-chunks", "0"), exitUsage, "-chunks must be at least 1"},
		{append(append([]string(nil), base...), "-data-dir", data, "-chunks", "2048", "-modalities", "text"), exitFail, "128 whole chunks of 2048 bytes available, 2048 requested"},
		{append(append([]string(nil), base...), "-data-dir", data, "-gpus", "-1"), exitUsage, "-gpus, -tasks and -batch must be 0 or more"},
		{append(append([]string(nil), base...), "-data-dir", data, "-batch", "-2"), exitUsage, "-gpus, -tasks and -batch must be 0 or more"},
		{append(append([]string(nil), base...), "-data-dir", data, "-protocol", "lossless"), exitUsage, "the lossless protocol codes with one batch size for the whole folder: give -batch"},
		{append(append([]string(nil), base...), "-data-dir", data, "-models", "7m"), exitUsage, `unknown model "7m"`},
		{append(append([]string(nil), base...), "-data-dir", data, "-models", "70m", "-steps", "0,1000"), exitUsage, "pythia-70m: step 0: the scaling law needs a training step of at least 1"},
		{append(append([]string(nil), base...), "-data-dir", data, "-model-dir", t.TempDir()), exitUsage, "-step: give the training step of the checkpoint in"},
		{append(append([]string(nil), base...), "-data-dir", data, "extra"), exitUsage, "slurm takes no arguments"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tt.args, code, stderr, tt.code, tt.says)
		}
	}
	// More tasks than cells: one cell each.
	code, stdout, stderr := run(t, append(append([]string(nil), base...), "-data-dir", data, "-models", "70m", "-steps", "1000", "-modalities", "text", "-tasks", "9")...)
	if code != exitOK || !strings.Contains(stderr, "9 tasks for 1 cells: using 1 tasks") || !strings.Contains(stdout, "TASKS=1\n") {
		t.Errorf("-tasks 9 for 1 cell: exit %d\n%s", code, stderr)
	}
}

func TestRunShardErrors(t *testing.T) {
	tests := []struct {
		shard, says string
	}{
		{"3/2", `-shard: shard "3/2": shard 3 does not exist: shards of 2 are numbered 0 to 1`},
		{"a/b", `-shard: shard "a/b": want i/n`},
		{"0/0", `-shard: shard "0/0": the number of shards must be at least 1, got 0`},
	}
	for _, tt := range tests {
		// Refused before any data or model is opened.
		code, _, stderr := run(t, "run", "-shard", tt.shard, "-data-dir", filepath.Join(t.TempDir(), "none"))
		if code != exitUsage || !strings.Contains(stderr, tt.says) {
			t.Errorf("-shard %s: exit %d, stderr %q; want exit %d saying %q", tt.shard, code, stderr, exitUsage, tt.says)
		}
	}
	// In a job array submitted as a list, the task cannot tell its shard.
	t.Setenv("SLURM_ARRAY_TASK_ID", "5")
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "3")
	t.Setenv("SLURM_ARRAY_TASK_MIN", "1")
	code, _, stderr := run(t, "run", "-data-dir", filepath.Join(t.TempDir(), "none"))
	if code != exitUsage || !strings.Contains(stderr, "pass -shard 5/N") {
		t.Errorf("array task 5 of --array=1,5,7: exit %d, stderr %q", code, stderr)
	}
}
