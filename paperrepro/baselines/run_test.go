package baselines

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// TestRun runs every codec on 16 chunks of every rule and checks the table
// against the codecs run directly on the same chunks.
func TestRun(t *testing.T) {
	var sources []datasets.Source
	for _, r := range allRules {
		sources = append(sources, sharedSource(t, r.modality, r.rule, 16))
	}
	for _, c := range append(generalCodecs(), FLAC(SampleFormat{Bits: 16, Signed: true, Rate: 16000})) {
		requireTool(t, c)
	}
	var progress []int64
	table, err := Run(context.Background(), sources, Options{Progress: func(done, total int64) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, src := range sources {
		codecs, _ := CodecsFor(src.Provenance())
		rows += 3 * len(codecs)
		chunks, data, _ := readChunks(src)
		sum := sha256.Sum256(data)
		for _, c := range codecs {
			prov := src.Provenance()
			label := prov.Rule + "/" + c.Name()
			sizes, err := c.Sizes(context.Background(), append([][]byte{data, make([]byte, c.Unit())}, chunks...))
			if err != nil {
				t.Fatal(err)
			}
			var perChunk int64
			for _, s := range sizes[2:] {
				perChunk += int64(s)
			}
			want := map[Accounting]int64{Stream: int64(sizes[0]), PerChunk: perChunk, PerChunkHeaderOnce: perChunk - 15*int64(sizes[1])}
			for a, w := range want {
				r, ok := table.Find(prov.Modality, prov.Rule, c.Name(), a)
				if !ok {
					t.Errorf("%s: no %s result", label, a)
					continue
				}
				if r.CompressedBytes != w || r.HeaderBytes != sizes[1] || r.Chunks != 16 || r.ChunkSize != 2048 ||
					r.DataSHA256 != hex.EncodeToString(sum[:]) || r.Setting != c.Setting() || r.Implementation == "" {
					t.Errorf("%s %s: %+v; want %d bytes, header %d, 16 chunks of 2048 bytes, sha256 %x", label, a, r, w, sizes[1], sum)
				}
			}
		}
	}
	if len(table.Rows) != rows {
		t.Errorf("%d rows, want %d", len(table.Rows), rows)
	}
	if n := len(progress); n == 0 || progress[n-2] != progress[n-1] {
		t.Errorf("progress reports %v, want the last to be complete", progress)
	}
}

// TestRunSelectsCodecs checks that Options.Codecs keeps only the named
// codecs, and that a source's sha256 is of the exact bytes WriteChunks
// exports.
func TestRunSelectsCodecs(t *testing.T) {
	src := sharedSource(t, datasets.Image, datasets.RuleTiles, 4)
	table, err := Run(context.Background(), []datasets.Source{src}, Options{Codecs: []string{"png", "flac"}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var codecs []string
	for _, r := range table.Rows {
		codecs = append(codecs, r.Codec+" "+string(r.Accounting))
	}
	if want := []string{"png stream", "png chunk", "png chunk-header-once"}; !slices.Equal(codecs, want) {
		t.Errorf("rows %q, want %q", codecs, want)
	}
	var exported bytes.Buffer
	if err := datasets.WriteChunks(&exported, src); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(exported.Bytes()); table.Rows[0].DataSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("data sha256 %s, the exported chunks' %x", table.Rows[0].DataSHA256, sum)
	}
}

// TestRunStopsOnMissingTool checks that a missing tool stops the run
// before anything is compressed, naming the package.
func TestRunStopsOnMissingTool(t *testing.T) {
	src := sharedSource(t, datasets.Text, "", 2)
	t.Setenv("PATH", t.TempDir())
	calls := 0
	_, err := Run(context.Background(), []datasets.Source{src}, Options{Progress: func(int64, int64) { calls++ }})
	if err == nil || calls != 0 {
		t.Fatalf("error %v after %d pieces of work, want an error before any", err, calls)
	}
	if want := "apt-get install gzip"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestResultsAccountings(t *testing.T) {
	m := &measurement{
		source: fakeSource{chunks: 3, size: 10, prov: datasets.Provenance{Modality: "text", Rule: "consecutive"}},
		codec:  XZ(), implementation: "xz 5", sha256: "ab",
		stream: []int{20}, chunks: []int{9, 8, 7}, header: []int{5},
	}
	var got []int64
	for _, r := range m.results() {
		got = append(got, r.CompressedBytes)
		if r.InputBytes() != 30 || r.HeaderBytes != 5 {
			t.Errorf("%s: input %d header %d, want 30 and 5", r.Accounting, r.InputBytes(), r.HeaderBytes)
		}
	}
	// Stream; the sum; the sum less two of the three headers.
	if want := []int64{20, 24, 14}; !slices.Equal(got, want) {
		t.Errorf("compressed bytes %v, want %v", got, want)
	}
}

// fakeSource is a datasets.Source with a given shape and no bytes.
type fakeSource struct {
	chunks, size int
	prov         datasets.Provenance
}

func (s fakeSource) Modality() string                { return s.prov.Modality }
func (s fakeSource) NumChunks() int                  { return s.chunks }
func (s fakeSource) ChunkSize() int                  { return s.size }
func (s fakeSource) Chunk(int) ([]byte, error)       { return make([]byte, s.size), nil }
func (s fakeSource) Provenance() datasets.Provenance { return s.prov }
