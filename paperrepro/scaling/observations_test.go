package scaling

import (
	"errors"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestObservationTransforms(t *testing.T) {
	obs := grid3()
	dropped := WithoutSteps(obs, 1000, 4000)
	if len(dropped) != 3 || dropped[0].S != 2000 || len(obs) != 9 {
		t.Errorf("WithoutSteps left %d cells (first at step %g), input now %d", len(dropped), dropped[0].S, len(obs))
	}
	scaled := Rescaled(obs, 2)
	if scaled[4].CR != 2*obs[4].CR || obs[4].CR == scaled[4].CR {
		t.Errorf("Rescaled: %v from %v", scaled[4].CR, obs[4].CR)
	}
	sizes := map[string]float64{"s": 10, "m": 20, "l": 40}
	resized, err := WithSizes(obs, func(m string) (float64, error) {
		if p, ok := sizes[m]; ok {
			return p, nil
		}
		return 0, errors.New("unknown model")
	})
	if err != nil {
		t.Fatal(err)
	}
	if resized[8].P != 40 || obs[8].P != 4e6 {
		t.Errorf("WithSizes: P %v (input %v)", resized[8].P, obs[8].P)
	}
	if _, err := WithSizes(obs, func(m string) (float64, error) { return 0, errors.New("unknown model") }); err == nil || !strings.Contains(err.Error(), "size of s") {
		t.Errorf("failing size: %v", err)
	}
	if _, err := WithSizes(obs, func(string) (float64, error) { return -1, nil }); err == nil {
		t.Error("negative size accepted")
	}
}

// TestTableWithSizes refits-ready copies of a table on other sizes: the
// input is untouched, rows are re-sorted by the new sizes, a failing size
// names the table and model.
func TestTableWithSizes(t *testing.T) {
	table := results.Table{Modality: "text", Source: "paper, Table 2", Rows: []results.Row{
		{Model: "a", Params: 1, Step: 1, CR: 0.5}, {Model: "b", Params: 2, Step: 1, CR: 0.4},
	}}
	got, err := TableWithSizes(table, func(m string) (float64, error) { return map[string]float64{"a": 30, "b": 20}[m], nil })
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows[0].Model != "b" || got.Rows[0].Params != 20 || got.Rows[1].Params != 30 || got.Source != table.Source || table.Rows[0].Params != 1 {
		t.Errorf("resized %+v from %+v", got, table)
	}
	if _, err := TableWithSizes(table, func(m string) (float64, error) { return 0, errors.New("no count") }); err == nil || !strings.Contains(err.Error(), "text table: size of a: no count") {
		t.Errorf("failing size: %v", err)
	}
}
