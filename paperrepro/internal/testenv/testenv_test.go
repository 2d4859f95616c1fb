package testenv

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestRepoRootHoldsGoMod(t *testing.T) {
	if _, err := os.Stat(filepath.Join(RepoRoot(t), "go.mod")); err != nil {
		t.Fatalf("RepoRoot has no go.mod: %v", err)
	}
}

// recorder captures whether Unavailable skipped or failed.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		ci                    string
		wantSkip, wantFailure bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "true", wantFailure: true},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			Unavailable(r, "missing %s", "x")
			if r.skipped != tc.wantSkip || r.failed != tc.wantFailure {
				t.Errorf("skipped=%v failed=%v, want skipped=%v failed=%v", r.skipped, r.failed, tc.wantSkip, tc.wantFailure)
			}
		})
	}
}

func TestCSVRecords(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		want          []map[string]string
		wantFailure   bool
	}{
		{name: "records", content: "model,step\npythia-70m,1000\npythia-1b,8000\n",
			want: []map[string]string{{"model": "pythia-70m", "step": "1000"}, {"model": "pythia-1b", "step": "8000"}}},
		{name: "header only", content: "model,step\n", want: []map[string]string{}},
		{name: "ragged row", content: "model,step\npythia-70m\n", wantFailure: true},
		{name: "empty file", content: "", wantFailure: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			r := &recorder{TB: t}
			got := CSVRecords(r, path)
			if r.failed != tc.wantFailure {
				t.Fatalf("failed=%v, want %v", r.failed, tc.wantFailure)
			}
			if !tc.wantFailure && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSampleDataStartsLikeShared: the sample's text is a prefix of the
// shared enwik8 and its utterances are the shared sample's first two in
// file-name order, unchanged, so that expected numbers hold for both.
func TestSampleDataStartsLikeShared(t *testing.T) {
	sample := SampleData(t)
	shared := Shared(t, "data")
	text := readFile(t, filepath.Join(sample, "enwik8", "enwik8.prefix"))
	if full := readFile(t, filepath.Join(shared, "enwik8", "enwik8.prefix")); len(text) != 128*2048 || !bytes.HasPrefix(full, text) {
		t.Errorf("the sample's enwik8 (%d bytes) is not the first 128 chunks of the shared one", len(text))
	}
	all, err := os.ReadDir(filepath.Join(shared, "librispeech-sample"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(all))
	for i, e := range all {
		names[i] = e.Name()
	}
	sort.Strings(names)
	ours, err := filepath.Glob(filepath.Join(sample, "librispeech-sample", "*.flac"))
	if err != nil || len(ours) != 2 {
		t.Fatalf("the sample has %d utterances (%v), want 2", len(ours), err)
	}
	for i, path := range ours {
		if filepath.Base(path) != names[i] || !bytes.Equal(readFile(t, path), readFile(t, filepath.Join(shared, "librispeech-sample", names[i]))) {
			t.Errorf("the sample's utterance %d is %s, not the shared sample's %s", i, filepath.Base(path), names[i])
		}
	}
	if tok := readFile(t, filepath.Join(sample, "tokenizer", "tokenizer.json")); !bytes.Equal(tok, readFile(t, filepath.Join(shared, "tokenizer", "tokenizer.json"))) {
		t.Error("the sample's tokenizer differs from the shared one")
	}
}

// TestTinyGridMatchesItsSums writes the tiny grid: every file has the
// sha256 its expected numbers were computed on (TinyGrid fails otherwise),
// and a changed, missing or extra file is caught.
func TestTinyGridMatchesItsSums(t *testing.T) {
	dir := TinyGrid(t)
	sums := Testdata(t, "pythia-tiny", "SHA256SUMS")
	written := map[string][]byte{}
	for name := range tinyFiles(t) {
		written[name] = readFile(t, filepath.Join(dir, filepath.FromSlash(name)))
	}
	if err := checkSums(written, sums); err != nil || len(written) != 8 {
		t.Fatalf("the %d files TinyGrid wrote: %v", len(written), err)
	}
	const weights = "pythia-tiny-32/step2000/model.safetensors"
	for _, tc := range []struct {
		name, says string
		edit       func(files map[string][]byte)
	}{
		{"changed", weights + " has sha256", func(files map[string][]byte) {
			files[weights] = append([]byte(nil), files[weights]...)
			files[weights][len(files[weights])-1] ^= 1
		}},
		{"missing", "lists " + weights + ", which was not written", func(files map[string][]byte) { delete(files, weights) }},
		{"extra", "9 files written", func(files map[string][]byte) { files["pythia-tiny-32/step2000/extra.json"] = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := maps.Clone(written)
			tc.edit(files)
			if err := checkSums(files, sums); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%v, want an error saying %q", err, tc.says)
			}
		})
	}
	one := TinyCheckpoint(t, "pythia-tiny-16", "step1000")
	if got := readFile(t, filepath.Join(one, "model.safetensors")); !bytes.Equal(got, written["pythia-tiny-16/step1000/model.safetensors"]) {
		t.Errorf("TinyCheckpoint wrote other weights than TinyGrid")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
