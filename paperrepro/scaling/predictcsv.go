package scaling

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/internal/csvtable"
)

// predictionColumns are the columns of a predictions CSV: one row per
// modality and point, then what the predictions were made with, the same
// on every row. An interval or spread the law does not have is empty.
var predictionColumns = []string{
	"modality", "model", "params", "step",
	"predicted_compression_ratio", "interval_lo", "interval_hi", "forms_lo", "forms_hi",
	"law", "sizes", "level", "resamples", "seed", "forms_compared",
}

// EncodePredictions writes ps as CSV, numbers to 6 significant digits.
func EncodePredictions(w io.Writer, ps Predictions) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(predictionColumns); err != nil {
		return fmt.Errorf("writing predictions: %w", err)
	}
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	for _, p := range ps.Rows {
		rec := []string{
			p.Modality, p.Model, strconv.FormatFloat(p.P, 'g', -1, 64), strconv.Itoa(p.Step),
			num(p.CR), num(p.Lo), num(p.Hi), num(p.FormsLo), num(p.FormsHi),
			ps.Law, ps.Sizes, num(ps.Bootstrap.Level), strconv.Itoa(ps.Bootstrap.Resamples),
			strconv.FormatUint(ps.Bootstrap.Seed, 10), strconv.Itoa(ps.FormsCompared),
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing predictions: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing predictions: %w", err)
	}
	return nil
}

// WritePredictions writes ps to the CSV file path, atomically.
func WritePredictions(path string, ps Predictions) error {
	var buf bytes.Buffer
	if err := EncodePredictions(&buf, ps); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

// ReadPredictions reads a predictions CSV that WritePredictions wrote (the
// registered predictions in expected/, say). Errors name the file, line and
// field at fault.
func ReadPredictions(path string) (Predictions, error) {
	t, err := csvtable.ReadFile(path)
	if err != nil {
		return Predictions{}, fmt.Errorf("reading predictions: %w", err)
	}
	return decodePredictions(t)
}

// DecodePredictions reads predictions CSV data; name is used in errors.
func DecodePredictions(r io.Reader, name string) (Predictions, error) {
	t, err := csvtable.Read(r, name)
	if err != nil {
		return Predictions{}, fmt.Errorf("reading predictions: %w", err)
	}
	return decodePredictions(t)
}

func decodePredictions(t *csvtable.Table) (Predictions, error) {
	if err := t.Require(predictionColumns...); err != nil {
		return Predictions{}, err
	}
	if len(t.Records) == 0 {
		return Predictions{}, fmt.Errorf("%s: no predictions after the header", t.Name)
	}
	var ps Predictions
	// optional reads a number that may be empty (NaN).
	optional := func(r csvtable.Record, column string) (float64, error) {
		if r.Raw(column) == "" {
			return math.NaN(), nil
		}
		return r.Float(column)
	}
	for i, r := range t.Records {
		var p Prediction
		var err error
		if p.Modality, err = r.String("modality"); err != nil {
			return Predictions{}, err
		}
		p.Model = r.Raw("model")
		if p.P, err = r.Float("params"); err != nil {
			return Predictions{}, err
		}
		step, err := r.Float("step")
		if err != nil {
			return Predictions{}, err
		}
		if p.Step = int(step); float64(p.Step) != step || p.Step < 1 || !(p.P > 0) {
			return Predictions{}, r.Errorf("params %g, step %g: want a positive size and a whole step of at least 1", p.P, step)
		}
		if p.CR, err = r.Float("predicted_compression_ratio"); err != nil {
			return Predictions{}, err
		}
		for _, f := range []struct {
			column string
			dst    *float64
		}{{"interval_lo", &p.Lo}, {"interval_hi", &p.Hi}, {"forms_lo", &p.FormsLo}, {"forms_hi", &p.FormsHi}} {
			if *f.dst, err = optional(r, f.column); err != nil {
				return Predictions{}, err
			}
		}
		if p.HasInterval() && !(p.Lo <= p.Hi) || p.HasSpread() && !(p.FormsLo <= p.FormsHi) {
			return Predictions{}, r.Errorf("an interval or spread whose low end exceeds its high end")
		}
		var made Predictions
		made.Law, made.Sizes = r.Raw("law"), r.Raw("sizes")
		if made.Bootstrap.Level, err = optional(r, "level"); err != nil {
			return Predictions{}, err
		}
		if math.IsNaN(made.Bootstrap.Level) {
			made.Bootstrap.Level = 0
		}
		if made.Bootstrap.Resamples, err = intField(r, "resamples"); err != nil {
			return Predictions{}, err
		}
		if made.Bootstrap.Seed, err = strconv.ParseUint(r.Raw("seed"), 10, 64); err != nil {
			return Predictions{}, r.Errorf("field seed: %q is not a seed", r.Raw("seed"))
		}
		if made.FormsCompared, err = intField(r, "forms_compared"); err != nil {
			return Predictions{}, err
		}
		if i == 0 {
			ps = made
		} else if made.Law != ps.Law || made.Sizes != ps.Sizes || made.Bootstrap != ps.Bootstrap || made.FormsCompared != ps.FormsCompared {
			return Predictions{}, r.Errorf("law, sizes, bootstrap or forms differ from line %d's: a predictions file holds predictions made together", t.Records[0].Line)
		}
		ps.Rows = append(ps.Rows, p)
	}
	return ps, nil
}

// intField reads a whole number from column.
func intField(r csvtable.Record, column string) (int, error) {
	v, err := strconv.Atoi(r.Raw(column))
	if err != nil {
		return 0, r.Errorf("field %s: %q is not a whole number", column, r.Raw(column))
	}
	return v, nil
}
