package grid

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestReadStatus(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Batches of 3: text's 10 chunks take 4 calls; the 6th call (image's
	// second batch) cancels, leaving image 6 of 7 chunks saved.
	engine := &fakeEngine{cancelAfter: 6, cancel: cancel}
	runner := &Runner{Engine: engine, Sources: sources(), Out: out, BatchSize: 3}
	if _, err := runner.Run(ctx, cks); err == nil {
		t.Fatal("the cancelled run did not stop")
	}
	protocol := engine.Protocol()
	path := func(step int, modality string) string {
		return cellPath(out, protocol, "pythia-70m", step, modality)
	}
	// A dead worker's lock on the interrupted cell, a live one on a cell
	// not started yet.
	dead := startHolder(t, path(1000, "image"))
	dead.cmd.Process.Kill()
	dead.cmd.Wait()
	live := startHolder(t, path(2000, "text"))
	if dead.line != "locked" || live.line != "locked" {
		t.Fatalf("helpers: %q, %q", dead.line, live.line)
	}
	done, err := results.ReadCell(path(1000, "text"))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := readPartial(partialPath(path(1000, "image")))
	if err != nil {
		t.Fatal(err)
	}
	savedTokens, savedSeconds := 0, 0.0
	for _, r := range saved.done {
		savedTokens += r.Tokens
		savedSeconds += r.Seconds
	}

	grid := &StatusGrid{Protocol: protocol, Checkpoints: cks, Modalities: []string{"text", "image"}, Chunks: 10, Shards: 3}
	for _, dir := range []string{out, filepath.Join(out, protocol.Label())} {
		st, err := ReadStatus(dir, grid)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			name   string
			state  CellState
			chunks int
			owner  int
		}
		var got []row
		for _, c := range st.Cells {
			r := row{c.Name(), c.State, c.Chunks, 0}
			if c.Owner != nil {
				r.owner = c.Owner.PID
			}
			got = append(got, r)
		}
		want := []row{
			{"pythia-70m step 1000 text", CellDone, 10, 0},
			{"pythia-70m step 1000 image", CellInterrupted, 6, dead.cmd.Process.Pid},
			{"pythia-70m step 2000 text", CellRunning, 0, live.cmd.Process.Pid},
			{"pythia-70m step 2000 image", CellMissing, 0, 0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ReadStatus(%s):\n got %v\nwant %v", dir, got, want)
		}
		tokens, seconds := st.Spent()
		if tokens != done.Tokens+savedTokens || seconds != done.WallSeconds+savedSeconds || savedTokens == 0 {
			t.Errorf("spent %d tokens %.3g s, want %d+%d tokens %.3g+%.3g s", tokens, seconds, done.Tokens, savedTokens, done.WallSeconds, savedSeconds)
		}
		shards := AssignShards(cks, []int{10, 10}, 3)
		var wantShards []int // the shards of every cell but the done one
		for k, s := range shards {
			if k != 0 && !slices.Contains(wantShards, s) {
				wantShards = append(wantShards, s)
			}
		}
		slices.Sort(wantShards)
		if got := st.UnfinishedShards(); !reflect.DeepEqual(got, wantShards) {
			t.Errorf("unfinished shards %v, want %v (split %v)", got, wantShards, shards)
		}
	}

	// Without the grid: the same four cells, inferred from the files.
	st, err := ReadStatus(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := []int{st.Count(CellMissing), st.Count(CellInterrupted), st.Count(CellRunning), st.Count(CellDone)}
	if !reflect.DeepEqual(counts, []int{1, 1, 1, 1}) || len(st.Cells) != 4 || st.Cells[0].Name() != "pythia-70m step 1000 text" || st.Cells[3].Name() != "pythia-70m step 2000 image" {
		t.Errorf("inferred status %+v (missing, interrupted, running, done: %v)", st.Cells, counts)
	}
	if st.UnfinishedShards() != nil {
		t.Errorf("shards without a grid: %v", st.UnfinishedShards())
	}

	if _, err := ReadStatus(filepath.Join(out, "nothing-here"), nil); err == nil {
		t.Error("status of a missing folder: no error")
	}
}
