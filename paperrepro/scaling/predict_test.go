package scaling

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// TestPredictTable1ByHand: the paper's Table 1 for text (a = 0.10, b = 60,
// c = 10, alpha = 0.38, beta = 0.75) at Section 4.6's point, worked by hand:
// 60 * (5e9)^-0.38 = 60 * 2.0625e-4 = 0.012375, 10 * (2e5)^-0.75 = 10 *
// 1.0574e-4 = 0.001057, so CR = 0.10 + 0.012375 + 0.001057 = 0.1134 (the
// paper rounds it to "approximately 0.115").
func TestPredictTable1ByHand(t *testing.T) {
	paper, err := results.LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := paper.Coefficients("text")
	got := PredictTable1(text, []Point{{P: 5e9, Step: 200000}})
	if len(got) != 1 || math.Abs(got[0].CR-0.1134) > 5e-5 {
		t.Fatalf("Table 1's CR(5e9, 2e5) = %+v, want 0.1134", got)
	}
	if got[0].HasInterval() || got[0].HasSpread() || got[0].Modality != "text" {
		t.Errorf("a printed Table 1 has no cells to resample, yet the prediction is %+v", got[0])
	}
}

// TestPredictFit: on exact data of the paper's form, the refit predicts a
// larger model's CR exactly, its bootstrap interval shrinks to the point,
// and the forms that cannot fit the data spread around it.
func TestPredictFit(t *testing.T) {
	var table results.Table
	table.Modality = "text"
	for _, p := range synthSizes[:5] {
		for _, s := range synthSteps {
			table.Rows = append(table.Rows, results.Row{Model: fmt.Sprintf("m%g", p), Params: p, Step: int(s), CR: PowerLaw{}.Eval(truth, p, s)})
		}
	}
	points := []Point{{Model: "big", P: 12e9, Step: 143000}, {Model: "bigger", P: 5e10, Step: 1000}}
	preds, err := PredictFit(table, points, PredictOptions{Bootstrap: BootstrapOptions{Resamples: 20, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range preds {
		want := PowerLaw{}.Eval(truth, points[i].P, float64(points[i].Step))
		if math.Abs(p.CR-want) > 1e-6 || p.Point != points[i] || p.Modality != "text" {
			t.Errorf("prediction %d: %+v, want CR %.6f at %+v", i, p, want, points[i])
		}
		if !p.HasInterval() || p.Hi-p.Lo > 1e-5 || p.Lo > want+1e-6 || p.Hi < want-1e-6 {
			t.Errorf("prediction %d: exact data, yet interval [%g, %g] around %g", i, p.Lo, p.Hi, want)
		}
		if !p.HasSpread() || !(p.FormsLo <= p.CR+1e-9 && p.CR <= p.FormsHi+1e-9) || p.FormsHi-p.FormsLo < 1e-3 {
			t.Errorf("prediction %d: forms spread [%g, %g] should hold the paper form's %g and the misfitting forms' other values", i, p.FormsLo, p.FormsHi, p.CR)
		}
	}
	if _, err := PredictFit(table, nil, PredictOptions{}); err == nil {
		t.Error("no points: no error")
	}
}

// TestPredictionsCSVRoundTrip writes predictions with and without
// intervals and reads them back; a file mixing laws is refused.
func TestPredictionsCSVRoundTrip(t *testing.T) {
	ps := Predictions{
		Law: "refit of paper, Tables 2-4", Sizes: "nominal",
		Bootstrap: BootstrapOptions{Resamples: 1000, Seed: 1, Level: 0.95}, FormsCompared: 5,
		Rows: []Prediction{
			{Modality: "text", Point: Point{"pythia-2.8b", 2.8e9, 1000}, CR: 0.1234567, Lo: 0.11, Hi: 0.13, FormsLo: 0.1, FormsHi: 0.14},
			{Modality: "image", Point: Point{"", 5e9, 200000}, CR: 0.4, Lo: math.NaN(), Hi: math.NaN(), FormsLo: math.NaN(), FormsHi: math.NaN()},
		},
	}
	var buf bytes.Buffer
	if err := EncodePredictions(&buf, ps); err != nil {
		t.Fatal(err)
	}
	got, err := DecodePredictions(&buf, "p.csv")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if got.Law != ps.Law || got.Sizes != ps.Sizes || got.Bootstrap != ps.Bootstrap || got.FormsCompared != 5 || len(got.Rows) != 2 {
		t.Fatalf("read back %+v", got)
	}
	if r := got.Rows[0]; r.Point != ps.Rows[0].Point || r.CR != 0.123457 || r.Lo != 0.11 || r.FormsHi != 0.14 {
		t.Errorf("row 0 read back %+v", r)
	}
	if r := got.Rows[1]; r.HasInterval() || r.HasSpread() || r.Model != "" || r.P != 5e9 {
		t.Errorf("row 1 read back %+v", r)
	}
	if p, ok := got.Find("text", "pythia-2.8b", 1000); !ok || p.CR != 0.123457 {
		t.Errorf("Find: %+v %v", p, ok)
	}

	header := strings.Join(predictionColumns, ",") + "\n"
	for _, tc := range []struct{ name, csv, want string }{
		{"no rows", header, "no predictions"},
		{"mixed laws", header + "text,a,1e9,1000,0.2,,,,,law one,nominal,,0,0,0\ntext,b,1e9,1000,0.2,,,,,law two,nominal,,0,0,0\n", "p.csv:3: law, sizes"},
		{"bad step", header + "text,a,1e9,10.5,0.2,,,,,l,nominal,,0,0,0\n", "p.csv:2: params 1e+09, step 10.5"},
		{"reversed interval", header + "text,a,1e9,1000,0.2,0.3,0.1,,,l,nominal,0.95,10,0,0\n", "p.csv:2: an interval"},
		{"missing column", "modality,model\ntext,a\n", `lacks the "params" column`},
	} {
		_, err := DecodePredictions(strings.NewReader(tc.csv), "p.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestCheckPredictions sets computed cells against their predictions:
// inside or outside the interval and the spread, by model name and step.
func TestCheckPredictions(t *testing.T) {
	ps := Predictions{Rows: []Prediction{
		{Modality: "text", Point: Point{"pythia-2.8b", 2.8e9, 143000}, CR: 0.11, Lo: 0.10, Hi: 0.12, FormsLo: 0.09, FormsHi: 0.13},
		{Modality: "text", Point: Point{"pythia-12b", 12e9, 143000}, CR: 0.10, Lo: 0.09, Hi: 0.11, FormsLo: 0.08, FormsHi: 0.12},
		{Modality: "image", Point: Point{"pythia-2.8b", 2.8e9, 143000}, CR: 0.4, Lo: math.NaN(), Hi: math.NaN(), FormsLo: math.NaN(), FormsHi: math.NaN()},
	}}
	tables := []results.Table{
		{Modality: "text", Source: "this project, computed 2025-08-01, xla:cuda", Rows: []results.Row{
			{Model: "pythia-2.8b", Params: 2.8e9, Step: 143000, CR: 0.125},
			{Model: "pythia-12b", Params: 12e9, Step: 143000, CR: 0.105},
			{Model: "pythia-1.4b", Params: 1.4e9, Step: 143000, CR: 0.13},
		}},
		{Modality: "image", Rows: []results.Row{{Model: "pythia-2.8b", Params: 2.8e9, Step: 143000, CR: 0.4}}},
	}
	checks := CheckPredictions(ps, tables)
	if len(checks) != 3 {
		t.Fatalf("%d checks, want one per predicted cell computed (3): %+v", len(checks), checks)
	}
	for i, want := range []struct {
		model             string
		inInterval, inSpr bool
		err               float64
	}{{"pythia-2.8b", false, true, 0.015}, {"pythia-12b", true, true, 0.005}, {"pythia-2.8b", false, false, 0}} {
		c := checks[i]
		if c.Model != want.model || c.InInterval() != want.inInterval || c.InSpread() != want.inSpr || math.Abs(c.Error()-want.err) > 1e-12 {
			t.Errorf("check %d: %+v (in interval %v, in spread %v, error %g), want %+v", i, c, c.InInterval(), c.InSpread(), c.Error(), want)
		}
	}
	if checks[0].Source != tables[0].Source {
		t.Errorf("check's source %q, want the table's", checks[0].Source)
	}
}
