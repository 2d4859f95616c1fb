package results

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// PaperTolerance is how far our compression ratio may be from the paper's
// and still count as reproduced: 0.01 for text (the same enwik8 bytes), 0.03
// for image and speech, whose source samples cannot be the paper's exactly
// (its ImageNet crops and LibriSpeech files are not published).
func PaperTolerance(modality string) float64 {
	if modality == "text" {
		return 0.01
	}
	return 0.03
}

// Comparison is one cell of a paper table beside ours.
type Comparison struct {
	Model string
	Step  int
	Paper float64
	// Ours is NaN when we have no result for the cell.
	Ours float64
}

// Have reports whether we have a result for the cell.
func (c Comparison) Have() bool { return !math.IsNaN(c.Ours) }

// Diff is ours minus the paper's (NaN without ours).
func (c Comparison) Diff() float64 { return c.Ours - c.Paper }

// Compare lines up ours with every cell of the paper's table, in the paper's
// order (model size, then step).
func Compare(paper, ours Table) []Comparison {
	paper.Sort()
	var out []Comparison
	for _, row := range paper.Rows {
		cr, ok := ours.CR(row.Model, row.Step)
		if !ok {
			cr = math.NaN()
		}
		out = append(out, Comparison{Model: row.Model, Step: row.Step, Paper: row.CR, Ours: cr})
	}
	return out
}

// PrintComparison writes a modality's comparison as a table - model, step,
// ours, the paper's, difference, verdict - and a closing count. It returns
// how many cells were compared and how many of those are within tolerance.
func PrintComparison(w io.Writer, modality string, cmp []Comparison, tolerance float64) (compared, within int) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\tstep\tours\tpaper\tdiff\t\n")
	for _, c := range cmp {
		if !c.Have() {
			fmt.Fprintf(tw, "%s\t%d\t-\t%.3f\t\t  not computed\n", c.Model, c.Step, c.Paper)
			continue
		}
		compared++
		verdict := "ok"
		if math.Abs(c.Diff()) <= tolerance {
			within++
		} else {
			verdict = fmt.Sprintf("off by more than %g", tolerance)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.3f\t%+.4f\t  %s\n", c.Model, c.Step, c.Ours, c.Paper, c.Diff(), verdict)
	}
	tw.Flush()
	fmt.Fprintf(w, "%s: %d of %d cells computed, %d of them within %g of the paper\n", modality, compared, len(cmp), within, tolerance)
	return compared, within
}
