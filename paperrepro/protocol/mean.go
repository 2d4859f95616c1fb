package protocol

import "math"

// MeanCR is the compression ratio of a set of chunks under the protocols:
// the mean of the ratios of the chunks not dropped (the seed protocol drops
// those outside (SeedMinCR, SeedMaxCR); the lossless protocol drops none),
// with how many were kept and dropped. It is NaN when none was kept. chunk
// gives the ratio of chunk i and whether it was dropped.
//
// This is the one place the mean is taken: the seed protocol's SeedResult
// and the grid's result files (whose chunks may come from several runs)
// both use it.
func MeanCR(n int, chunk func(i int) (cr float64, dropped bool)) (mean float64, kept, dropped int) {
	sum := 0.0
	for i := range n {
		cr, drop := chunk(i)
		if drop {
			dropped++
			continue
		}
		sum += cr
		kept++
	}
	if kept == 0 {
		return math.NaN(), 0, dropped
	}
	return sum / float64(kept), kept, dropped
}
