package grid

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/results"
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
	// A seed parameter (uint64, read back as float64) and an empty list,
	// which a JSON round trip drops: a rerun must still see the same data.
	sum := sha256.Sum256(bytes.Join(s.chunks, nil))
	return datasets.Provenance{Modality: s.modality, Rule: s.rule, ChunkSize: 64, Count: len(s.chunks),
		Parameters: map[string]any{"seed": uint64(3)}, Skipped: []datasets.SkippedFile{},
		Root: "/somewhere", Files: []datasets.FileRecord{{Path: s.modality + ".bin", SHA256: strings.Repeat("ab", 32), Bytes: 64}},
		ChunksSHA256: hex.EncodeToString(sum[:])}
}

// fakeEngine scores a chunk by a pure function of its bytes and the weights'
// sum, so every run of a cell gives the same numbers; a chunk starting with
// a byte below 64 costs so many bits that the seed protocol drops it.
type fakeEngine struct {
	opens, scores, chunks int
	// cancelAfter > 0 cancels cancel after that many Score calls.
	cancelAfter int
	cancel      context.CancelFunc
	// protocol, dtype, tokenizer, backend and engine default to "seed",
	// "float32", a fixed sha256, "fake" and "fake-engine v1".
	protocol, dtype, tokenizer, backend, engine string
	// nanChunk > 0 makes the nanChunk-th chunk scored cost NaN bits.
	nanChunk int
}

func (e *fakeEngine) Protocol() results.ProtocolInfo {
	return results.ProtocolInfo{Name: cmp.Or(e.protocol, "seed"), Options: map[string]any{"float16": false}, ComputeDType: cmp.Or(e.dtype, "float32")}
}

func (e *fakeEngine) Tokenizer(*hub.Checkpoint) (results.TokenizerInfo, error) {
	return results.TokenizerInfo{Path: "tokenizer.json", SHA256: cmp.Or(e.tokenizer, strings.Repeat("7", 64))}, nil
}

func (e *fakeEngine) Open(ckpt *hub.Checkpoint, tok results.TokenizerInfo) (Session, error) {
	e.opens++
	return &fakeSession{engine: e, salt: float64(ckpt.WeightsSHA256[0]) + float64(tok.SHA256[0])}, nil
}

type fakeSession struct {
	engine *fakeEngine
	salt   float64
}

