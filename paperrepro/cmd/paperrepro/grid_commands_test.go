package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// fakeHubEnv serves the tiny test checkpoints (testenv.TinyGrid) from a
// fake hub and points the environment's hub settings at it and at an empty
// cache. It returns the sample data folder every clone carries.
func fakeHubEnv(t *testing.T) (data string) {
	t.Helper()
	fixtures := testenv.TinyGrid(t)
	data = testenv.SampleData(t)
	server := hubtest.Start(t, fixtures, "EleutherAI")
	t.Setenv("HF_ENDPOINT", server.URL)
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")
	return data
}

func TestRunFetchTablesCommands(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	args := []string{"run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text",
		"-chunks", "2", "-data-dir", data, "-out", out}
	code, stdout, stderr := run(t, args...)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	cell := filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json")
	if _, err := os.Stat(cell); err != nil {
		matches, _ := filepath.Glob(filepath.Join(out, "*", "*", "*", "*.json"))
		t.Fatalf("no cell file %s; files: %v", cell, matches)
	}
	if !strings.Contains(stdout, "1 cells (1 computed now, 0 from earlier runs)") || !strings.Contains(stdout, "tokens/s") {
		t.Errorf("run output:\n%s", stdout)
	}
	c, err := results.ReadCell(cell)
	if err != nil {
		t.Fatal(err)
	}
	if c.Chunks != 2 || c.Checkpoint.Repo != "EleutherAI/pythia-tiny-16" || c.Protocol.Options["float16"] != false {
		t.Errorf("cell %+v", c)
	}
	// Again: nothing to compute.
	if code, stdout, stderr = run(t, args...); code != exitOK || !strings.Contains(stdout, "0 computed now, 1 from earlier runs") {
		t.Errorf("rerun: exit %d\n%s%s", code, stdout, stderr)
	}
	// The same folder with another chunk count is refused, not mixed.
	bad := append(append([]string(nil), args...), "-chunks", "3")
	if code, _, stderr = run(t, bad...); code != exitFail || !strings.Contains(stderr, "another setup (chunk count 2 there, 3 now)") {
		t.Errorf("rerun with other chunks: exit %d\n%s", code, stderr)
	}

	code, stdout, stderr = run(t, "fetch", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000,2000")
	if code != exitOK || !strings.Contains(stdout, "pythia-tiny-16@step2000") || !strings.Contains(stdout, "weights sha256") {
		t.Errorf("fetch: exit %d\n%s%s", code, stdout, stderr)
	}

	figDir := t.TempDir()
	if code, stdout, stderr = run(t, "figures", "-o", figDir, filepath.Join(out, "seed")); code != exitOK {
		t.Errorf("figures on the run's table: exit %d\n%s%s", code, stdout, stderr)
	}
	if pngs, _ := filepath.Glob(filepath.Join(figDir, "*.png")); len(pngs) == 0 {
		t.Errorf("figures wrote no PNG into %s", figDir)
	}

	tablesDir := t.TempDir()
	code, stdout, stderr = run(t, "tables", "-paper", testenv.Expected(t), "-out", tablesDir, filepath.Join(out, "seed"))
	if code != exitOK || !strings.Contains(stdout, "Table 2 (text)") || !strings.Contains(stdout, "text: 0 of 25 cells computed") {
		t.Errorf("tables: exit %d\n%s%s", code, stdout, stderr)
	}
	// -out: all tables in one CSV, the same as the run wrote beside its cells.
	got, err1 := os.ReadFile(filepath.Join(tablesDir, tablesFile))
	want, err2 := os.ReadFile(filepath.Join(out, "seed", tablesFile))
	if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
		t.Errorf("tables -out wrote %s (%v) unlike the run's (%v):\n%s\nwant\n%s", tablesFile, err1, err2, got, want)
	}
}

