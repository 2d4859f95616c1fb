package neox

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// loadFixture loads testdata/neox/name.
func loadFixture(t testing.TB, name string) *Model {
	t.Helper()
	m, err := Load(testenv.Testdata(t, "neox", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// decodeAll feeds seqs (equal lengths) through a Decoder and returns the
// distributions after every position: out[b][t][vocab].
func decodeAll(t *testing.T, m *Model, seqs [][]int, maxLen int) [][][]float32 {
	t.Helper()
	return decodeWith(t, m, seqs, maxLen, firstCapacity)
}

func maxAbsDiff(a, b [][][]float32) float64 {
	worst := 0.0
	for i := range a {
		for j := range a[i] {
			for k := range a[i][j] {
				worst = max(worst, math.Abs(float64(a[i][j][k])-float64(b[i][j][k])))
			}
		}
	}
	return worst
}

// TestDecoderMatchesFullPass checks on every golden fixture that the KV-cache
// decoder gives the full pass's distributions at every position.
func TestDecoderMatchesFullPass(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g := readGolden(t, filepath.Join(dir, "golden.safetensors"))
			m := loadFixture(t, filepath.Base(dir))
			full, err := m.NextTokenLogProbs(g.ids)
			if err != nil {
				t.Fatal(err)
			}
			decoded := decodeAll(t, m, g.ids, len(g.ids[0])+5) // cache longer than the streams
			if diff := maxAbsDiff(full, decoded); diff > goldenTolerance {
				t.Errorf("decoder vs full pass: max abs difference %.3g > %g", diff, goldenTolerance)
			} else {
				t.Logf("decoder vs full pass: max abs difference %.2g", diff)
			}
		})
	}
}

// TestDecoderDeterministic checks that the same history and batch size give
// bit-identical floats, from a fresh decoder and from a second run.
func TestDecoderDeterministic(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	seqs := [][]int{{5, 17, 999, 0, 3, 3, 42}, {1, 2, 3, 4, 5, 6, 7}, {7, 7, 7, 7, 7, 7, 7}}
	first := decodeAll(t, m, seqs, 16)
	second := decodeAll(t, m, seqs, 16)
	for b := range first {
		for pos := range first[b] {
			if !slices.Equal(first[b][pos], second[b][pos]) {
				t.Fatalf("stream %d, position %d: floats differ between two identical runs", b, pos)
			}
		}
	}
}

func TestDecoderErrors(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	if _, err := m.NewDecoder(1, m.Config().MaxPositionEmbeddings+1); err == nil {
		t.Error("NewDecoder with maxLen > max_position_embeddings: no error")
	}
	if _, err := m.NewDecoder(0, 4); err == nil {
		t.Error("NewDecoder with batch 0: no error")
	}
	d, err := m.NewDecoder(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct {
		name string
		ids  []int
	}{
		{"wrong batch", []int{1}},
		{"id out of vocabulary", []int{1, m.Config().VocabSize}},
		{"negative id", []int{-2, 0}},
	} {
		if _, err := d.Next(tc.ids); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := d.Next([]int{1, EndedStream}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next([]int{1, 2}); err == nil {
		t.Error("an ended stream fed a token: no error")
	}
	if _, err := d.Next([]int{1, EndedStream}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next([]int{1, EndedStream}); err == nil {
		t.Error("Next past maxLen: no error")
	}
}

// decodeWith feeds seqs through a decoder of maxLen whose caches start at
// capacity positions, seqs[b][t] == EndedStream ending stream b, and
// returns every step's distributions (nil for an ended stream).
func decodeWith(t *testing.T, m *Model, seqs [][]int, maxLen, capacity int) [][][]float32 {
	t.Helper()
	d, err := m.newDecoder(len(seqs), maxLen, capacity)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := make([][][]float32, len(seqs))
	for pos := range seqs[0] {
		ids := make([]int, len(seqs))
		for b, s := range seqs {
			ids[b] = s[pos]
		}
		dists, err := d.Next(ids)
		if err != nil {
			t.Fatalf("position %d: %v", pos, err)
		}
		for b := range seqs {
			out[b] = append(out[b], slices.Clone(dists[b]))
		}
	}
	return out
}

// TestDecoderSchedulesChangeNoFloat: the lossless coder needs the same
// floats whatever the decoder does to save work. Neither the caches'
// growth (from 4 positions, doubling to 64, against 64 from the start) nor
// another stream ending changes a stream's distributions, bit for bit on
// the pure-Go backend (XLA's masked attention may sum in another order:
// within 1e-6 there). An ended stream gets no distribution.
func TestDecoderSchedulesChangeNoFloat(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	seqs := randomSeqs(3, 64, m.Config().VocabSize)
	want := decodeWith(t, m, seqs, 64, 64)
	tolerance := 0.0
	if m.Backend() != "go" {
		tolerance = 1e-6
	}
	ending := [][]int{seqs[0], slices.Clone(seqs[1]), seqs[2]}
	for pos := 10; pos < 64; pos++ {
		ending[1][pos] = EndedStream
	}
	for _, tc := range []struct {
		name     string
		seqs     [][]int
		capacity int
		streams  []int // compared with want
	}{
		{"caches growing from 4 positions", seqs, 4, []int{0, 1, 2}},
		{"stream 1 ending at position 10", ending, 64, []int{0, 2}},
		{"both", ending, 4, []int{0, 2}},
	} {
		got := decodeWith(t, m, tc.seqs, 64, tc.capacity)
		for _, b := range tc.streams {
			if diff := maxAbsDiff(got[b:b+1], want[b:b+1]); diff > tolerance {
				t.Errorf("%s: stream %d differs by %g, want at most %g", tc.name, b, diff, tolerance)
			}
		}
		if len(tc.streams) == 2 {
			if got[1][9] == nil || got[1][10] != nil || got[1][63] != nil {
				t.Errorf("%s: stream 1 has no distribution before it ended, or one after", tc.name)
			}
		}
	}
}
