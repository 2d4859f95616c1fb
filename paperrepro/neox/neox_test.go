package neox

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBatchingMatchesOneAtATime scores sequences of different lengths in one
// call (padded and batched) and one at a time, and compares.
func TestBatchingMatchesOneAtATime(t *testing.T) {
	m := loadFixture(t, "sequential-f32")
	g := readGolden(t, filepath.Join(filepathOfFixture(t, "sequential-f32"), "golden.safetensors"))
	seqs := [][]int{g.ids[0], g.ids[1][:5], g.ids[1][:1], g.ids[0][:33], g.ids[1][:2], g.ids[1]}
	batchBits, err := m.TokenBits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	batchLogp, err := m.NextTokenLogProbs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	const tolerance = 1e-5
	for b, s := range seqs {
		bits, err := m.TokenBits([][]int{s})
		if err != nil {
			t.Fatal(err)
		}
		logp, err := m.NextTokenLogProbs([][]int{s})
		if err != nil {
			t.Fatal(err)
		}
		if len(batchBits[b]) != len(s)-1 || len(batchLogp[b]) != len(s) {
			t.Fatalf("sequence %d (length %d): %d bits and %d distributions", b, len(s), len(batchBits[b]), len(batchLogp[b]))
		}
		for i := range bits[0] {
			if d := math.Abs(bits[0][i] - batchBits[b][i]); d > tolerance {
				t.Errorf("sequence %d, token %d: bits alone %v, batched %v", b, i+1, bits[0][i], batchBits[b][i])
			}
		}
		if d := maxAbsDiff(logp, batchLogp[b:b+1]); d > tolerance {
			t.Errorf("sequence %d: log-probs alone and batched differ by %.3g", b, d)
		}
	}
	// The batched bits also match the reference where the reference has them.
	for i, want := range g.bits[0] {
		if d := math.Abs(batchBits[0][i] - float64(want)); d > goldenTolerance {
			t.Errorf("token %d: batched bits %v, reference %v", i+1, batchBits[0][i], want)
		}
	}
}

func filepathOfFixture(t *testing.T, name string) string {
	t.Helper()
	for _, dir := range goldenDirs(t) {
		if filepath.Base(dir) == name {
			return dir
		}
	}
	t.Fatalf("no fixture %s", name)
	return ""
}

// TestBatchGroups checks the split of a batch into executions: every
// sequence in exactly one group, groups sorted by length, each within its
// limit unless alone.
func TestBatchGroups(t *testing.T) {
	lengths := [][]int{{}, {1}, {600, 600, 600, 600}, {2048, 5, 5}, {100, 3000, 100}, {4096, 4096}, {30, 1000, 1000, 1000, 1000, 30}}
	limit := func(seqLen int) int { return 4096 / seqLen }
	for _, ls := range lengths {
		seqs := make([][]int, len(ls))
		for i, l := range ls {
			seqs[i] = make([]int, l)
		}
		seen := make([]bool, len(seqs))
		prev := 0
		for _, g := range batchGroups(seqs, limit) {
			longest := 0
			for _, i := range g {
				if seen[i] {
					t.Fatalf("lengths %v: sequence %d in two groups", ls, i)
				}
				seen[i] = true
				if len(seqs[i]) < prev {
					t.Errorf("lengths %v: group %v not in length order", ls, g)
				}
				prev = len(seqs[i])
				longest = max(longest, bucketLen(len(seqs[i])))
			}
			if len(g) > 1 && len(g) > limit(longest) {
				t.Errorf("lengths %v: group %v holds %d sequences of %d padded tokens, limit %d", ls, g, len(g), longest, limit(longest))
			}
		}
		for i, ok := range seen {
			if !ok {
				t.Errorf("lengths %v: sequence %d in no group", ls, i)
			}
		}
	}
}

