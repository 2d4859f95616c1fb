package grid

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
)

// memSource is a stand-in modality: seeded random chunks.
type memSource struct {
	modality string
	chunks   [][]byte
	rule     string
}

func newMemSource(modality string, n int, seed uint64) *memSource {
	rng := rand.New(rand.NewPCG(seed, 0))
	s := &memSource{modality: modality, rule: "test"}
	for range n {
		chunk := make([]byte, 64)
		for i := range chunk {
			chunk[i] = byte(rng.IntN(256))
		}
		s.chunks = append(s.chunks, chunk)
	}
	return s
}

func (s *memSource) Modality() string            { return s.modality }
func (s *memSource) NumChunks() int              { return len(s.chunks) }
func (s *memSource) ChunkSize() int              { return 64 }
func (s *memSource) Chunk(i int) ([]byte, error) { return append([]byte(nil), s.chunks[i]...), nil }
func (s *memSource) Provenance() datasets.Provenance {
	return datasets.Provenance{Modality: s.modality, Rule: s.rule, ChunkSize: 64, Count: len(s.chunks),
		Root: "/somewhere", Files: []datasets.FileRecord{{Path: s.modality + ".bin", SHA256: strings.Repeat("ab", 32), Bytes: 64}}}
}

// fakeEngine scores a chunk by a pure function of its bytes and the weights'
// sum, so every run of a cell gives the same numbers; a chunk starting with
// a byte below 64 is "dropped".
type fakeEngine struct {
	opens, scores int
	// cancelAfter > 0 cancels cancel after that many Score calls.
	cancelAfter int
	cancel      context.CancelFunc
}

func (e *fakeEngine) Protocol() ProtocolInfo {
	return ProtocolInfo{Name: "seed", Options: map[string]any{"float16": false}}
}

func (e *fakeEngine) Open(ckpt *hub.Checkpoint) (Session, error) {
	e.opens++
	return &fakeSession{engine: e, salt: float64(ckpt.WeightsSHA256[0])}, nil
}

type fakeSession struct {
	engine *fakeEngine
	salt   float64
}

func (s *fakeSession) Backend() string { return "fake" }
func (s *fakeSession) Params() float64 { return 1234 }
func (s *fakeSession) Close() error    { return nil }
func (s *fakeSession) Score(chunks [][]byte) ([]ChunkResult, error) {
	s.engine.scores++
	if s.engine.cancelAfter > 0 && s.engine.scores == s.engine.cancelAfter {
		s.engine.cancel()
	}
	var out []ChunkResult
	for _, c := range chunks {
		bits := s.salt
		for _, b := range c {
			bits += float64(b) / 7
		}
		out = append(out, ChunkResult{Tokens: len(c) / 2, Bits: bits, CR: bits / float64(8*len(c)), Dropped: c[0] < 64})
	}
	return out, nil
}

// localCheckpoints writes two tiny checkpoint folders with different weights.
func localCheckpoints(t *testing.T) []Checkpoint {
	t.Helper()
	var cks []Checkpoint
	for i, step := range []int{1000, 2000} {
		dir := filepath.Join(t.TempDir(), "ckpt")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string]string{"config.json": "{}", "model.safetensors": strings.Repeat("w", i+1)} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cks = append(cks, Checkpoint{Model: "pythia-70m", Step: step, Dir: dir})
	}
	return cks
}

func sources() []datasets.Source {
	return []datasets.Source{newMemSource("text", 10, 1), newMemSource("image", 7, 3)}
}

// withoutTimes blanks what legitimately differs between runs: timings.
func withoutTimes(cells []*CellResult) []CellResult {
	var out []CellResult
	for _, c := range cells {
		cp := *c
		cp.WallSeconds, cp.TokensPerSecond = 0, 0
		cp.PerChunk = append([]ChunkResult(nil), c.PerChunk...)
		for i := range cp.PerChunk {
			cp.PerChunk[i].Seconds = 0
		}
		out = append(out, cp)
	}
	return out
}