func (s *fakeSession) Backend() string { return cmp.Or(s.engine.backend, "fake") }
func (s *fakeSession) Engine() string  { return cmp.Or(s.engine.engine, "fake-engine v1") }
func (s *fakeSession) Params() float64 { return 1234 }
func (s *fakeSession) Close() error    { return nil }
func (s *fakeSession) Score(chunks [][]byte) ([]results.ChunkResult, error) {
	s.engine.scores++
	if s.engine.cancelAfter > 0 && s.engine.scores == s.engine.cancelAfter {
		s.engine.cancel()
	}
	var out []results.ChunkResult
	for _, c := range chunks {
		bits := s.salt
		for _, b := range c {
			bits += float64(b) / 7
		}
		if c[0] < 64 {
			bits += 8 * float64(len(c)) * protocol.SeedMaxCR // a ratio the seed protocol drops
		}
		if s.engine.chunks++; s.engine.chunks == s.engine.nanChunk {
			bits = math.NaN()
		}
		if s.engine.protocol == ProtocolLossless {
			stream := int(math.Ceil(bits / 8))
			out = append(out, results.ChunkResult{Tokens: len(c) / 2, Bits: bits, CompressedBytes: stream, CR: float64(stream) / float64(len(c)), RoundTrip: true})
			continue
		}
		cr := bits / float64(8*len(c))
		out = append(out, results.ChunkResult{Tokens: len(c) / 2, Bits: bits, CR: cr, Dropped: !(cr > protocol.SeedMinCR && cr < protocol.SeedMaxCR)})
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

// withoutTimes blanks what legitimately differs between runs, timings, and
// gives the cells as JSON, as their files hold them.
func withoutTimes(cells []*results.Cell) []string {
	var out []string
	for _, c := range cells {
		cp := *c
		cp.WallSeconds, cp.TokensPerSecond = 0, 0
		cp.PerChunk = append([]results.ChunkResult(nil), c.PerChunk...)
		for i := range cp.PerChunk {
			cp.PerChunk[i].Seconds = 0
		}
		blob, err := json.Marshal(cp)
		if err != nil {
			panic(err)
		}
		out = append(out, string(blob))
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
	cell, err := results.ReadCell(path)
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
	if !reflect.DeepEqual(withoutTimes([]*results.Cell{cell}), withoutTimes(sum.Cells[3:4])) {
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
	if !reflect.DeepEqual(withoutTimes(first.Cells), withoutTimes(second.Cells)) {
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
	if err == nil || !strings.Contains(err.Error(), "another setup (data rule test there, other now)") || !strings.Contains(err.Error(), "text.json") {
		t.Errorf("rerun with other data: %v, want an error naming the stale file", err)
	}
	// The same files and rule, other bytes (as another decoder would give).
	otherBytes := sources()
	otherBytes[0] = newMemSource("text", 10, 2)
	_, err = (&Runner{Engine: &fakeEngine{}, Sources: otherBytes, Out: out}).Run(context.Background(), cks)
	if err == nil || !strings.Contains(err.Error(), "another setup (chunks sha256 ") {
		t.Errorf("rerun with other chunk bytes: %v, want a refusal naming the chunks' sha256", err)
	}
}

// TestChangedSetupIsNotReused: a finished cell is reused only by a run of
// the same setup; any other run is refused before it scores a chunk, with
// a message naming what differs.
func TestChangedSetupIsNotReused(t *testing.T) {
	cks := localCheckpoints(t)
	otherWeights := localCheckpoints(t)[1]
	otherWeights.Step = cks[0].Step
	otherConfig := cks[0]
	otherConfig.Dir = filepath.Join(t.TempDir(), "ckpt")
	testenv.CopyDir(t, cks[0].Dir, otherConfig.Dir)
	if err := os.WriteFile(filepath.Join(otherConfig.Dir, "config.json"), []byte(`{"layer_norm_eps": 0.5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	oneMore := append(cks, Checkpoint{Model: "pythia-160m", Step: 1000, Dir: cks[0].Dir})
	tests := []struct {
		name   string
		engine *fakeEngine
		cks    []Checkpoint
		batch  int
		want   string
	}{
		{"weights", &fakeEngine{}, []Checkpoint{otherWeights}, 1, "weights sha256 "},
		{"config", &fakeEngine{}, []Checkpoint{otherConfig}, 1, "config.json sha256 44136fa355b3... there, "},
		{"tokenizer", &fakeEngine{tokenizer: strings.Repeat("9", 64)}, cks, 1, "tokenizer sha256 777777777777... there, 999999999999... now"},
		{"compute dtype", &fakeEngine{dtype: "bfloat16"}, cks, 1, "compute dtype float32 there, bfloat16 now"},
		{"backend", &fakeEngine{backend: "xla:cuda"}, oneMore, 1, "backend fake there, xla:cuda now"},
		{"engine", &fakeEngine{engine: "gomlx v9.9.9"}, oneMore, 1, "engine fake-engine v1 there, gomlx v9.9.9 now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if _, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out}).Run(context.Background(), cks); err != nil {
				t.Fatal(err)
			}
			_, err := (&Runner{Engine: tc.engine, Sources: sources(), Out: out, BatchSize: tc.batch}).Run(context.Background(), tc.cks)
			if err == nil || !strings.Contains(err.Error(), "computed with another setup ("+tc.want) || !strings.Contains(err.Error(), ".json") {
				t.Errorf("rerun: %v; want a refusal naming a result file and %q", err, tc.want)
			}
			if tc.engine.scores != 0 {
				t.Errorf("the refused run scored %d batches first", tc.engine.scores)
			}
		})
	}
}

// TestLosslessBatchIsPartOfTheSetup: the lossless protocol codes a batch in
// lockstep, so its cells record the batch size and another is refused.
func TestLosslessBatchIsPartOfTheSetup(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)[:1]
	sum, err := (&Runner{Engine: &fakeEngine{protocol: "lossless"}, Sources: sources(), Out: out, BatchSize: 2}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Cells[0].Protocol.Options["batch_size"]; got != 2 {
		t.Errorf("lossless cell records batch_size %v, want 2", got)
	}
	engine := &fakeEngine{protocol: "lossless"}
	_, err = (&Runner{Engine: engine, Sources: sources(), Out: out, BatchSize: 3}).Run(context.Background(), cks)
	if err == nil || !strings.Contains(err.Error(), "protocol option batch_size 2 there, 3 now") {
		t.Errorf("rerun with batch 3: %v; want a refusal naming batch_size", err)
	}
	seed, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir(), BatchSize: 2}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := seed.Cells[0].Protocol.Options["batch_size"]; ok {
		t.Errorf("seed cells record a batch size, which does not shape their numbers")
	}
}

// TestFolderHoldsOneConfiguration: cells of another chunk count in the same
// protocol folder are refused, even for another checkpoint, and another
// configuration's .partial file is left exactly as it was.
func TestFolderHoldsOneConfiguration(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	if _, err := (&Runner{Engine: &fakeEngine{}, Sources: sources()[:1], Out: out}).Run(context.Background(), cks[:1]); err != nil {
		t.Fatal(err)
	}
	fewer := []datasets.Source{newMemSource("text", 5, 1)}
	engine := &fakeEngine{}
	_, err := (&Runner{Engine: engine, Sources: fewer, Out: out}).Run(context.Background(), cks[1:])
	if err == nil || !strings.Contains(err.Error(), "step1000/text.json was computed with another setup (chunk count 10 there, 5 now)") || engine.opens != 0 {
		t.Errorf("5-chunk run into a 10-chunk folder: %v (opened %d checkpoints); want a refusal before any work", err, engine.opens)
	}

	// An image cell of 7 chunks stopped halfway, then a run of 3 chunks.
	ctx, cancel := context.WithCancel(context.Background())
	image := []datasets.Source{newMemSource("image", 7, 3)}
	if _, err := (&Runner{Engine: &fakeEngine{cancelAfter: 3, cancel: cancel}, Sources: image, Out: out}).Run(ctx, cks[:1]); !errors.Is(err, context.Canceled) {
		t.Fatalf("image run: %v, want cancelled", err)
	}
	partial := filepath.Join(out, "seed", "pythia-70m", "step1000", "image.json.partial")
	before, err := os.ReadFile(partial)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range cks {
		_, err = (&Runner{Engine: &fakeEngine{}, Sources: []datasets.Source{newMemSource("image", 3, 3)}, Out: out}).Run(context.Background(), []Checkpoint{ck})
		if err == nil || !strings.Contains(err.Error(), "image.json.partial holds chunks computed with another setup (chunk count 7 there, 3 now)") {
			t.Errorf("3-chunk run of %s beside a 7-chunk partial: %v; want a refusal naming the partial", ck, err)
		}
	}
	if after, err := os.ReadFile(partial); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the other configuration's partial file changed (%v)", err)
	}
}

// TestNonFiniteCostIsCaughtWhereItArises: a NaN from the model stops the
// run with the chunk named, and nothing non-finite reaches a file.
func TestNonFiniteCostIsCaughtWhereItArises(t *testing.T) {
	out := t.TempDir()
	_, err := (&Runner{Engine: &fakeEngine{nanChunk: 4}, Sources: sources()[:1], Out: out, BatchSize: 2}).Run(context.Background(), localCheckpoints(t)[:1])
	if err == nil || !strings.Contains(err.Error(), "pythia-70m step 1000 text: chunk 3: the model gave a non-finite cost (NaN bits)") {
		t.Fatalf("run with a NaN chunk: %v; want an error naming chunk 3", err)
	}
	data, err := os.ReadFile(filepath.Join(out, "seed", "pythia-70m", "step1000", "text.json.partial"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 3 || strings.Contains(string(data), "NaN") {
		t.Errorf("partial file holds %d lines (want the header and chunks 0-1):\n%s", lines, data)
	}
}

func TestRunRefusesBadCheckpointsAndBatches(t *testing.T) {
	ck := localCheckpoints(t)[0]
	unnamed, step0 := ck, ck
	unnamed.Model, step0.Step = "", 0
	named := func(name string) []Checkpoint {
		c := ck
		c.Model = name
		return []Checkpoint{c}
	}
	out := t.TempDir()
	for _, tc := range []struct {
		name  string
		cks   []Checkpoint
		batch int
		want  string
	}{
		{"step 0", []Checkpoint{step0}, 1, "step 0: the scaling law needs a training step of at least 1"},
		{"no name", []Checkpoint{unnamed}, 1, "has no model name"},
		{"name leaving the folder", named("../../../escape"), 1, `model name "../../../escape" is a path`},
		{"name with a folder", named("org/model"), 1, `model name "org/model" is a path`},
		{"name with a backslash", named(`org\model`), 1, `is a path`},
		{"dot dot", named(".."), 1, `model name ".." is a path`},
		{"dot", named("."), 1, `model name "." is a path`},
		{"twice", []Checkpoint{ck, ck}, 1, "pythia-70m step 1000 is named twice"},
		{"negative batch", []Checkpoint{ck}, -3, "batch size -3"},
		{"modality twice", []Checkpoint{ck}, 0, "modality text is given twice"},
	} {
		engine := &fakeEngine{}
		srcs := sources()
		if tc.name == "modality twice" {
			srcs = append(srcs, newMemSource("text", 3, 9))
		}
		_, err := (&Runner{Engine: engine, Sources: srcs, Out: filepath.Join(out, "a", "b", "c"), BatchSize: tc.batch}).Run(context.Background(), tc.cks)
		if err == nil || !strings.Contains(err.Error(), tc.want) || engine.opens != 0 {
			t.Errorf("%s: %v; want %q before any work", tc.name, err, tc.want)
		}
	}
	if escaped, _ := filepath.Glob(filepath.Join(out, "*", "*", "step1000")); len(escaped) > 0 {
		t.Errorf("cells written outside the output folder: %v", escaped)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	engine := &fakeEngine{}
	if _, err := (&Runner{Engine: engine, Sources: sources(), Out: filepath.Join(file, "out")}).Run(context.Background(), []Checkpoint{ck}); err == nil || engine.opens != 0 {
		t.Errorf("output folder under a file: %v; want an error before any work", err)
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

// TestEditedPartialFileIsRefused: a saved chunk whose numbers disagree
// with each other (its ratio edited) is not resumed from: the run stops
// before any work, naming the .partial file and its line.
func TestEditedPartialFileIsRefused(t *testing.T) {
	cks := localCheckpoints(t)[:1]
	srcs := []datasets.Source{newMemSource("text", 6, 1)}
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
	lines := strings.Split(string(data), "\n")
	var chunk results.ChunkResult
	if err := json.Unmarshal([]byte(lines[2]), &chunk); err != nil {
		t.Fatal(err)
	}
	chunk.CR /= 2
	edited, _ := json.Marshal(chunk)
	lines[2] = string(edited)
	if err := os.WriteFile(partial, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	resumed := &fakeEngine{}
	_, err = (&Runner{Engine: resumed, Sources: srcs, Out: out}).Run(context.Background(), cks)
	if err == nil || !strings.Contains(err.Error(), partial+":3: chunk 1: compression_ratio") || resumed.scores != 0 {
		t.Errorf("resumed from an edited partial file: %v, %d batches scored; want an error naming %s:3 before any work", err, resumed.scores, partial)
	}
}

// TestFolderOfAnEarlierVersionIsRefusedWithAdvice: cells and .partial
// files written before a cell's setup recorded config.json and the engine
// cannot be matched against this run's; the run says so and what to do.
func TestFolderOfAnEarlierVersionIsRefusedWithAdvice(t *testing.T) {
	cks := localCheckpoints(t)[:1]
	for _, what := range []string{"cell", "partial"} {
		t.Run(what, func(t *testing.T) {
			out := t.TempDir()
			r := &Runner{Engine: &fakeEngine{}, Sources: sources()[:1], Out: out}
			path := filepath.Join(out, "seed", "pythia-70m", "step1000", "text.json")
			if what == "partial" {
				ctx, cancel := context.WithCancel(context.Background())
				r.Engine = &fakeEngine{cancelAfter: 2, cancel: cancel}
				if _, err := r.Run(ctx, cks); err == nil {
					t.Fatal("cancelled run returned no error")
				}
				path += partialExt
			} else if _, err := r.Run(context.Background(), cks); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// What an earlier version wrote: the cell, or the .partial file's
			// header line, without config_sha256 and engine.
			head, rest, _ := bytes.Cut(data, []byte("\n"))
			if what == "cell" {
				head, rest = data, nil
			}
			var record map[string]any
			if err := json.Unmarshal(head, &record); err != nil {
				t.Fatal(err)
			}
			if dropKeys(record, "config_sha256", "engine") != 2 {
				t.Fatalf("%s records no config_sha256 and engine:\n%s", path, head)
			}
			old, err := json.Marshal(record)
			if err != nil {
				t.Fatal(err)
			}
			if rest != nil {
				old = append(append(old, '\n'), rest...)
			}
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			engine := &fakeEngine{}
			_, err = (&Runner{Engine: engine, Sources: sources()[:1], Out: out}).Run(context.Background(), cks)
			if err == nil || !strings.Contains(err.Error(), path+" was written by an earlier paperrepro") || !strings.Contains(err.Error(), "another -out") || engine.scores != 0 {
				t.Errorf("rerun over a %s of an earlier version: %v (%d batches scored); want advice naming %s", what, err, engine.scores, path)
			}
		})
	}
}

// dropKeys deletes keys wherever they occur in a decoded JSON value and
// returns how many it deleted.
func dropKeys(v any, keys ...string) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, k := range keys {
			if _, ok := v[k]; ok {
				delete(v, k)
				n++
			}
		}
		for _, child := range v {
			n += dropKeys(child, keys...)
		}
	case []any:
		for _, child := range v {
			n += dropKeys(child, keys...)
		}
	}
	return n
}

// TestUnwritableCellPathIsRefusedBeforeWork: a folder where a cell's result
// file or .partial file goes fails the run before any chunk is scored,
// not once the cell is computed.
func TestUnwritableCellPathIsRefusedBeforeWork(t *testing.T) {
	cks := localCheckpoints(t)[:1]
	for _, name := range []string{"text.json", "text.json.partial"} {
		out := t.TempDir()
		blocker := filepath.Join(out, "seed", "pythia-70m", "step1000", name)
		if err := os.MkdirAll(blocker, 0o755); err != nil {
			t.Fatal(err)
		}
		engine := &fakeEngine{}
		_, err := (&Runner{Engine: engine, Sources: sources()[:1], Out: out}).Run(context.Background(), cks)
		if err == nil || !strings.Contains(err.Error(), blocker) || engine.scores != 0 {
			t.Errorf("%s a folder: %v after %d batches; want a refusal naming it before any work", name, err, engine.scores)
		}
	}
}