func TestScoringErrors(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	vocab, maxPos := m.Config().VocabSize, m.Config().MaxPositionEmbeddings
	for _, tc := range []struct {
		name string
		seqs [][]int
		want string
	}{
		{"empty sequence", [][]int{{1, 2}, {}}, "sequence 1 is empty"},
		{"id past the vocabulary", [][]int{{1, vocab}}, "outside the vocabulary"},
		{"negative id", [][]int{{-3}}, "outside the vocabulary"},
		{"too long", [][]int{make([]int, maxPos+1)}, "max_position_embeddings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := m.TokenBits(tc.seqs); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("TokenBits: got %v, want an error mentioning %q", err, tc.want)
			}
			if _, err := m.NextTokenLogProbs(tc.seqs); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NextTokenLogProbs: got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	bits, err := m.TokenBits([][]int{{7}})
	if err != nil || len(bits) != 1 || len(bits[0]) != 0 {
		t.Errorf("one-token sequence: got %v, %v; want no bits and no error", bits, err)
	}
	if bits, err := m.TokenBits(nil); err != nil || len(bits) != 0 {
		t.Errorf("no sequences: got %v, %v", bits, err)
	}
}

// TestModelClosed checks calls after Close fail cleanly.
func TestModelClosed(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	m.Close()
	m.Close()
	if _, err := m.TokenBits([][]int{{1, 2}}); err == nil {
		t.Error("TokenBits after Close: no error")
	}
	if _, err := m.NewDecoder(1, 4); err == nil {
		t.Error("NewDecoder after Close: no error")
	}
}

// TestLoadBadPytorchBin checks a damaged pytorch_model.bin gives an error naming it.
func TestLoadBadPytorchBin(t *testing.T) {
	src := filepathOfFixture(t, "bin-f32-buffers")
	for _, tc := range []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"not a zip", func([]byte) []byte { return []byte("not a torch file") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"config.json", "pytorch_model.bin"} {
				data, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == "pytorch_model.bin" {
					data = tc.mangle(data)
				}
				if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "pytorch_model.bin") {
				t.Errorf("got %v, want an error naming pytorch_model.bin", err)
			}
		})
	}
}

// TestConcurrentScoring checks that calls from several goroutines at once
// give the same bits as serial calls.
func TestConcurrentScoring(t *testing.T) {
	m := loadFixture(t, "rotary50-f32")
	seqs := [][]int{{1, 2, 3, 4, 5, 6}, {9, 8, 7}, {100, 200, 300, 400, 500, 600, 700, 800, 900}}
	want, err := m.TokenBits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	errs := make(chan error, workers)
	results := make(chan [][]float64, workers)
	for range workers {
		go func() {
			got, err := m.TokenBits(seqs)
			errs <- err
			results <- got
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		got := <-results
		for b := range want {
			for i := range want[b] {
				if got[b][i] != want[b][i] {
					t.Fatalf("sequence %d, token %d: concurrent %v, serial %v", b, i+1, got[b][i], want[b][i])
				}
			}
		}
	}
}

// TestManyOutputChunksFinish guards against a GoMLX v0.26.0 pure-Go backend
// deadlock (see simpleGoOptions): four sequences of 700 tokens give six
// independent output-layer blocks, which used to hang with parallel op execution.
func TestManyOutputChunksFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 2800 tokens over a 50,304-word vocabulary")
	}
	cfg := pythia70mShape
	cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers, cfg.IntermediateSize = 16, 2, 1, 64
	m := randomModel(t, cfg)
	seqs := randomSeqs(4, 700, cfg.VocabSize)
	done := make(chan error, 1)
	go func() {
		_, err := m.TokenBits(seqs)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("TokenBits did not finish in 5 minutes (deadlock?)")
	}
}

// TestOutputBlocks checks that embed_out held in blocks (a 10,000-word
// vocabulary makes three) gives the logits of the single unsplit matrix,
// which a tied-embedding model with the same values uses.
func TestOutputBlocks(t *testing.T) {
	cfg := pythia70mShape
	cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers, cfg.IntermediateSize, cfg.VocabSize = 32, 2, 1, 64, 10000
	choice, err := sharedBackend()
	if err != nil {
		t.Fatal(err)
	}
	if choice.name != "go" {
		t.Skipf("embed_out is held in blocks on the pure-Go backend only, this is %s", choice.name)
	}
	if n := len(outputLayerBlocks(choice.name, cfg.VocabSize)); n != 3 {
		t.Fatalf("%d blocks, want 3", n)
	}
	blocked, err := newModel(cfg, choice, tiedCheckpoint{newRandomCheckpoint(cfg, 5)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer blocked.Close()
	tiedCfg := cfg
	tiedCfg.TieWordEmbeddings = true
	single, err := newModel(tiedCfg, choice, newRandomCheckpoint(tiedCfg, 5), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	seqs := randomSeqs(2, 40, cfg.VocabSize)
	want, err := single.NextTokenLogProbs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := blocked.NextTokenLogProbs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, want); d > 1e-5 {
		t.Errorf("blocked and single embed_out log-probs differ by %.3g", d)
	}
	decoded := decodeAll(t, blocked, seqs, 64)
	if d := maxAbsDiff(decoded, want); d > goldenTolerance {
		t.Errorf("blocked decoder and single embed_out log-probs differ by %.3g", d)
	}
}
