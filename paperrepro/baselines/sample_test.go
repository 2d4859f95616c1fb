package baselines

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// chunkSource is a datasets.Source over chunks held in memory.
type chunkSource struct {
	chunks [][]byte
	prov   datasets.Provenance
}

func (s chunkSource) Modality() string                { return s.prov.Modality }
func (s chunkSource) NumChunks() int                  { return len(s.chunks) }
func (s chunkSource) ChunkSize() int                  { return len(s.chunks[0]) }
func (s chunkSource) Chunk(i int) ([]byte, error)     { return slices.Clone(s.chunks[i]), nil }
func (s chunkSource) Provenance() datasets.Provenance { return s.prov }

// TestSampleSizeCurve: each point is the codec's ratio on the first n
// chunks, the same as compressing those chunks directly; chunks that
// compress worse later in the source raise the curve.
func TestSampleSizeCurve(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var chunks [][]byte
	for i := range 40 {
		chunk := make([]byte, 2048)
		for j := range chunk {
			if i >= 20 || j%16 == 0 { // the first 20 chunks are mostly zeros
				chunk[j] = byte(rng.IntN(256))
			}
		}
		chunks = append(chunks, chunk)
	}
	src := chunkSource{chunks: chunks, prov: datasets.Provenance{Modality: datasets.Image, Rule: "test"}}
	codec := PNG32Wide()
	curve, err := SampleSizeCurve(context.Background(), src, codec, []int{40, 10, 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(curve) != 3 || curve[0].Chunks != 10 || curve[2].Chunks != 40 {
		t.Fatalf("curve %+v, want points at 10, 20 and 40 chunks", curve)
	}
	for _, p := range curve {
		sizes, err := codec.Sizes(context.Background(), append([][]byte{{0}}, chunks[:p.Chunks]...))
		if err != nil {
			t.Fatal(err)
		}
		var sum int
		for _, s := range sizes[1:] {
			sum += s
		}
		original := float64(p.Chunks * 2048)
		if want := float64(sum-(p.Chunks-1)*sizes[0]) / original; math.Abs(p.HeaderOnce-want) > 1e-12 {
			t.Errorf("%d chunks, header once: %v, want %v", p.Chunks, p.HeaderOnce, want)
		}
		if want := float64(sum) / original; math.Abs(p.WithHeaders-want) > 1e-12 || p.WithHeaders <= p.HeaderOnce {
			t.Errorf("%d chunks, every header: %v, want %v (above header once, %v)", p.Chunks, p.WithHeaders, want, p.HeaderOnce)
		}
	}
	if math.Abs(curve[0].HeaderOnce-curve[1].HeaderOnce) > 0.1*curve[1].HeaderOnce || curve[2].HeaderOnce < 2*curve[1].HeaderOnce {
		t.Errorf("the noisy second half should raise the curve: %+v", curve)
	}
	for _, bad := range [][]int{nil, {0, 10}, {41}} {
		if _, err := SampleSizeCurve(context.Background(), src, codec, bad); err == nil || !strings.Contains(err.Error(), "sample-size curve of png-32wide") {
			t.Errorf("counts %v: error %v", bad, err)
		}
	}
	if got := SampleCounts(2028); !slices.Equal(got, []int{256, 512, 1024, 2028}) {
		t.Errorf("SampleCounts(2028) = %v", got)
	}
	if got := SampleCounts(100); !slices.Equal(got, []int{100}) {
		t.Errorf("SampleCounts(100) = %v", got)
	}
}

// TestSampleSizeCurveSharedSpeech measures the curve of flac -8 on the
// shared speech sample cut as Deletang et al. cut theirs (pcm8): its last
// point is Run's header-once ratio on the same chunks.
func TestSampleSizeCurveSharedSpeech(t *testing.T) {
	src := sharedSource(t, datasets.Speech, datasets.RulePCM8, 1024)
	codecs, err := CodecsFor(src.Provenance())
	if err != nil {
		t.Fatal(err)
	}
	flac := codecs[len(codecs)-1]
	requireTool(t, flac)
	curve, err := SampleSizeCurve(context.Background(), src, flac, SampleCounts(src.NumChunks()))
	if err != nil {
		t.Fatal(err)
	}
	table, err := Run(context.Background(), []datasets.Source{src}, Options{Codecs: []string{"flac"}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := table.Find(datasets.Speech, datasets.RulePCM8, "flac", PerChunkHeaderOnce)
	last := curve[len(curve)-1]
	if math.Abs(last.HeaderOnce-r.CR()) > 1e-12 {
		t.Errorf("curve ends at %v, Run gives %v on the same chunks", last.HeaderOnce, r.CR())
	}
	t.Logf("flac -8 on pcm8 chunks, header once: %+v", curve)
}
