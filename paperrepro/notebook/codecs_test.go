package notebook

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func TestCodecTablesAndBest(t *testing.T) {
	result := func(codec string, a baselines.Accounting, bytes int64) baselines.Result {
		return baselines.Result{Modality: "text", Rule: "consecutive", Codec: codec, Setting: "-9", Accounting: a, Chunks: 2, ChunkSize: 100, CompressedBytes: bytes}
	}
	var tab baselines.Table
	for _, c := range []struct {
		codec string
		sizes [3]int64
	}{{"gzip", [3]int64{70, 100, 96}}, {"xz", [3]int64{60, 110, 90}}} {
		for i, a := range baselines.Accountings {
			tab.Rows = append(tab.Rows, result(c.codec, a, c.sizes[i]))
		}
	}
	got := CodecTable(tab).Text()
	if !strings.Contains(got, "text\tconsecutive\tgzip\t-9\t0.350\t2.80\t0.500\t4.00\t0.480\t3.84") || strings.Count(got, "\n") != 3 {
		t.Errorf("CodecTable: one row per codec, CR and bits/byte per accounting:\n%s", got)
	}
	vs := []baselines.Verdict{
		{Modality: "text", Codec: "gzip", CodecCR: 0.48, ModelCR: 0.1},
		{Modality: "text", Codec: "xz", CodecCR: 0.45, ModelCR: 0.1},
		{Modality: "image", Codec: "png", CodecCR: 0.6, ModelCR: 0.4},
	}
	if best := BestCodecs(vs); len(best) != 2 || best[0].Codec != "xz" || best[1].Codec != "png" {
		t.Errorf("BestCodecs = %+v", best)
	}
	if got := VerdictTable(vs[:1]).Text(); !strings.Contains(got, "text\t step 0\t0.100\t–\tgzip\t0.480\t0.000\t+0.380\tmodel") {
		t.Errorf("VerdictTable:\n%s", got)
	}
}

func TestPublishedTableCitesTheirFigure(t *testing.T) {
	pub := baselines.DeletangPublished[1]
	row := baselines.PublishedRow{Published: pub, Rule: "pcm8", Codec: "flac", Setting: "-8", CR: map[baselines.Accounting]float64{
		baselines.PerChunkHeaderOnce: 0.27, baselines.PerChunk: 0.317, baselines.Stream: 0.25}}
	want := "speech	" + pub.Data + "	flac (-8)	" + pub.Cited().Markdown() + "	0.270	0.317	0.250"
	if got := PublishedTable([]baselines.PublishedRow{row}).Text(); !strings.Contains(got, want) {
		t.Errorf("PublishedTable:\n%s\nwant the row %q", got, want)
	}
}

// bytesSource is a datasets.Source of fixed chunks.
type bytesSource [][]byte

func (s bytesSource) Modality() string                { return datasets.Speech }
func (s bytesSource) NumChunks() int                  { return len(s) }
func (s bytesSource) ChunkSize() int                  { return len(s[0]) }
func (s bytesSource) Chunk(i int) ([]byte, error)     { return s[i], nil }
func (s bytesSource) Provenance() datasets.Provenance { return datasets.Provenance{} }

func TestNearSilence(t *testing.T) {
	src := bytesSource{{126, 127, 128, 129}, {130, 0, 255, 128}}
	if got := NearSilence(src); got != 4.0/8 {
		t.Errorf("NearSilence = %v, want 4 of 8", got)
	}
}
