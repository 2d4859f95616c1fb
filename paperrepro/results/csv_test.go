package results

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodCSV = `model,params,step,compression_ratio
pythia-70m,70000000,1000,0.223
pythia-70m,70000000,2000,0.176
pythia-1b,1e9,1000,0.207
pythia-1b,1e9,2000,0.14
`

func TestDecodeGood(t *testing.T) {
	tables, err := Decode(strings.NewReader(goodCSV), "results/table2_text.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 {
		t.Fatalf("got %d tables, want 1", len(tables))
	}
	tab := tables[0]
	if tab.Modality != "text" {
		t.Errorf("modality %q, want text (from the file name)", tab.Modality)
	}
	if got := tab.Steps(); len(got) != 2 || got[0] != 1000 || got[1] != 2000 {
		t.Errorf("steps %v, want [1000 2000]", got)
	}
	ms := tab.Models()
	if len(ms) != 2 || ms[0] != (ModelSize{"pythia-70m", 70e6}) || ms[1] != (ModelSize{"pythia-1b", 1e9}) {
		t.Errorf("models %v", ms)
	}
	if cr, ok := tab.CR("pythia-1b", 2000); !ok || cr != 0.14 {
		t.Errorf("CR(pythia-1b, 2000) = %v, %v; want 0.14, true", cr, ok)
	}
	if _, ok := tab.CR("pythia-1b", 3000); ok {
		t.Error("CR(pythia-1b, 3000) found a cell that does not exist")
	}
}

// TestDecodeBadInput checks that each kind of malformed or incomplete CSV
// gives an error naming the file, the line and the field.
func TestDecodeBadInput(t *testing.T) {
	const header = "model,params,step,compression_ratio\n"
	tests := []struct {
		name string
		csv  string
		want []string // substrings of the error
	}{
		{"empty cell", header + "pythia-70m,70000000,1000,\n", []string{"t_text.csv:2", "field compression_ratio", "missing cell"}},
		{"short row", header + "pythia-70m,70000000,1000,0.2\npythia-70m,70000000,2000\n", []string{"t_text.csv:3", "missing or extra cell"}},
		{"missing grid cell", header + "pythia-70m,70e6,1000,0.2\npythia-70m,70e6,2000,0.1\npythia-1b,1e9,1000,0.2\n", []string{"t_text.csv", "missing cell", "pythia-1b", "step 2000"}},
		{"non-numeric ratio", header + "pythia-70m,70000000,1000,abc\n", []string{"t_text.csv:2", "field compression_ratio", `"abc" is not a number`}},
		{"non-numeric params", header + "pythia-70m,seventy,1000,0.2\n", []string{"t_text.csv:2", "field params", `"seventy"`}},
		{"non-integer step", header + "pythia-70m,70000000,1000.5,0.2\n", []string{"t_text.csv:2", "field step", `"1000.5"`}},
		{"negative ratio", header + "pythia-70m,70000000,1000,0.2\npythia-70m,70000000,2000,-0.1\n", []string{"t_text.csv:3", "field compression_ratio", "-0.1", "not a positive ratio"}},
		{"zero params", header + "pythia-70m,0,1000,0.2\n", []string{"t_text.csv:2", "field params"}},
		{"negative step", header + "pythia-70m,70000000,-5,0.2\n", []string{"t_text.csv:2", "field step", "at least 1"}},
		{"step 0", header + "pythia-70m,70000000,0,0.2\n", []string{"t_text.csv:2", "field step: 0", "at least 1", "-step"}},
		{"blank model", header + "pythia-70m,70000000,1000,0.2\n\" \",124000000,1000,0.2\n", []string{"t_text.csv:3", "field model"}},
		{"duplicate cell", header + "pythia-70m,70000000,1000,0.2\npythia-70m,70000000,1000,0.3\n", []string{"t_text.csv:3", "already given on line 2"}},
		{"two sizes", header + "pythia-70m,70000000,1000,0.2\npythia-70m,80000000,2000,0.3\n", []string{"t_text.csv:3", "field params", "line 2"}},
		{"missing column", "model,params,compression_ratio\npythia-70m,1,0.2\n", []string{"t_text.csv:1", `"step" column`}},
		{"header only", header, []string{"t_text.csv", "no rows"}},
		{"empty file", "", []string{"t_text.csv", "empty file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t_text.csv")
			if err := os.WriteFile(path, []byte(tc.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadTableCSV(path)
			if err == nil {
				t.Fatalf("no error for\n%s", tc.csv)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), "t_text.csv"); n != 1 {
				t.Errorf("error %q names the file %d times, want once", err, n)
			}
		})
	}
}

