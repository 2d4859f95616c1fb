package grid

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		text string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"3/4", Shard{3, 4}, ""},
		{" 2 / 8 ", Shard{2, 8}, ""},
		{"3/2", Shard{}, "shards of 2 are numbered 0 to 1"},
		{"2/2", Shard{}, "shards of 2 are numbered 0 to 1"},
		{"-1/2", Shard{}, "shards of 2 are numbered 0 to 1"},
		{"0/0", Shard{}, "number of shards must be at least 1, got 0"},
		{"a/b", Shard{}, "want i/n"},
		{"1", Shard{}, "want i/n"},
		{"1/2/3", Shard{}, "want i/n"},
		{"", Shard{}, "want i/n"},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.text)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseShard(%q) = %v, %v; want %v", tt.text, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.text)) {
			t.Errorf("ParseShard(%q) error %v; want one naming the input and saying %q", tt.text, err, tt.err)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Shard
		ok   bool
		err  string
	}{
		{"not an array task", map[string]string{"SLURM_JOB_ID": "7"}, Shard{}, false, ""},
		{"--array=0-3", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "1"}, Shard{2, 4}, true, ""},
		{"--array=1-4", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{0, 4}, true, ""},
		{"--array=10-16:3", map[string]string{"SLURM_ARRAY_TASK_ID": "16", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_STEP": "3"}, Shard{2, 3}, true, ""},
		{"--array=1,5,7", map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{}, false, "pass -shard 5/N"},
		{"no count", map[string]string{"SLURM_ARRAY_TASK_ID": "5"}, Shard{}, false, "SLURM_ARRAY_TASK_COUNT"},
		{"garbage id", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{}, false, `SLURM_ARRAY_TASK_ID="x" is not a whole number`},
	}
	for _, tt := range tests {
		got, ok, err := ShardFromEnv(func(k string) string { return tt.env[k] })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("%s: got %v, %v, %v; want %v, %v", tt.name, got, ok, err, tt.want, tt.ok)
		}
	}
}

// paperCheckpoints is the paper's 5 x 5 grid of checkpoints.
func paperCheckpoints() []Checkpoint {
	var cks []Checkpoint
	for _, m := range []string{"pythia-70m", "pythia-160m", "pythia-410m", "pythia-1b", "pythia-1.4b"} {
		for _, s := range []int{1000, 8000, 32000, 128000, 143000} {
			cks = append(cks, Checkpoint{Model: m, Step: s})
		}
	}
	return cks
}

func TestShardsAreDisjointCoveringAndBalanced(t *testing.T) {
	grids := []struct {
		name        string
		checkpoints []Checkpoint
		chunks      []int
	}{
		{"paper", paperCheckpoints(), []int{2048, 2048, 2048}},
		{"uneven chunks", paperCheckpoints()[:7], []int{2048, 100, 700}},
		{"unnamed models", []Checkpoint{{Model: "mine"}, {Model: "pythia-tiny-16"}, {Model: "pythia-1b"}}, []int{16}},
	}
	for _, g := range grids {
		sizes := modelSizes(g.checkpoints)
		cost := func(k int) float64 { return sizes[k/len(g.chunks)] * float64(g.chunks[k%len(g.chunks)]) }
		cells := len(g.checkpoints) * len(g.chunks)
		for _, n := range []int{1, 2, 3, 4, 7, 25, cells, cells + 5} {
			owners := make([]int, cells)
			for k := range owners {
				owners[k] = -1
			}
			load := make([]float64, n)
			for i := range n {
				for k, mine := range (Shard{i, n}).Cells(g.checkpoints, g.chunks) {
					if !mine {
						continue
					}
					if owners[k] != -1 {
						t.Fatalf("%s, %d shards: cell %d in shards %d and %d", g.name, n, k, owners[k], i)
					}
					owners[k] = i
					load[i] += cost(k)
				}
			}
			maxCost := 0.0
			for k, o := range owners {
				if o == -1 {
					t.Fatalf("%s, %d shards: cell %d in no shard", g.name, n, k)
				}
				maxCost = max(maxCost, cost(k))
			}
			lo, hi := load[0], load[0]
			for _, l := range load {
				lo, hi = min(lo, l), max(hi, l)
			}
			if hi-lo > maxCost*(1+1e-12) {
				t.Errorf("%s, %d shards: loads from %.3g to %.3g differ by more than the costliest cell (%.3g)", g.name, n, lo, hi, maxCost)
			}
			if again := AssignShards(g.checkpoints, g.chunks, n); !reflect.DeepEqual(again, AssignShards(g.checkpoints, g.chunks, n)) {
				t.Errorf("%s, %d shards: two splits differ", g.name, n)
			}
		}
	}
}

