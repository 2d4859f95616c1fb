package scaling

import (
	"errors"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// counts is a configuration that counts given numbers.
type counts struct{ total, nonEmbedding int }

func (c counts) Parameters() int             { return c.total }
func (c counts) NonEmbeddingParameters() int { return c.nonEmbedding }

func TestSizeBy(t *testing.T) {
	config := func(m string) (Parameters, error) {
		if m == "pythia-70m" {
			return counts{70_426_624, 18_915_328}, nil
		}
		return nil, errors.New("not a Pythia size")
	}
	given := map[string]float64{"mine": 1.5e6}
	for _, tc := range []struct {
		count Count
		model string
		want  float64
		err   string
	}{
		{Nominal, "pythia-70m", 70e6, ""},
		{Nominal, "pythia-1.4b-deduped", 1.4e9, ""},
		{Nominal, "mine", 1.5e6, ""},
		{Nominal, "theirs", 0, "its name states no size"},
		{Total, "pythia-70m", 70_426_624, ""},
		{NonEmbedding, "pythia-70m", 18_915_328, ""},
		{NonEmbedding, "mine", 0, "counting non-embedding parameters: not a Pythia size"},
		{Count("exact"), "pythia-70m", 0, `unknown parameter count "exact"`},
	} {
		got, err := SizeBy(tc.count, config, given)(tc.model)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s size of %s: %v, want an error containing %q", tc.count, tc.model, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s size of %s: %v (%v), want %v", tc.count, tc.model, got, err, tc.want)
		}
	}
	if _, err := SizeBy(Total, nil, nil)("pythia-70m"); err == nil {
		t.Error("a total count without configurations: no error")
	}
	for _, c := range Counts() {
		if got, err := ParseCount(string(c)); got != c || err != nil || c.Describe() == "" {
			t.Errorf("ParseCount(%q) = %q, %v", c, got, err)
		}
	}
	if _, err := ParseCount("exact"); err == nil {
		t.Error("ParseCount(exact): no error")
	}

	tables := []results.Table{{Modality: "text", Rows: []results.Row{{Model: "pythia-70m", Params: 70e6, Step: 1, CR: 0.5}, {Model: "mine", Params: 1.5e6, Step: 1, CR: 0.6}}}}
	resized, err := TablesWithSizes(tables, Total, config)
	if err == nil || !strings.Contains(err.Error(), "text table: size of mine") {
		t.Errorf("TablesWithSizes total with a local model: %v, %v", resized, err)
	}
	resized, err = TablesWithSizes(tables, Nominal, nil)
	if err != nil || resized[0].Rows[0].Model != "mine" || resized[0].Rows[1].Params != 70e6 {
		t.Errorf("TablesWithSizes nominal: %+v, %v", resized, err)
	}
}
