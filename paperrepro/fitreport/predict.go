package fitreport

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// WritePredictions writes ps as a table - modality, model, P, step, the
// predicted CR, its bootstrap interval and the spread over forms - under a
// heading that says which law predicts, what P is and how the intervals
// were made.
func WritePredictions(w io.Writer, ps scaling.Predictions) {
	fmt.Fprintf(w, "Predicted compression ratios: %s, P as %s parameter counts\n", ps.Law, ps.Sizes)
	if o := ps.Bootstrap; o.Resamples > 0 {
		fmt.Fprintf(w, "interval: %.0f%% percentile bootstrap over %d resamples of the cells (seed %d); ", 100*o.Level, o.Resamples, o.Seed)
	} else {
		fmt.Fprint(w, "no interval (a printed law has no cells to resample); ")
	}
	if ps.FormsCompared > 0 {
		fmt.Fprintf(w, "forms: lowest and highest CR of the %d forms `paperrepro fit -forms` compares\n", ps.FormsCompared)
	} else {
		fmt.Fprintln(w, "no spread over forms")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "modality\tmodel\tP\tstep\tCR\tinterval\tforms\t")
	for _, p := range ps.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.4f\t%s\t%s\t\n", p.Modality, modelLabel(p.Point), figures.Count(p.P), strconv.Itoa(p.Step), p.CR,
			rangeOr(p.HasInterval(), p.Lo, p.Hi), rangeOr(p.HasSpread(), p.FormsLo, p.FormsHi))
	}
	tw.Flush()
}

// WritePredictionChecks writes computed cells beside their predictions:
// the computed and predicted CR, the interval and spread, and whether the
// computed value falls inside each, then a count. It writes nothing for no
// checks.
func WritePredictionChecks(w io.Writer, law string, checks []scaling.PredictionCheck) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(w, "Computed cells against the registered prediction (%s):\n", law)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "modality\tmodel\tstep\tcomputed\tpredicted\tinterval\t\tforms\t\t")
	inInterval, inSpread := 0, 0
	for _, c := range checks {
		if c.InInterval() {
			inInterval++
		}
		if c.InSpread() {
			inSpread++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t%s\t%s\t%s\t%s\t\n", c.Modality, modelLabel(c.Point), c.Step, c.Computed, c.CR,
			rangeOr(c.HasInterval(), c.Lo, c.Hi), inside(c.HasInterval(), c.InInterval()),
			rangeOr(c.HasSpread(), c.FormsLo, c.FormsHi), inside(c.HasSpread(), c.InSpread()))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d of %d computed cells inside the bootstrap interval, %d inside the spread over forms", inInterval, len(checks), inSpread)
	if source := checks[0].Source; source != "" {
		fmt.Fprintf(w, " (cells: %s)", source)
	}
	fmt.Fprintln(w)
}

// modelLabel names a point's model, or its size when it has no name.
func modelLabel(p scaling.Point) string {
	if p.Model == "" {
		return "P = " + figures.Count(p.P)
	}
	return p.Model
}

// rangeOr formats [lo, hi], or "-" when the range is absent.
func rangeOr(has bool, lo, hi float64) string {
	if !has {
		return "-"
	}
	return fmt.Sprintf("[%.4f, %.4f]", lo, hi)
}

// inside says whether a value fell inside a range, "" when there is none.
func inside(has, in bool) string {
	switch {
	case !has:
		return ""
	case in:
		return "inside"
	}
	return "OUTSIDE"
}