func TestRunWritesOneFilePerCell(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	r := &Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out, BatchSize: 3}
	sum, err := r.Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Computed != 4 || sum.Reused != 0 || len(sum.Cells) != 4 {
		t.Fatalf("computed %d reused %d cells %d, want 4 0 4", sum.Computed, sum.Reused, len(sum.Cells))
	}
	path := filepath.Join(out, "seed", "pythia-70m", "step2000", "image.json")
	cell, err := ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	ckpt, err := hub.LocalDir(cks[1].Dir)
	if err != nil {
		t.Fatal(err)
	}
	if cell.Checkpoint.WeightsSHA256 != ckpt.WeightsSHA256 || cell.Checkpoint.Dir != ckpt.Dir || cell.Backend != "fake" ||
		cell.Protocol.Name != "seed" || cell.Data.Rule != "test" || cell.Params != 70e6 || cell.Step != 2000 {
		t.Errorf("provenance of %s: %+v", path, cell)
	}
	sumCR, kept, dropped, tokens := 0.0, 0, 0, 0
	for i, r := range cell.PerChunk {
		if r.Index != i {
			t.Errorf("chunk %d has index %d", i, r.Index)
		}
		tokens += r.Tokens
		if r.Dropped {
			dropped++
			continue
		}
		sumCR += r.CR
		kept++
	}
	if cell.Chunks != 7 || cell.DroppedChunks != dropped || cell.Tokens != tokens || math.Abs(cell.CR-sumCR/float64(kept)) > 1e-12 {
		t.Errorf("cell totals %d chunks %d dropped %d tokens CR %v; want 7 %d %d %v", cell.Chunks, cell.DroppedChunks, cell.Tokens, cell.CR, dropped, tokens, sumCR/float64(kept))
	}
	if dropped == 0 {
		t.Errorf("the stand-in data should make some chunk dropped, to test the count")
	}
	if !reflect.DeepEqual(withoutTimes([]*CellResult{cell}), withoutTimes(sum.Cells[3:4])) {
		t.Errorf("file and summary differ")
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.partial"))
	if len(leftovers) != 0 {
		t.Errorf("partial files left behind: %v", leftovers)
	}
}

func TestRerunSkipsFinishedCells(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	first, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	engine := &fakeEngine{}
	second, err := (&Runner{Engine: engine, Sources: sources(), Out: out}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if engine.opens != 0 || second.Computed != 0 || second.Reused != 4 {
		t.Errorf("rerun opened %d checkpoints and computed %d cells, want none", engine.opens, second.Computed)
	}
	if !reflect.DeepEqual(first.Cells, second.Cells) {
		t.Errorf("rerun cells differ from the first run's")
	}
}

func TestKilledRunResumesToTheSameResults(t *testing.T) {
	cks := localCheckpoints(t)
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir(), BatchSize: 2}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	for _, cancelAfter := range []int{1, 4, 7, 10} {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		killed := &fakeEngine{cancelAfter: cancelAfter, cancel: cancel}
		_, err := (&Runner{Engine: killed, Sources: sources(), Out: out, BatchSize: 2}).Run(ctx, cks)
		cancel()
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again") {
			t.Fatalf("cancelled after %d batches: %v, want context.Canceled with advice", cancelAfter, err)
		}
		resumed := &fakeEngine{}
		got, err := (&Runner{Engine: resumed, Sources: sources(), Out: out, BatchSize: 2}).Run(context.Background(), cks)
		if err != nil {
			t.Fatal(err)
		}
		// 5 + 4 batches per checkpoint: nothing scored twice, nothing lost.
		if killed.scores+resumed.scores != 18 {
			t.Errorf("cancelled after %d batches: %d + %d batches scored, want 18 in all", cancelAfter, killed.scores, resumed.scores)
		}
		if !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)) {
			t.Errorf("cancelled after %d batches: resumed results differ from an uninterrupted run", cancelAfter)
		}
	}
}

