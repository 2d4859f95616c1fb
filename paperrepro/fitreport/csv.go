package fitreport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// WriteTable1CSV writes our Table 1: per modality each coefficient with its
// interval, then R^2 and RMSE and the bootstrap's options.
func WriteTable1CSV(w io.Writer, analyses []*scaling.Analysis) error {
	cw := csv.NewWriter(w)
	header := []string{"modality", "cells"}
	for _, name := range (scaling.PowerLaw{}).Coefficients() {
		header = append(header, name, name+"_lo", name+"_hi")
	}
	header = append(header, "r2", "rmse", "level", "resamples", "seed")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("writing Table 1: %w", err)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, a := range analyses {
		rec := []string{a.Modality, strconv.Itoa(len(a.Fit.Cells))}
		for _, iv := range a.Bootstrap.Intervals {
			rec = append(rec, num(iv.Estimate), num(iv.Lo), num(iv.Hi))
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
