package grid

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Tables turns cells into one results.Table per modality, in the order of
// results.Modalities (other modalities after them). Cells of one protocol
// only make sense together; mixing protocols is an error.
func Tables(cells []*CellResult) ([]results.Table, error) {
	byModality := map[string]*results.Table{}
	var order []string
	protocol := ""
	for _, c := range cells {
		if protocol == "" {
			protocol = c.Protocol.Label()
		} else if c.Protocol.Label() != protocol {
			return nil, fmt.Errorf("cells of protocols %s and %s cannot go in one table: read one protocol's folder", protocol, c.Protocol.Label())
		}
		t, ok := byModality[c.Modality]
		if !ok {
			t = &results.Table{Modality: c.Modality}
			byModality[c.Modality] = t
			order = append(order, c.Modality)
		}
		t.Rows = append(t.Rows, results.Row{Model: c.Model, Params: c.Params, Step: c.Step, CR: c.CR})
	}
	var tables []results.Table
	for _, m := range results.Modalities {
		if t, ok := byModality[m]; ok {
			t.Sort()
			tables = append(tables, *t)
			delete(byModality, m)
		}
	}
	for _, m := range order {
		if t, ok := byModality[m]; ok {
			t.Sort()
			tables = append(tables, *t)
		}
	}
	return tables, nil
}
