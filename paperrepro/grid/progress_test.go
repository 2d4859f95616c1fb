package grid

import (
	"bytes"
	"strings"
	"testing"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		seconds float64
		want    string
	}{
		{0, "0s"}, {44.6, "45s"}, {750, "12m30s"}, {5*3600 + 7*60, "5h07m"}, {3.2 * 86400, "3.2 days"},
	} {
		if got := FormatDuration(tc.seconds); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.seconds, got, tc.want)
		}
	}
}

// The bar says tokens/s and the ETA of the chunks left at that rate.
func TestProgressRateAndETA(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, 10)
	p.describe("pythia-70m step 1000 text")
	p.add(2, 1000, 4) // 250 tokens/s, 500 tokens a chunk: 8 chunks left = 16 s
	p.finish()
	if !strings.Contains(out.String(), "250 tokens/s, ETA 16s") {
		t.Errorf("progress bar %q lacks the rate and ETA", out.String())
	}
}
