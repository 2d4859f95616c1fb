package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// testCell is a small complete cell of modality for model at step, of two
// chunks of ratio cr, consistent with itself.
func testCell(model string, params float64, step int, modality string, cr float64) *Cell {
	c := &Cell{
		Model: model, Params: params, Step: step, Modality: modality,
		Protocol: ProtocolInfo{Name: "seed", Options: map[string]any{"float16": true}},
		Data:     datasets.Provenance{Modality: modality, Rule: "test", ChunkSize: 64, Count: 2},
		PerChunk: []ChunkResult{{Index: 0, Tokens: 3, Bits: cr * 8 * 64, CR: cr}, {Index: 1, Tokens: 3, Bits: cr * 8 * 64, CR: cr}},
	}
	if err := c.Summarize(); err != nil {
		panic(err)
	}
	return c
}

// writeGrid writes a 2 x 2 grid of text cells under dir as a run lays them
// out (a local model among them), and returns the paths.
func writeGrid(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for _, m := range []struct {
		name   string
		params float64
	}{{"mine", 1.5e6}, {"pythia-70m", 70e6}} {
		for _, step := range []int{1000, 2000} {
			path := filepath.Join(dir, m.name, fmt.Sprintf("step%d", step), "text.json")
			if err := WriteCell(path, testCell(m.name, m.params, step, "text", 0.5+1e3/m.params+1/float64(step))); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, path)
		}
	}
	return paths
}

func TestCellRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed", "mine", "step1000", "text.json")
	want := testCell("mine", 1.5e6, 1000, "text", 0.4)
	if err := WriteCell(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCell(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != "mine step 1000 text" || got.CR != 0.4 || got.Params != 1.5e6 || len(got.PerChunk) != 2 || got.Protocol.Label() != "seed+float16" {
		t.Errorf("read back %+v", got)
	}
}

// TestReadFolderOfCells: a run's folder reads as tables from its cells, the
// one source of truth; a stale or partial CSV beside them changes nothing.
func TestReadFolderOfCells(t *testing.T) {
	dir := t.TempDir()
	writeGrid(t, dir)
	stale := "modality,model,params,step,compression_ratio\ntext,pythia-70m,7e7,1000,0.9\n"
	if err := os.WriteFile(filepath.Join(dir, "compression_ratios.csv"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	tables, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || len(tables[0].Rows) != 4 || tables[0].Modality != "text" {
		t.Fatalf("tables %+v, want the 4 text cells", tables)
	}
	if cr, ok := tables[0].CR("pythia-70m", 1000); !ok || cr == 0.9 {
		t.Errorf("CR of pythia-70m step 1000 = %v, %v: from the stale CSV, not the cell", cr, ok)
	}
	if ms := tables[0].Models(); ms[0].Name != "mine" || ms[0].Params != 1.5e6 {
		t.Errorf("models %+v: a local model keeps its name and parameter count", ms)
	}
}

// TestReadDamagedCell: a damaged or incomplete result file is an error that
// names it, never skipped.
func TestReadDamagedCell(t *testing.T) {
	tests := []struct {
		name   string
		damage func(data []byte) []byte
		want   string
	}{
		{"truncated", func(d []byte) []byte { return d[:len(d)/2] }, "not a result cell"},
		{"not JSON", func([]byte) []byte { return []byte("garbage") }, "not a result cell"},
		{"chunk missing", func(d []byte) []byte { return []byte(strings.Replace(string(d), `"chunks": 2`, `"chunks": 3`, 1)) }, "field chunks: 3"},
		{"step 0", func(d []byte) []byte { return []byte(strings.Replace(string(d), `"step": 1000`, `"step": 0`, 1)) }, "field step: 0"},
		{"negative ratio", func(d []byte) []byte {
			return []byte(strings.Replace(string(d), `"compression_ratio": 0.5`, `"compression_ratio": -1`, 1))
		}, "not a positive ratio"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			paths := writeGrid(t, dir)
			data, err := os.ReadFile(paths[2])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(paths[2], tc.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Read(dir)
			if err == nil || !strings.Contains(err.Error(), paths[2]) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read: %v; want an error naming %s and saying %q", err, paths[2], tc.want)
			}
			if err != nil && strings.Count(err.Error(), paths[2]) != 1 {
				t.Errorf("error names the file more than once: %v", err)
			}
		})
	}
}

func TestCellTablesRefusesMixes(t *testing.T) {
	a := testCell("pythia-70m", 70e6, 1000, "text", 0.3)
	lossless := testCell("pythia-70m", 70e6, 2000, "text", 0.3)
	lossless.Protocol = ProtocolInfo{Name: "lossless"}
	fewer := testCell("pythia-70m", 70e6, 2000, "text", 0.3)
	fewer.Data.Count = 1
	otherModality := testCell("pythia-70m", 70e6, 2000, "image", 0.3)
	otherModality.Data.Count = 7
	for _, tc := range []struct {
		name  string
		cells []*Cell
		want  string
	}{
		{"protocols", []*Cell{a, lossless}, "protocols seed+float16 and lossless"},
		{"chunk counts", []*Cell{a, fewer}, "has 2 chunks of 64 bytes (rule test) but pythia-70m step 2000 text has 1"},
	} {
		if _, err := CellTables(tc.cells); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	tables, err := CellTables([]*Cell{otherModality, a})
	if err != nil || len(tables) != 2 || tables[0].Modality != "text" || tables[1].Modality != "image" {
		t.Errorf("modalities of different chunk counts: %+v, %v; want text then image", tables, err)
	}
}

// TestReadInconsistentCell: a cell must agree with itself - its totals and
// mean compression ratio with its chunks, each chunk's ratio with its bits
// and the chunk size, its dropped marks with the protocol's rule - or it is
// an error naming the file and the field, never a number in a table.
func TestReadInconsistentCell(t *testing.T) {
	edit := func(old, new string) func([]byte) []byte {
		return func(d []byte) []byte {
			if !strings.Contains(string(d), old) {
				t.Fatalf("the cell holds no %q:\n%s", old, d)
			}
			return []byte(strings.Replace(string(d), old, new, 1))
		}
	}
	cell := testCell("mine", 1.5e6, 2000, "text", 0.5)
	cell.PerChunk[1].Bits, cell.PerChunk[1].CR = 1024, 2
	if err := cell.Summarize(); err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(cell, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		damage func([]byte) []byte
		want   string
	}{
		{"mean edited", edit(`"compression_ratio": 1.25,`, `"compression_ratio": 0.1234,`), "compression_ratio 0.1234, but its chunks give 1.25"},
		{"chunk ratio edited", edit(`"compression_ratio": 2,`, `"compression_ratio": 0.2,`), "per_chunk[1]: compression_ratio 0.2, but its bits give 2"},
		{"chunk bits edited", edit(`"bits": 1024,`, `"bits": 1000,`), "per_chunk[1]: compression_ratio 2, but its bits give 1.953125"},
		{"total bits edited", edit(`"bits": 1280,`, `"bits": 1200,`), "bits 1200, but its chunks give 1280"},
		{"total tokens edited", edit(`"tokens": 6,`, `"tokens": 60,`), "tokens 60, but its chunks give 6"},
		{"chunk dropped", edit(`"compression_ratio": 2,`, `"compression_ratio": 2, "dropped": true,`), "per_chunk[1]: dropped is true, but the seed protocol drops"},
		{"dropped count edited", edit(`"dropped_chunks": 0,`, `"dropped_chunks": 1,`), "dropped_chunks 1, but its chunks give 0"},
		{"chunk count edited", edit(`"count": 2,`, `"count": 3,`), "data.count 3, but per_chunk holds 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mine", "step2000", "text.json")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadCell(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadCell: %v; want an error naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := DecodeCell(data); err != nil {
		t.Errorf("the consistent cell: %v", err)
	}
}