func TestTornPartialFileIsCutAtTheLastCompleteChunk(t *testing.T) {
	cks := localCheckpoints(t)[:1]
	srcs := []datasets.Source{newMemSource("text", 6, 1)}
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: srcs, Out: t.TempDir()}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := (&Runner{Engine: &fakeEngine{cancelAfter: 3, cancel: cancel}, Sources: srcs, Out: out}).Run(ctx, cks); err == nil {
		t.Fatal("cancelled run returned no error")
	}
	partial := filepath.Join(out, "seed", "pythia-70m", "step1000", "text.json.partial")
	data, err := os.ReadFile(partial)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(partial, append(data, `{"index": 3, "tok`...), 0o644); err != nil {
		t.Fatal(err)
	}
	resumed := &fakeEngine{}
	got, err := (&Runner{Engine: resumed, Sources: srcs, Out: out}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.scores != 3 || !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)) {
		t.Errorf("resumed from a torn partial file: %d chunks scored (want 3), equal results %v", resumed.scores,
			reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)))
	}
}

func TestChangedDataIsNotReused(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	if _, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out}).Run(context.Background(), cks); err != nil {
		t.Fatal(err)
	}
	changed := sources()
	changed[0].(*memSource).rule = "other"
	_, err := (&Runner{Engine: &fakeEngine{}, Sources: changed, Out: out}).Run(context.Background(), cks)
	if err == nil || !strings.Contains(err.Error(), "other data or protocol options") || !strings.Contains(err.Error(), "text.json") {
		t.Errorf("rerun with other data: %v, want an error naming the stale file", err)
	}
}

func TestTables(t *testing.T) {
	sum, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir()}).Run(context.Background(), localCheckpoints(t))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := Tables(sum.Cells)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Modality != "text" || tables[1].Modality != "image" {
		t.Fatalf("tables %+v, want text then image", tables)
	}
	for _, table := range tables {
		if err := table.Validate(); err != nil {
			t.Error(err)
		}
		for _, c := range sum.Cells {
			if c.Modality != table.Modality {
				continue
			}
			if cr, ok := table.CR(c.Model, c.Step); !ok || cr != c.CR {
				t.Errorf("%s table: %s step %d = %v, %v; want %v", table.Modality, c.Model, c.Step, cr, ok, c.CR)
			}
		}
	}
	lossless := *sum.Cells[0]
	lossless.Protocol = ProtocolInfo{Name: "lossless"}
	if _, err := Tables(append(sum.Cells, &lossless)); err == nil {
		t.Errorf("tables mixing protocols: no error")
	}
}

func TestParseStep(t *testing.T) {
	for rev, want := range map[string]int{"step1000": 1000, "step0": 0, "step143000": 143000} {
		if got, err := ParseStep(rev); err != nil || got != want {
			t.Errorf("ParseStep(%q) = %d, %v", rev, got, err)
		}
	}
	for _, rev := range []string{"main", "step", "step-1", "1000"} {
		if _, err := ParseStep(rev); err == nil {
			t.Errorf("ParseStep(%q): no error", rev)
		}
	}
}

// TestFilesAreReadableByOthers: result and .partial files get the
// permissions any output gets (0644 under the usual umask), not 0600.
func TestFilesAreReadableByOthers(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := os.Stat(plain)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cks := localCheckpoints(t)
	// Cancelled in the second cell (image of the first checkpoint): the text
	// cell is finished, the image cell has a partial file.
	_, err = (&Runner{Engine: &fakeEngine{cancelAfter: 12, cancel: cancel}, Sources: sources(), Out: out}).Run(ctx, cks)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v, want cancelled", err)
	}
	dir := filepath.Join(out, "seed", "pythia-70m", "step1000")
	for _, name := range []string{"text.json", "image.json.partial"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != want.Mode().Perm() {
			t.Errorf("%s has mode %v, want %v like any output", name, info.Mode().Perm(), want.Mode().Perm())
		}
	}
}
