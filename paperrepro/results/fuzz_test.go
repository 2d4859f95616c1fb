package results

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzDecodeCell: any bytes read as a result file give an error or a cell
// that a table can hold (a model, step >= 1, a positive finite ratio, as
// many chunk results as announced, numbered in order) and that encodes and
// decodes to itself.
func FuzzDecodeCell(f *testing.F) {
	good, _ := json.Marshal(testCell("pythia-70m", 70e6, 1000, "text", 0.25))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"model":"m","params":1,"step":1,"modality":"text","compression_ratio":0.5,"chunks":0,"per_chunk":[]}`))
	f.Add([]byte(`{"model":"m","params":1,"step":0,"modality":"text","compression_ratio":NaN}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCell(data)
		if err != nil {
			return
		}
		if c.Model == "" || c.Modality == "" || c.Step < 1 || !(c.CR > 0) || math.IsInf(c.CR, 0) || !(c.Params > 0) || c.Chunks != len(c.PerChunk) {
			t.Fatalf("accepted an unusable cell: %+v", c)
		}
		for i, r := range c.PerChunk {
			if r.Index != i || math.IsNaN(r.Bits) || math.IsInf(r.CR, 0) {
				t.Fatalf("accepted chunk %d: %+v", i, r)
			}
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("an accepted cell does not encode: %v", err)
		}
		if _, err := DecodeCell(again); err != nil {
			t.Fatalf("an accepted cell does not read back: %v", err)
		}
	})
}
