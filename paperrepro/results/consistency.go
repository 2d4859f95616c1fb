package results

import (
	"errors"
	"fmt"
	"math"

	"github.com/paperrepro/paperrepro/paperrepro/protocol"
)

// Summarize fills in the cell's totals (chunks, tokens, bits, compressed
// bytes, scoring time and throughput) and its mean compression ratio from
// its per-chunk results. It is how a cell is finished, and what a result
// file must agree with (see CheckConsistent).
func (c *Cell) Summarize() error {
	c.Chunks, c.Tokens, c.Bits, c.CompressedBytes = len(c.PerChunk), 0, 0, 0
	seconds := 0.0
	for _, r := range c.PerChunk {
		c.Tokens += r.Tokens
		c.Bits += r.Bits
		c.CompressedBytes += r.CompressedBytes
		seconds += r.Seconds
	}
	cr, kept, dropped := protocol.MeanCR(len(c.PerChunk), func(i int) (float64, bool) { return c.PerChunk[i].CR, c.PerChunk[i].Dropped })
	if kept == 0 {
		return fmt.Errorf("%s: all %d chunks were dropped, so the cell has no compression ratio", c.Name(), len(c.PerChunk))
	}
	c.CR, c.DroppedChunks = cr, dropped
	c.WallSeconds, c.TokensPerSecond = seconds, 0
	if seconds > 0 {
		c.TokensPerSecond = float64(c.Tokens) / seconds
	}
	return nil
}

// CheckConsistent reports whether the cell agrees with itself, as a cell
// the grid wrote does: every chunk's compression ratio follows from its
// bits (or, under the lossless protocol, its compressed bytes) and the
// chunk size, its dropped mark from the protocol's rule, and the cell's
// totals and mean compression ratio from its chunks, which number the
// data's count. A cell edited by hand, or damaged, gets an error naming the
// first field that disagrees. (A cell whose every number was edited
// consistently cannot be told from a computed one; its data and weights
// sums still say what it claims to be.)
func (c *Cell) CheckConsistent() error {
	if c.Data.Count != 0 && c.Data.Count != len(c.PerChunk) {
		return fmt.Errorf("field data.count %d, but per_chunk holds %d results", c.Data.Count, len(c.PerChunk))
	}
	for i, r := range c.PerChunk {
		if err := CheckChunk(c.Protocol.Name, c.Data.ChunkSize, r); err != nil {
			return fmt.Errorf("per_chunk[%d]: %w", i, err)
		}
	}
	want := *c
	if err := want.Summarize(); err != nil {
		return err
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"compression_ratio", c.CR, want.CR},
		{"dropped_chunks", float64(c.DroppedChunks), float64(want.DroppedChunks)},
		{"tokens", float64(c.Tokens), float64(want.Tokens)},
		{"bits", c.Bits, want.Bits},
		{"compressed_bytes", float64(c.CompressedBytes), float64(want.CompressedBytes)},
	} {
		if !nearlyEqual(f.got, f.want) {
			return fmt.Errorf("field %s %g, but its chunks give %g", f.name, f.got, f.want)
		}
	}
	return nil
}

// CheckChunk reports whether one chunk's result agrees with itself under
// a protocol, for chunks of chunkSize bytes (0: not known): its compression
// ratio follows from its bits (or, under the lossless protocol, its
// compressed bytes), its dropped mark from the protocol's rule, and a
// lossless chunk round-tripped.
func CheckChunk(protocolName string, chunkSize int, r ChunkResult) error {
	lossless := protocolName == protocolLossless
	if chunkSize > 0 {
		want, from := r.Bits/float64(8*chunkSize), "bits"
		if lossless {
			want, from = float64(r.CompressedBytes)/float64(chunkSize), "compressed_bytes"
		}
		if !nearlyEqual(r.CR, want) {
			return fmt.Errorf("compression_ratio %g, but its %s give %g (over %d-byte chunks)", r.CR, from, want, chunkSize)
		}
	}
	if drop := droppedUnder(protocolName, r.CR); r.Dropped != drop {
		return fmt.Errorf("dropped is %v, but the %s protocol drops a chunk of compression ratio %g: %v", r.Dropped, protocolName, r.CR, drop)
	}
	if lossless && !r.RoundTrip {
		return errors.New("round_trip is false: the lossless protocol records only chunks that decompressed to themselves")
	}
	return nil
}

// protocolLossless is the lossless protocol's name as cells record it
// (package grid names the protocols).
const protocolLossless = "lossless"

// droppedUnder reports whether a protocol leaves a chunk of ratio cr out of
// the mean: the seed protocol drops ratios outside (SeedMinCR, SeedMaxCR),
// as the paper's code did; the lossless protocol drops none.
func droppedUnder(protocolName string, cr float64) bool {
	if protocolName == protocolLossless {
		return false
	}
	return !(cr > protocol.SeedMinCR && cr < protocol.SeedMaxCR)
}

// nearlyEqual compares numbers recomputed in the same order from the same
// values, which agree exactly; the margin only spares a cell written by
// another tool its last bits.
func nearlyEqual(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}