func TestShardsBalanceCostNotCount(t *testing.T) {
	cks := []Checkpoint{{Model: "pythia-1b", Step: 1000}, {Model: "pythia-70m", Step: 1000}}
	// Three 1b cells and three 70m cells in two shards: the 1b cells go
	// two and one, and all the small ones join the lighter shard.
	got := AssignShards(cks, []int{64, 64, 64}, 2)
	want := []int{0, 1, 0, 1, 1, 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AssignShards = %v, want %v", got, want)
	}
	whole := (Shard{}).Cells(cks, []int{64, 64, 64})
	if !reflect.DeepEqual(whole, []bool{true, true, true, true, true, true}) {
		t.Errorf("the zero shard holds %v, want every cell", whole)
	}
}

func TestShardedRunsTogetherEqualOneRun(t *testing.T) {
	cks := manyCheckpoints(t, 5)
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir(), BatchSize: 4}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	const n = 3
	var merged []*results.Cell
	for i := range n {
		shard := Shard{Index: i, Count: n}
		got, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out, BatchSize: 4, Shard: shard}).Run(context.Background(), cks)
		if err != nil {
			t.Fatal(err)
		}
		mine := 0
		for _, m := range shard.Cells(cks, []int{10, 7}) {
			if m {
				mine++
			}
		}
		if got.Computed != mine || len(got.Cells) != mine || got.Reused != 0 {
			t.Errorf("shard %v: computed %d of %d cells, %d in the summary; want its %d", shard, got.Computed, len(want.Cells), len(got.Cells), mine)
		}
		merged = append(merged, got.Cells...)
	}
	all, err := results.ReadCells(out)
	if err != nil {
		t.Fatal(err)
	}
	sortCells(merged)
	sortCells(all)
	wantCells := slices.Clone(want.Cells)
	sortCells(wantCells)
	if !reflect.DeepEqual(withoutTimes(merged), withoutTimes(wantCells)) || !reflect.DeepEqual(withoutTimes(all), withoutTimes(wantCells)) {
		t.Errorf("the shards' cells differ from one run's")
	}
	// A shard run again finds its cells done; the whole grid then too.
	again, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out, Shard: Shard{1, n}}).Run(context.Background(), cks)
	if err != nil || again.Computed != 0 {
		t.Errorf("shard 1 again: %v, computed %d", err, again.Computed)
	}
	whole, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out}).Run(context.Background(), cks)
	if err != nil || whole.Computed != 0 || whole.Reused != len(want.Cells) {
		t.Errorf("the whole grid after its shards: %v, computed %d reused %d", err, whole.Computed, whole.Reused)
	}
}

// sortCells sorts cells by model, step and modality, as the path order of
// results.ReadCells does not follow the grid's.
func sortCells(cells []*results.Cell) {
	slices.SortFunc(cells, func(a, b *results.Cell) int {
		return strings.Compare(fmt.Sprintf("%s %06d %s", a.Model, a.Step, a.Modality), fmt.Sprintf("%s %06d %s", b.Model, b.Step, b.Modality))
	})
}

// manyCheckpoints writes n local checkpoint folders with different weights,
// as steps 1000, 2000, ... of pythia-70m.
func manyCheckpoints(t *testing.T, n int) []Checkpoint {
	t.Helper()
	var cks []Checkpoint
	for i := range n {
		dir := t.TempDir()
		for name, data := range map[string]string{"config.json": "{}", "model.safetensors": strings.Repeat("w", i+1)} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cks = append(cks, Checkpoint{Model: "pythia-70m", Step: 1000 * (i + 1), Dir: dir})
	}
	return cks
}

func TestShardedRunRefusesAFolderOfAnotherSetup(t *testing.T) {
	cks := manyCheckpoints(t, 4)
	out := t.TempDir()
	if _, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out, Shard: Shard{0, 2}}).Run(context.Background(), cks); err != nil {
		t.Fatal(err)
	}
	// Shard 1 with another chunk count finds shard 0's cells in the folder:
	// refused, though none of them is its own.
	other := []datasets.Source{newMemSource("text", 9, 1), newMemSource("image", 7, 3)}
	engine := &fakeEngine{}
	_, err := (&Runner{Engine: engine, Sources: other, Out: out, Shard: Shard{1, 2}}).Run(context.Background(), cks)
	if err == nil || !strings.Contains(err.Error(), "was computed with another setup (chunk count 10 there, 9 now)") || engine.opens != 0 {
		t.Errorf("shard 1 of another setup: %v after opening %d checkpoints; want a refusal before any", err, engine.opens)
	}
}

// TestRunRefusesAShardThatDoesNotExist: a Runner given a malformed Shard
// (the command line's ParseShard refuses these too) says so, instead of
// computing nothing or panicking.
func TestRunRefusesAShardThatDoesNotExist(t *testing.T) {
	cks := manyCheckpoints(t, 2)
	for _, shard := range []Shard{{5, 2}, {-1, 2}, {0, -3}, {1, 0}} {
		engine := &fakeEngine{}
		_, err := (&Runner{Engine: engine, Sources: sources(), Out: t.TempDir(), Shard: shard}).Run(context.Background(), cks)
		if err == nil || !strings.Contains(err.Error(), "shard") || engine.opens != 0 {
			t.Errorf("Shard %+v: %v after opening %d checkpoints; want a refusal before any", shard, err, engine.opens)
		}
	}
}
