package arith

import (
	"math"
	"testing"
)

// tableFromBytes builds a small distribution from fuzz input, so the fuzzer
// explores odd tables too (huge gaps, ties, -Inf entries).
func tableFromBytes(spec []byte) []float32 {
	n := 1 + len(spec)%40
	logp := make([]float32, n)
	for i := range logp {
		var b byte
		if len(spec) > 0 {
			b = spec[i%len(spec)]
		}
		switch {
		case b == 0:
			logp[i] = float32(math.Inf(-1))
		default:
			logp[i] = -float32(b) / 4
		}
	}
	if math.IsInf(float64(logp[0]), -1) {
		logp[0] = 0
	}
	return logp
}

// FuzzRoundTrip: any symbol sequence under any table decodes back exactly.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte("hello"))
	f.Add([]byte{0, 255, 0, 1}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, spec, data []byte) {
		var cdf CDF
		if err := cdf.SetLogProbs(tableFromBytes(spec)); err != nil {
			t.Fatal(err)
		}
		n := cdf.Len()
		enc := NewEncoder()
		bm := NewBitModel()
		for _, b := range data {
			if err := cdf.Encode(enc, int(b)%n); err != nil {
				t.Fatal(err)
			}
			if err := enc.EncodeBit(&bm, int(b>>7)); err != nil {
				t.Fatal(err)
			}
		}
		out := enc.Finish()
		dec := NewDecoder(out)
		bm = NewBitModel()
		for i, b := range data {
			s, err := cdf.Decode(dec)
			if err != nil || s != int(b)%n {
				t.Fatalf("symbol %d: decoded %d (%v), want %d", i, s, err, int(b)%n)
			}
			bit, err := dec.DecodeBit(&bm)
			if err != nil || bit != int(b>>7) {
				t.Fatalf("bit %d: decoded %d (%v), want %d", i, bit, err, b>>7)
			}
		}
		if dec.Unread() != 0 {
			t.Fatalf("%d bytes unread", dec.Unread())
		}
	})
}

// FuzzDecodeGarbage: decoding arbitrary bytes never panics and only ever
// yields symbols of the table.
func FuzzDecodeGarbage(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{9}, []byte{})
	f.Fuzz(func(t *testing.T, spec, stream []byte) {
		var cdf CDF
		if err := cdf.SetLogProbs(tableFromBytes(spec)); err != nil {
			t.Fatal(err)
		}
		dec := NewDecoder(stream)
		bm := NewBitModel()
		for range 2*len(stream) + 8 {
			s, err := cdf.Decode(dec)
			if err != nil {
				return
			}
			if s < 0 || s >= cdf.Len() {
				t.Fatalf("decoded symbol %d outside [0, %d)", s, cdf.Len())
			}
			if _, err := dec.DecodeBit(&bm); err != nil {
				return
			}
		}
	})
}

// FuzzSetLogProbs: any finite floats give a valid table.
func FuzzSetLogProbs(f *testing.F) {
	f.Add(float32(0), float32(-1), float32(-100), float32(3e38))
	f.Fuzz(func(t *testing.T, a, b, c, d float32) {
		logp := []float32{a, b, c, d, a - b}
		var cdf CDF
		if err := cdf.SetLogProbs(logp); err != nil {
			for _, x := range logp {
				if x != x || math.IsInf(float64(x), 0) {
					return
				}
			}
			if !math.IsInf(float64(a-b), 0) {
				t.Fatalf("finite input %v rejected: %v", logp, err)
			}
			return
		}
		checkCDF(t, &cdf, len(logp))
	})
}
