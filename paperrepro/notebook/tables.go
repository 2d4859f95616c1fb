package notebook

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// TableCaptions name the paper's Tables 2-4 by modality.
var TableCaptions = map[string]string{
	"text":   "Table 2 · text (enwik8)",
	"image":  "Table 3 · image (ImageNet 32×64 patches)",
	"speech": "Table 4 · speech (LibriSpeech 16 kHz)",
}

// HeatTable renders the paper's table of a modality as a heat table, as in
// its Figure 1: one row per model, one column per step, each cell shaded by
// its CR within the table (dark blue: low, the best compression). Where
// ours (the grid's table, which may be empty) has the cell, it reads
// "ours / paper".
func HeatTable(paperTable, ours results.Table) Table {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range paperTable.Rows {
		lo, hi = min(lo, r.CR), max(hi, r.CR)
	}
	steps := paperTable.Steps()
	head := []string{"model"}
	for _, s := range steps {
		head = append(head, "step "+figures.Count(float64(s)))
	}
	t := Table{Caption: TableCaptions[paperTable.Modality], Head: [][]Cell{Row(head...)}}
	for _, m := range paperTable.Models() {
		row := Row(m.Name)
		for _, s := range steps {
			cr, _ := paperTable.CR(m.Name, s)
			text := fmt.Sprintf("%.3f", cr)
			if v, ok := ours.CR(m.Name, s); ok {
				text = fmt.Sprintf("%.3f / %.3f", v, cr)
			}
			row = append(row, Cell{Text: text, Shade: heatShade(cr, lo, hi)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// heatShade maps v in [lo, hi] from dark blue (lo) to near white (hi).
func heatShade(v, lo, hi float64) color.Color {
	t := 0.0
	if hi > lo {
		t = (v - lo) / (hi - lo)
	}
	mix := func(from, to float64) uint8 { return uint8(math.Round(from + t*(to-from))) }
	return color.RGBA{mix(30, 240), mix(60, 245), mix(120, 250), 255}
}

// TableReading is what one table says about size and training, measured:
// the three patterns notebook 3 reads in the paper's Tables 2-4.
type TableReading struct {
	Modality string
	// Steps are the table's steps; LastCRs the CR of each model at the last
	// one, smallest model first.
	Steps   []int
	LastCRs []float64
	// NotBetter lists each larger model that is not better than the next
	// smaller one at the last step, at three decimals: "pythia-1b →
	// pythia-1.4b (0.384 → 0.385)".
	NotBetter []string
	// EarlyGains and LateGains are each model's gain in CR (positive: it
	// improved) from the first step to the second, and from the third to
	// the last.
	EarlyGains, LateGains []scaling.ModelGain
	// WorseSteps counts the steps from one checkpoint to the next that make
	// a model worse, of Steps pairs.
	WorseSteps, StepPairs int
}

// ReadTable measures a table's patterns.
func ReadTable(t results.Table) TableReading {
	obs := scaling.Observations(t)
	steps, models := t.Steps(), t.Models()
	last := steps[len(steps)-1]
	r := TableReading{Modality: t.Modality, Steps: steps}
	for i, m := range models {
		cr, _ := t.CR(m.Name, last)
		r.LastCRs = append(r.LastCRs, cr)
		if i > 0 && math.Round(1000*cr) >= math.Round(1000*r.LastCRs[i-1]) {
			r.NotBetter = append(r.NotBetter, fmt.Sprintf("%s → %s (%.3f → %.3f)", models[i-1].Name, m.Name, r.LastCRs[i-1], cr))
		}
	}
	gains := func(from, to int) []scaling.ModelGain {
		return Must(scaling.StepGains(obs, float64(from), float64(to)))
	}
	r.EarlyGains, r.LateGains = gains(steps[0], steps[1]), gains(steps[2], last)
	for i := 1; i < len(steps); i++ {
		for _, g := range gains(steps[i-1], steps[i]) {
			r.StepPairs++
			if g.Gain < 0 {
				r.WorseSteps++
			}
		}
	}
	return r
}

// LateWorse names the models that got worse from the third step to the last.
func (r TableReading) LateWorse() []string {
	var out []string
	for _, g := range r.LateGains {
		if g.Gain < 0 {
			out = append(out, g.Model)
		}
	}
	return out
}

// ReadingsTable sets the readings side by side: the CRs at the last step
// and each model's early and late gains.
func ReadingsTable(rs []TableReading) Table {
	s := rs[0].Steps
	count := func(i int) string { return figures.Count(float64(s[i])) }
	t := NewTable([]string{"modality",
		fmt.Sprintf("CR at step %s, smallest → largest model", count(len(s)-1)),
		fmt.Sprintf("gain from step %s to %s, per model (mean)", count(0), count(1)),
		fmt.Sprintf("gain from step %s to %s, per model", count(2), count(len(s)-1))})
	for _, r := range rs {
		early, mean := gainList(r.EarlyGains)
		late, _ := gainList(r.LateGains)
		t.Add(r.Modality, joinFloats(r.LastCRs, "%.3f", " → "), fmt.Sprintf("%s (%.3f)", early, mean), late)
	}
	return t
}

// gainList formats gains as "+0.047, -0.005" and returns their mean.
func gainList(gs []scaling.ModelGain) (string, float64) {
	var parts []string
	var sum float64
	for _, g := range gs {
		parts = append(parts, fmt.Sprintf("%+.3f", g.Gain))
		sum += g.Gain
	}
	return strings.Join(parts, ", "), sum / float64(len(gs))
}

// joinFloats formats each of v with format and joins them with sep.
func joinFloats(v []float64, format, sep string) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, sep)
}

// Readings are the readings of several tables.
type Readings []TableReading

// ReadTables reads each table (ReadTable).
func ReadTables(tables []results.Table) Readings {
	var rs Readings
	for _, t := range tables {
		rs = append(rs, ReadTable(t))
	}
	return rs
}

// NotBetter lists, over all tables, the larger models no better than the
// next smaller one at the last step, each prefixed with its modality.
func (rs Readings) NotBetter() []string {
	var out []string
	for _, r := range rs {
		for _, n := range r.NotBetter {
			out = append(out, r.Modality+" "+n)
		}
	}
	return out
}

// LateWorse lists, per table with any, the models that got worse from the
// third step to the last: "text: pythia-70m, pythia-160m".
func (rs Readings) LateWorse() []string {
	var out []string
	for _, r := range rs {
		if w := r.LateWorse(); len(w) > 0 {
			out = append(out, r.Modality+": "+strings.Join(w, ", "))
		}
	}
	return out
}

// WorseSteps counts, over all tables, the steps from one checkpoint to the
// next that make a model worse, and all such steps.
func (rs Readings) WorseSteps() (worse, of int) {
	for _, r := range rs {
		worse, of = worse+r.WorseSteps, of+r.StepPairs
	}
	return worse, of
}
