package figures

import (
	"strings"
	"testing"
)

// TestFiguresFromExpectedSayWhereTheCellsComeFrom: the paper's tables are
// transcribed, not measured here. Every figure drawn from expected/ must
// name its cells' source ("paper, Table 2") and none may call them
// "measured".
func TestFiguresFromExpectedSayWhereTheCellsComeFrom(t *testing.T) {
	tables, laws := paper(t)
	figs, err := Figures(tables, laws)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		text := strings.Join(strs(drawText(t, f)), "\n")
		if strings.Contains(strings.ToLower(text), "measured") {
			t.Errorf("%s calls the paper's transcribed numbers measured:\n%s", f.Name, text)
		}
		want := []string{"paper, Table 2", "paper, Table 3", "paper, Table 4"}
		if strings.HasPrefix(f.Name, "scaling_") {
			want = []string{tables[0].Source} // one table per figure
			if f.Name != "scaling_text" {
				continue
			}
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not say its cells come from %q:\n%s", f.Name, w, text)
			}
		}
	}

	// A table that does not say where it comes from says so.
	anonymous := tinyTable("text", 0.9, 0.8, 0.85, 0.75)
	f, err := ScalingCurves(anonymous, Law{})
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strs(drawText(t, f)), "\n"); !strings.Contains(text, "cells (source not given)") {
		t.Errorf("a table without a source drawn as:\n%s", text)
	}
}
