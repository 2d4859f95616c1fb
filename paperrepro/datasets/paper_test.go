package datasets

import (
	"math"
	"testing"
)

// TestPaperSampleIsTheFloatRoundTrip checks paperSample against the paper's
// numpy expression evaluated in float32 (what torchcodec-era datasets hands
// over) and its closed form, for every 16-bit sample.
func TestPaperSampleIsTheFloatRoundTrip(t *testing.T) {
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		s := int16(v)
		want := s
		switch {
		case s > 0:
			want = s - 1
		case s < 0:
			want = s + 1
		}
		x32 := float32(s) / 32768
		f32 := int16(float32(math.Max(-32768, math.Min(32767, float64(x32*32767)))))
		if got := paperSample(s); got != want || f32 != want {
			t.Fatalf("sample %d: paperSample %d, float32 round trip %d, want %d", s, got, f32, want)
		}
	}
}