func TestDecodeModalityColumnAndExtraColumns(t *testing.T) {
	const data = `model,params,step,modality,chunks,compression_ratio
pythia-tiny-16,1616320,step1000,text,16,0.74
pythia-tiny-16,1616320,step1000,speech,16,1.39
pythia-tiny-32,3000000,step1000,speech,16,1.2
pythia-tiny-32,3000000,step1000,text,16,0.7
`
	tables, err := Decode(strings.NewReader(data), "grid.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Modality != "text" || tables[1].Modality != "speech" {
		t.Fatalf("tables %+v, want text then speech", tables)
	}
	if cr, ok := tables[1].CR("pythia-tiny-32", 1000); !ok || cr != 1.2 {
		t.Errorf("speech CR(pythia-tiny-32, 1000) = %v, %v; want 1.2", cr, ok)
	}
	path := filepath.Join(t.TempDir(), "grid.csv")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTableCSV(path); err == nil || !strings.Contains(err.Error(), "text, speech") {
		t.Errorf("ReadTableCSV on two modalities: error %v, want one naming text, speech", err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := []Table{
		{Modality: "speech", Rows: []Row{{"pythia-tiny-32", 3.1e6, 2000, 1.0 / 3}, {"pythia-tiny-32", 3.1e6, 1000, 0.9}}},
		{Modality: "text", Rows: []Row{{"pythia-1.4b", 1.4e9, 143000, 0.115}}},
	}
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := WriteCSV(path, in...); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Modality != "text" || out[1].Modality != "speech" {
		t.Fatalf("read back %+v", out)
	}
	want := Row{"pythia-tiny-32", 3.1e6, 2000, 1.0 / 3}
	if out[1].Rows[1] != want {
		t.Errorf("speech row 2 = %+v, want %+v (exact floats, sorted by step)", out[1].Rows[1], want)
	}
	bad := Table{Modality: "text", Rows: []Row{{"pythia-70m", 70e6, 1000, -1}}}
	if err := WriteCSV(filepath.Join(t.TempDir(), "bad.csv"), bad); err == nil {
		t.Error("WriteCSV accepted a negative ratio")
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("table2_text.csv", goodCSV)
	write("table1_fit.csv", "modality,a\ntext,0.1\n")
	var buf bytes.Buffer
	if err := Encode(&buf, Table{Modality: "image", Rows: []Row{{"pythia-70m", 70e6, 1000, 0.6}}}); err != nil {
		t.Fatal(err)
	}
	write("ours.csv", buf.String())
	tables, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Modality != "text" || tables[1].Modality != "image" {
		t.Fatalf("tables %+v, want text and image", tables)
	}
	write("more_text.csv", goodCSV)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "both hold the text table") {
		t.Errorf("two text tables: error %v", err)
	}
}

func TestNominalParams(t *testing.T) {
	tests := []struct {
		name string
		want float64
		ok   bool
	}{
		{"pythia-70m", 70e6, true},
		{"pythia-1.4b", 1.4e9, true},
		{"pythia-410m-deduped", 410e6, true},
		{"pythia-tiny-16", 0, false},
		{"gpt2", 0, false},
	}
	for _, tc := range tests {
		got, ok := NominalParams(tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NominalParams(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
