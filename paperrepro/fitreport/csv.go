package fitreport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// datasets names the data set of each modality as the paper's Table 1
// does (expected/table1_fit.csv): the sources the datasets package reads.
var datasets = map[string]string{"text": "enwik8", "image": "imagenet", "speech": "librispeech"}

// WriteTable1CSV writes our Table 1 in the layout of the paper's
// (modality, dataset, a, b, c, alpha, beta), so that results.LoadPaper
// reads it like expected/table1_fit.csv, followed by what the paper does
// not give: the cell count, each coefficient's interval, R^2, RMSE and the
// bootstrap's options. A modality other than the paper's three has itself
// as its data set.
func WriteTable1CSV(w io.Writer, analyses []*scaling.Analysis) error {
	names := scaling.PowerLaw{}.Coefficients()
	header := append([]string{"modality", "dataset"}, names...)
	header = append(header, "cells")
	for _, name := range names {
		header = append(header, name+"_lo", name+"_hi")
	}
	header = append(header, "r2", "rmse", "level", "resamples", "seed")
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("writing Table 1: %w", err)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, a := range analyses {
		dataset, ok := datasets[a.Modality]
		if !ok {
			dataset = a.Modality
		}
		rec := []string{a.Modality, dataset}
		for _, iv := range a.Bootstrap.Intervals {
			rec = append(rec, num(iv.Estimate))
		}
		rec = append(rec, strconv.Itoa(len(a.Fit.Cells)))
		for _, iv := range a.Bootstrap.Intervals {
			rec = append(rec, num(iv.Lo), num(iv.Hi))
		}
		o := a.Bootstrap.Options
		rec = append(rec, num(a.Fit.R2), num(a.Fit.RMSE), num(o.Level), strconv.Itoa(o.Resamples), strconv.FormatUint(o.Seed, 10))
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing Table 1: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing Table 1: %w", err)
	}
	return nil
}
