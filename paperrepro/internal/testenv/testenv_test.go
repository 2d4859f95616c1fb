package testenv

import (
	"os"
	"path/filepath"
	"reflect"
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
