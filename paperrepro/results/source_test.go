package results

import (
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestTableSources: every table says where its numbers come from - the
// paper's tables that they are the paper's, a run's cells the day they were
// computed and the backend - so that a figure never calls a transcribed
// number measured.
func TestTableSources(t *testing.T) {
	paper, err := LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ modality, want string }{
		{"text", "paper, Table 2"}, {"image", "paper, Table 3"}, {"speech", "paper, Table 4"},
	} {
		if table, _ := paper.Table(tc.modality); table.Source != tc.want {
			t.Errorf("the paper's %s table has source %q, want %q", tc.modality, table.Source, tc.want)
		}
	}

	dir := t.TempDir()
	paths := writeGrid(t, dir)
	cell, err := ReadCell(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if today := time.Now().UTC().Format(ComputedLayout); cell.Computed != today {
		t.Errorf("WriteCell stamped %q, want today, %s", cell.Computed, today)
	}

	cells := []*Cell{
		testCell("a", 1e6, 1, "text", 0.5), testCell("a", 1e6, 2, "text", 0.4),
		testCell("a", 1e6, 1, "image", 0.6), testCell("a", 1e6, 2, "image", 0.5),
	}
	cells[0].Computed, cells[0].Backend = "2025-08-03", "xla:cuda"
	cells[1].Computed, cells[1].Backend = "2025-08-01", "go"
	cells[2].Computed, cells[2].Backend = "2025-08-02", "xla:cuda"
	cells[3].Backend = "xla:cuda"
	tables, err := CellTables(cells)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		"this project, computed 2025-08-01 to 2025-08-03, go, xla:cuda",
		"this project, computed 2025-08-02 (some cells undated), xla:cuda",
	} {
		if tables[i].Source != want {
			t.Errorf("%s cells: source %q, want %q", tables[i].Modality, tables[i].Source, want)
		}
	}

	csvTables, err := ReadDir(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	if csvTables[0].Source != "" {
		t.Errorf("a table CSV read as %q; a CSV cannot tell where its numbers come from", csvTables[0].Source)
	}
}

func TestJoinSources(t *testing.T) {
	paper := func(m string) Table { return Table{Modality: m, Source: PaperSource(m)} }
	run := Table{Modality: "text", Source: "this project, computed 2026-01-02, go"}
	for _, tc := range []struct {
		tables []Table
		want   string
	}{
		{[]Table{paper("text"), paper("image"), paper("speech")}, "paper, Tables 2-4"},
		{[]Table{paper("image"), paper("speech")}, "paper, Tables 3-4"},
		{[]Table{paper("text"), paper("speech")}, "paper, Tables 2 and 4"},
		{[]Table{paper("image")}, "paper, Table 3"},
		{[]Table{run, {Modality: "image", Source: run.Source}, {Modality: "speech"}}, run.Source},
		{[]Table{paper("text"), run}, "paper, Table 2; " + run.Source},
		{[]Table{{Modality: "text"}}, ""},
	} {
		if got := JoinSources(tc.tables); got != tc.want {
			t.Errorf("JoinSources(%v) = %q, want %q", tc.tables, got, tc.want)
		}
	}
}
