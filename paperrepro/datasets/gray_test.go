package datasets_test

import (
	"bytes"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// TestImageGrayMean: Options.Gray "mean" turns every pixel into (R+G+B)/3,
// rounded down, and says so in the provenance; the default stays PIL's
// luma with the provenance it always had; an unknown conversion is an error.
func TestImageGrayMean(t *testing.T) {
	dir := t.TempDir()
	colored := colorImage(64, 32)
	writeFile(t, dir, "a.png", encodePNG(t, colored))
	var mean, luma []byte
	for y := range 32 {
		for x := range 64 {
			c := colored.NRGBAAt(x, y)
			mean = append(mean, byte((int(c.R)+int(c.G)+int(c.B))/3))
			luma = append(luma, pilLuma(c))
		}
	}
	for _, tc := range []struct {
		gray      string
		want      []byte
		parameter any
	}{{"", luma, nil}, {datasets.GrayLuma, luma, nil}, {datasets.GrayMean, mean, "(R+G+B)/3, rounded down"}} {
		src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 1, Gray: tc.gray})
		if err != nil {
			t.Fatal(err)
		}
		if got := allChunks(t, src); !bytes.Equal(got, tc.want) {
			t.Errorf("gray %q: the tile is not the expected conversion", tc.gray)
		}
		if got := src.Provenance().Parameters["gray"]; got != tc.parameter {
			t.Errorf("gray %q: provenance parameter %v, want %v", tc.gray, got, tc.parameter)
		}
	}
	if bytes.Equal(mean, luma) {
		t.Fatal("the test image gives the same bytes under both conversions")
	}
	_, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 1, Gray: "average"})
	wantError(t, err, `unknown gray conversion "average"`)
}