func TestModelErrors(t *testing.T) {
	data := fakeHubEnv(t)
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"run", "-models", "7m"}, exitUsage, `unknown model "7m"`},
		{[]string{"run", "-models", "70m", "-steps", "main"}, exitUsage, "not a Pythia step branch"},
		{[]string{"run", "-protocol", "gzip", "-data-dir", data, "-chunks", "1", "-modalities", "text"}, exitUsage, `unknown protocol "gzip"`},
		{[]string{"fetch", "-models", "EleutherAI/pythia-tiny-16", "-steps", "999"}, exitFail, `no revision "step999"`},
		{[]string{"fetch", "-models", "EleutherAI/pythia-tiny-99", "-steps", "1000"}, exitFail, "EleutherAI/pythia-tiny-99 not found"},
		{[]string{"run", "-model-dir", t.TempDir(), "-step", "1000", "-data-dir", data, "-chunks", "1", "-modalities", "text"}, exitFail, "needs config.json"},
		{[]string{"run", "-model-dir", t.TempDir(), "-data-dir", data, "-chunks", "1", "-modalities", "text"}, exitUsage, "-step: give the training step"},
		{[]string{"run", "-batch", "0", "-data-dir", data}, exitUsage, "-batch must be at least 1, got 0"},
		{[]string{"run", "-batch", "-3", "-data-dir", data}, exitUsage, "-batch must be at least 1, got -3"},
		{[]string{"run", "-out", "/proc/no-such-place/results", "-data-dir", data, "-chunks", "1", "-modalities", "text"}, exitFail, "output folder"},
		{[]string{"decompress", "/nonexistent.txt"}, exitUsage, "-o"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tt.args, code, stderr, tt.code, tt.says)
		}
	}
	// A broken checkpoint is named once, not "loading X: loading X:".
	broken := filepath.Join(t.TempDir(), "broken", "step5")
	copyCheckpoint(t, testenv.TinyCheckpoint(t, "pythia-tiny-16", "step1000"), broken)
	if err := os.WriteFile(filepath.Join(broken, "model.safetensors"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "-model-dir", broken, "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", t.TempDir())
	if code != exitFail || strings.Count(stderr, "loading "+broken) != 1 || !strings.Contains(stderr, "model.safetensors: reading header length") {
		t.Errorf("run on broken weights: exit %d\n%s\nwant the folder named once and the file's fault", code, stderr)
	}

	t.Setenv("HF_HUB_OFFLINE", "1")
	code, _, stderr = run(t, "fetch", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000")
	if code != exitFail || !strings.Contains(stderr, "HF_HUB_OFFLINE") || !strings.Contains(stderr, "fetch -models EleutherAI/pythia-tiny-16 -steps step1000") {
		t.Errorf("offline fetch of an uncached checkpoint: exit %d\n%s", code, stderr)
	}
}

func TestChunksCommand(t *testing.T) {
	data := testenv.Shared(t, "data")
	dest := filepath.Join(t.TempDir(), "patches.bin")
	code, stdout, stderr := run(t, "chunks", "-modality", "image", "-count", "64", "-data-dir", data, "-out", dest)
	if code != exitOK {
		t.Fatalf("chunks: exit %d\n%s", code, stderr)
	}
	got, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(testenv.Shared(t, "fixtures", "patches", "random-crop-seed0-first64.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) || !strings.Contains(stdout, "64 image chunks of 2048 bytes (rule random-crop") {
		t.Errorf("chunks wrote %d bytes (fixture %d, equal %v); output %q", len(got), len(want), string(got) == string(want), stdout)
	}
	if code, _, stderr := run(t, "chunks", "-modality", "image"); code != exitUsage || !strings.Contains(stderr, "-o") {
		t.Errorf("chunks without -o: exit %d %q", code, stderr)
	}
}

func TestCompressDecompressCommands(t *testing.T) {
	data := fakeHubEnv(t)
	dir := t.TempDir()
	original := []byte("The quick brown fox jumps over the lazy dog.\n\x00\xff\x80 bytes above 127 too\n")
	input := filepath.Join(dir, "note.txt")
	if err := os.WriteFile(input, original, 0o644); err != nil {
		t.Fatal(err)
	}
	model := []string{"-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-data-dir", data}
	code, stdout, stderr := run(t, append(append([]string{"compress"}, model...), input)...)
	if code != exitOK || !strings.Contains(stdout, "note.txt.prz") || !strings.Contains(stdout, "coder overhead") {
		t.Fatalf("compress: exit %d\n%s%s", code, stdout, stderr)
	}
	packed := input + compressedSuffix
	restored := filepath.Join(dir, "restored.txt")
	code, _, stderr = run(t, append(append([]string{"decompress"}, model...), "-o", restored, packed)...)
	if code != exitOK {
		t.Fatalf("decompress: exit %d\n%s", code, stderr)
	}
	got, err := os.ReadFile(restored)
	if err != nil || string(got) != string(original) {
		t.Errorf("round trip: %q, %v; want %q", got, err, original)
	}
	for _, name := range []string{packed, restored} {
		if info, err := os.Stat(name); err != nil || info.Mode().Perm()&0o044 == 0 {
			t.Errorf("%s: %v, mode %v: outputs are readable by others", name, err, info.Mode())
		}
	}
	other := []string{"decompress", "-models", "EleutherAI/pythia-tiny-16", "-steps", "2000", "-data-dir", data, "-f", "-o", restored, packed}
	if code, _, stderr = run(t, other...); code != exitFail || !strings.Contains(stderr, "model mismatch") {
		t.Errorf("decompress with another checkpoint: exit %d\n%s", code, stderr)
	}
	tokenizer, err := os.ReadFile(filepath.Join(data, "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "edited.json")
	if err := os.WriteFile(edited, append(tokenizer, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	otherTokenizer := append(append([]string{"decompress", "-tokenizer", edited, "-f", "-o", restored}, model...), packed)
	if code, _, stderr = run(t, otherTokenizer...); code != exitFail || !strings.Contains(stderr, "tokenizer mismatch") || strings.Contains(stderr, "corrupt") {
		t.Errorf("decompress with another tokenizer: exit %d\n%s", code, stderr)
	}

	// Outputs are checked before any model is fetched: these name a model
	// the hub does not have, so only the output check can answer.
	keep := filepath.Join(dir, "keep")
	if err := os.WriteFile(keep, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	keepPacked := keep + compressedSuffix
	if err := os.WriteFile(keepPacked, []byte("anything"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := []string{"-models", "EleutherAI/pythia-tiny-99", "-steps", "1000", "-data-dir", data}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"compress over an existing output", []string{"compress", input}, "exists: give -f"},
		{"compress over its input", []string{"compress", "-o", input, input}, "is an input"},
		{"compress over its input, forced", []string{"compress", "-f", "-o", input, input}, "is an input"},
		{"compress into a missing folder", []string{"compress", "-o", filepath.Join(dir, "missing", "x.prz"), input}, "missing"},
		{"decompress over an existing file", []string{"decompress", keepPacked}, "keep exists: give -f"},
		{"decompress over its input", []string{"decompress", "-f", "-o", keepPacked, keepPacked}, "is an input"},
	} {
		args := append(append([]string{tc.args[0]}, missing...), tc.args[1:]...)
		code, _, stderr := run(t, args...)
		if code != exitUsage && code != exitFail || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "not found") {
			t.Errorf("%s: exit %d\n%s\nwant a refusal saying %q before the model is fetched", tc.name, code, stderr, tc.want)
		}
	}
	for name, want := range map[string]string{input: string(original), keep: "precious", keepPacked: "anything"} {
		if got, err := os.ReadFile(name); err != nil || string(got) != want {
			t.Errorf("%s changed: %q, %v", name, got, err)
		}
	}
}

// copyCheckpoint copies a fixture checkpoint folder's files to dst.
func copyCheckpoint(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"config.json", "model.safetensors"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestREADMELocalModelExample runs the README's local-checkpoint example
// (kept to one text chunk) and then tables, figures and fit on its folder:
// a model named after the user's choice has its parameter count from its
// config and goes through every command. Running it again with other
// weights or another tokenizer under the same name is refused, naming what
// differs, before any work.
func TestREADMELocalModelExample(t *testing.T) {
	data := testenv.SampleData(t)
	fixtures := testenv.TinyGrid(t)
	expected := testenv.Expected(t)
	work := t.TempDir()
	t.Chdir(work)
	copyCheckpoint(t, filepath.Join(fixtures, "pythia-tiny-16", "step1000"), "my-neox")
	copyCheckpoint(t, filepath.Join(fixtures, "pythia-tiny-32", "step1000"), "other-neox")
	tokenizer, err := os.ReadFile(filepath.Join(data, "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("tokenizer.json", tokenizer, 0o644); err != nil {
		t.Fatal(err)
	}
	// The same tokenizer with other bytes (a trailing newline), hence
	// another sha256.
	if err := os.WriteFile("edited.json", append(tokenizer, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	example := []string{"run", "-model-dir", "./my-neox", "-model-name", "mine", "-step", "5000", "-tokenizer", "tokenizer.json"}
	small := []string{"-modalities", "text", "-chunks", "1", "-data-dir", data}
	code, stdout, stderr := run(t, append(example, small...)...)
	if code != exitOK || !strings.Contains(stdout, "1 cells (1 computed now") {
		t.Fatalf("the README example: exit %d\n%s%s", code, stdout, stderr)
	}
	cell, err := results.ReadCell(filepath.Join("results", "seed", "mine", "step5000", "text.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cell.Params != 1616320 || cell.Tokenizer.SHA256 == "" || cell.Protocol.ComputeDType != "float32" {
		t.Errorf("cell params %g (want pythia-tiny-16's 1616320 from its config), tokenizer %+v, dtype %q", cell.Params, cell.Tokenizer, cell.Protocol.ComputeDType)
	}
	folder := filepath.Join("results", "seed")
	if code, stdout, stderr = run(t, "figures", "-o", "figs", folder); code != exitOK || !strings.Contains(stdout, "scaling_text.png") {
		t.Errorf("figures on the example's results: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr = run(t, "tables", "-paper", expected, folder); code != exitOK || !strings.Contains(stdout, "text: 0 of 25 cells computed") {
		t.Errorf("tables on the example's results: exit %d\n%s%s", code, stdout, stderr)
	}
	// One cell cannot be fitted, and fit says so (not "unknown model").
	if code, _, stderr = run(t, "fit", "-paper", "", folder); code != exitFail || !strings.Contains(stderr, "need at least 6") {
		t.Errorf("fit on one cell: exit %d\n%s", code, stderr)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"other weights", []string{"run", "-model-dir", "./other-neox", "-model-name", "mine", "-step", "5000", "-tokenizer", "tokenizer.json"}, "another setup (weights sha256 "},
		{"other tokenizer", []string{"run", "-model-dir", "./my-neox", "-model-name", "mine", "-step", "5000", "-tokenizer", "edited.json"}, "another setup (tokenizer sha256 "},
	} {
		code, stdout, stderr := run(t, append(tc.args, small...)...)
		if code != exitFail || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "mine/step5000/text.json") {
			t.Errorf("%s under the same name: exit %d\n%s%s\nwant a refusal saying %q", tc.name, code, stdout, stderr, tc.want)
		}
	}
}

// TestRunComputeFlags: a bad -dtype or -batch is a usage error naming the
// flag, before anything is fetched or read; a good -dtype is recorded in
// the cell.
func TestRunComputeFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown dtype", []string{"-dtype", "fp8"}, []string{"-dtype", `unknown compute dtype "fp8"`, "float32, bfloat16 or float16"}},
		{"negative batch", []string{"-batch", "-3"}, []string{"-batch must be at least 1, got -3"}},
		{"zero batch", []string{"-batch", "0"}, []string{"-batch must be at least 1, got 0"}},
		{"batch too large for memory", []string{"-batch", "100000000"}, []string{"-batch 100000000 is too large", "pythia-70m", "use -batch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "-models", "70m", "-steps", "1000", "-data-dir", t.TempDir(), "-out", t.TempDir()}, tc.args...)
			code, _, stderr := run(t, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (usage)\n%s", code, exitUsage, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	data := fakeHubEnv(t)
	out := t.TempDir()
	code, _, stderr := run(t, "run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text",
		"-chunks", "1", "-data-dir", data, "-out", out, "-dtype", "bfloat16", "-batch", "1")
	if code != exitOK {
		t.Fatalf("run -dtype bfloat16: exit %d\n%s", code, stderr)
	}
	c, err := results.ReadCell(filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Protocol.ComputeDType != "bfloat16" {
		t.Errorf("cell records compute dtype %q, want bfloat16", c.Protocol.ComputeDType)
	}
}
