package csvtable

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	table, err := Read(strings.NewReader("Model, Step ,cr\npythia-70m,1000, 0.5\npythia-1b,,x\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(table.Header, ",") != "model,step,cr" || len(table.Records) != 2 {
		t.Fatalf("header %v, %d records", table.Header, len(table.Records))
	}
	first, second := table.Records[0], table.Records[1]
	if v, err := first.Float("cr"); err != nil || v != 0.5 || first.Line != 2 {
		t.Errorf("line %d cr = %v, %v; want line 2, 0.5", first.Line, v, err)
	}
	if m := first.Map(); m["model"] != "pythia-70m" || m["step"] != "1000" {
		t.Errorf("Map() = %v", m)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := second.String("step"); return err }(), "t.csv:3: field step: empty (missing cell)"},
		{func() error { _, err := second.Float("cr"); return err }(), `t.csv:3: field cr: "x" is not a number`},
		{func() error { _, err := second.Float("params"); return err }(), `t.csv:1: header lacks the "params" column (has model,step,cr)`},
		{table.Require("model", "loss"), `t.csv:1: header lacks the "loss" column`},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) || strings.Count(tc.err.Error(), "t.csv") != 1 {
			t.Errorf("error %v, want %q with the file named once", tc.err, tc.want)
		}
	}
}

func TestReadBadFiles(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"", "t.csv: empty file"},
		{"a,b\n1,2\n3\n", "t.csv:3: wrong number of fields (missing or extra cell?)"},
		{"a,b\n\"1,2\n", "t.csv:2:"},
	} {
		if _, err := Read(strings.NewReader(tc.csv), "t.csv"); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Read(%q): %v, want %q", tc.csv, err, tc.want)
		}
	}
}
