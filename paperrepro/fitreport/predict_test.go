package fitreport

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

func TestWritePredictionsAndChecks(t *testing.T) {
	nan := math.NaN()
	refit := scaling.Predictions{Law: "this project's refit of paper, Tables 2-4", Sizes: "nominal",
		Bootstrap: scaling.BootstrapOptions{Resamples: 1000, Seed: 1, Level: 0.95}, FormsCompared: 5,
		Rows: []scaling.Prediction{{Modality: "text", Point: scaling.Point{Model: "pythia-12b", P: 12e9, Step: 143000}, CR: 0.1097, Lo: 0.0948, Hi: 0.1207, FormsLo: 0.088, FormsHi: 0.1374}}}
	table1 := scaling.Predictions{Law: "paper, Table 1", Sizes: "nominal",
		Rows: []scaling.Prediction{{Modality: "text", Point: scaling.Point{P: 5e9, Step: 200000}, CR: 0.11343, Lo: nan, Hi: nan, FormsLo: nan, FormsHi: nan}}}
	var buf bytes.Buffer
	WritePredictions(&buf, refit)
	WritePredictions(&buf, table1)
	for _, re := range []string{
		`Predicted compression ratios: this project's refit of paper, Tables 2-4, P as nominal parameter counts`,
		`95% percentile bootstrap over 1000 resamples of the cells \(seed 1\); forms: lowest and highest CR of the 5 forms`,
		`text +pythia-12b +12B +143000 +0\.1097 +\[0\.0948, 0\.1207\] +\[0\.0880, 0\.1374\]`,
		`no interval \(a printed law has no cells to resample\); no spread over forms`,
		`text +P = 5B +5B +200000 +0\.1134 +- +-`,
	} {
		if !regexp.MustCompile(re).MatchString(buf.String()) {
			t.Errorf("output does not match %q:\n%s", re, buf.String())
		}
	}

	buf.Reset()
	WritePredictionChecks(&buf, "registered.csv", nil)
	if buf.Len() != 0 {
		t.Errorf("no checks wrote %q", buf.String())
	}
	checks := []scaling.PredictionCheck{
		{Prediction: refit.Rows[0], Computed: 0.1, Source: "this project, computed 2026-01-02, test"},
		{Prediction: refit.Rows[0], Computed: 0.13},
		{Prediction: table1.Rows[0], Computed: 0.12},
	}
	WritePredictionChecks(&buf, "registered.csv", checks)
	out := buf.String()
	for _, re := range []string{
		`Computed cells against the registered prediction \(registered.csv\)`,
		`pythia-12b +143000 +0\.1000 +0\.1097 +\[0\.0948, 0\.1207\] +inside +\[0\.0880, 0\.1374\] +inside`,
		`pythia-12b +143000 +0\.1300 +0\.1097 +\[0\.0948, 0\.1207\] +OUTSIDE +\[0\.0880, 0\.1374\] +inside`,
		`P = 5B +200000 +0\.1200 +0\.1134 +- +- `,
		`1 of 3 computed cells inside the bootstrap interval, 2 inside the spread over forms \(cells: this project, computed 2026-01-02, test\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("checks do not match %q:\n%s", re, out)
		}
	}
	if strings.Contains(out, "OUTSIDE  -") {
		t.Errorf("a prediction without an interval is called outside it:\n%s", out)
	}
}
