package baselines

import (
	"context"
	"fmt"
	"slices"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// SamplePoint is a codec's compression ratio on the first Chunks chunks of
// a source, every chunk compressed alone.
type SamplePoint struct {
	Chunks int
	// HeaderOnce counts the format's header once (Deletang et al.'s
	// accounting, PerChunkHeaderOnce); WithHeaders counts every chunk's
	// (PerChunk).
	HeaderOnce, WithHeaders float64
}

// SampleSizeCurve compresses every chunk of src alone with codec, once, and
// returns its compression ratio on the first n chunks for each n of counts
// (in increasing order; each at least 1 and at most src.NumChunks()): how
// much a codec's ratio depends on which and how many chunks it is given.
// Ours come from a few dozen files where Deletang et al.'s came from a
// gigabyte of their data sets, so a published ratio and ours can differ by
// the sample alone; the curve shows how far.
func SampleSizeCurve(ctx context.Context, src datasets.Source, codec Codec, counts []int) ([]SamplePoint, error) {
	name := fmt.Sprintf("sample-size curve of %s %s on %s chunks", codec.Name(), codec.Setting(), src.Modality())
	if len(counts) == 0 {
		return nil, fmt.Errorf("%s: no chunk counts given", name)
	}
	counts = slices.Sorted(slices.Values(counts))
	if counts[0] < 1 || counts[len(counts)-1] > src.NumChunks() {
		return nil, fmt.Errorf("%s: counts %v, want each between 1 and the %d chunks the source holds", name, counts, src.NumChunks())
	}
	chunks, _, err := readChunks(src)
	if err != nil {
		return nil, err
	}
	sizes, err := codec.Sizes(ctx, append([][]byte{make([]byte, codec.Unit())}, chunks[:counts[len(counts)-1]]...))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	header, sizes := int64(sizes[0]), sizes[1:]
	var out []SamplePoint
	var sum int64
	done := 0
	for _, n := range counts {
		for ; done < n; done++ {
			sum += int64(sizes[done])
		}
		original := float64(n) * float64(src.ChunkSize())
		out = append(out, SamplePoint{
			Chunks:      n,
			HeaderOnce:  float64(sum-int64(n-1)*header) / original,
			WithHeaders: float64(sum) / original,
		})
	}
	return out, nil
}

// SampleCounts returns the chunk counts of a sample-size curve over n
// chunks: the powers of two from 256 (or n, when smaller) below n, then n.
func SampleCounts(n int) []int {
	var counts []int
	for c := 256; c < n; c *= 2 {
		counts = append(counts, c)
	}
	return append(counts, n)
}
