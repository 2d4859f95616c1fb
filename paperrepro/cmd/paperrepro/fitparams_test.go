package main

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// TestModelSizeCounts checks -params against the Pythia model cards
// (EleutherAI/pythia, README's table of models: "Params" and "Non-Embedding
// Params"), for the paper's five sizes and the three beyond them, and the
// nominal size each name states.
func TestModelSizeCounts(t *testing.T) {
	for _, tc := range []struct {
		model                        string
		nominal, total, nonEmbedding float64
	}{
		{"pythia-70m", 70e6, 70_426_624, 18_915_328},
		{"pythia-160m", 160e6, 162_322_944, 85_056_000},
		{"pythia-410m", 410e6, 405_334_016, 302_311_424},
		{"pythia-1b", 1e9, 1_011_781_632, 805_736_448},
		{"pythia-1.4b", 1.4e9, 1_414_647_808, 1_208_602_624},
		{"pythia-2.8b", 2.8e9, 2_775_208_960, 2_517_652_480},
		{"pythia-6.9b", 6.9e9, 6_857_302_016, 6_444_163_072},
		{"pythia-12b-deduped", 12e9, 11_846_072_320, 11_327_027_200},
	} {
		for _, c := range []struct {
			count scaling.Count
			want  float64
		}{{scaling.Nominal, tc.nominal}, {scaling.Total, tc.total}, {scaling.NonEmbedding, tc.nonEmbedding}} {
			if got, err := scaling.SizeBy(c.count, pythiaConfig, nil)(tc.model); err != nil || got != c.want {
				t.Errorf("-params %s: %s has %v (%v), want %v", c.count, tc.model, got, err, c.want)
			}
		}
	}
	if _, err := parseParams("exact"); err == nil || !strings.Contains(err.Error(), `-params: unknown parameter count "exact"`) {
		t.Errorf("unknown -params: %v", err)
	}
}

// TestFitCommandParams refits the paper's text table on each count: the
// size exponent moves from 0.393 (nominal) to 0.099 (non-embedding) while
// R^2 stays at 0.966 - the choice Section 4.5's "5x larger" rests on.
func TestFitCommandParams(t *testing.T) {
	expected := testenv.Expected(t)
	for _, tc := range []struct {
		count string
		want  []string
	}{
		{"nominal", []string{"P: nominal sizes", "alpha        0.3934", "R^2 0.9655"}},
		{"total", []string{"P: total parameter counts", "alpha        0.3967", "R^2 0.9656"}},
		{"non-embedding", []string{"P: non-embedding parameter counts", "alpha        0.09853", "R^2 0.9657", "pythia-70m   18.9M"}},
	} {
		code, out, errOut := run(t, "fit", "-params", tc.count, "-resamples", "20", "-paper", expected, expected+"/table2_text.csv")
		if code != exitOK {
			t.Fatalf("-params %s: exit %d: %s", tc.count, code, errOut)
		}
		for _, want := range tc.want {
			if !strings.Contains(out, want) {
				t.Errorf("-params %s: output lacks %q:\n%s", tc.count, want, out)
			}
		}
	}
	if code, _, errOut := run(t, "fit", "-params", "exact", expected); code != exitUsage || !strings.Contains(errOut, "-params: unknown") {
		t.Errorf("-params exact: exit %d, %s", code, errOut)
	}
}
