package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// TestRegisteredPredictionsRederive reruns the command that expected/README.md
// says made expected/registered_predictions.csv, exactly as written, in a
// copy of the folder, and checks that it gives the registered predictions
// again: the bootstrap is seeded, so anyone can audit a registered
// prediction.
func TestRegisteredPredictionsRederive(t *testing.T) {
	expected := testenv.Expected(t)
	readme, err := os.ReadFile(filepath.Join(expected, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^go run \./paperrepro/cmd/paperrepro (predict .*)$`).FindSubmatch(readme)
	if line == nil {
		t.Fatal("expected/README.md names no `go run ./paperrepro/cmd/paperrepro predict ...` command")
	}
	// Run the command exactly as written, from a copy of the repository's
	// expected/ folder (it rewrites the registered file in place).
	root := t.TempDir()
	testenv.CopyDir(t, expected, filepath.Join(root, "expected"))
	t.Chdir(root)
	if code, _, errOut := run(t, strings.Fields(string(line[1]))...); code != exitOK {
		t.Fatalf("%s: exit %d: %s", line[1], code, errOut)
	}
	out := filepath.Join(root, "expected", registeredPredictionsFile)
	registered, err := scaling.ReadPredictions(filepath.Join(expected, registeredPredictionsFile))
	if err != nil {
		t.Fatal(err)
	}
	again, err := scaling.ReadPredictions(out)
	if err != nil {
		t.Fatal(err)
	}
	if registered.Law != again.Law || registered.Sizes != again.Sizes || registered.Bootstrap != again.Bootstrap || registered.FormsCompared != again.FormsCompared || len(registered.Rows) != len(again.Rows) {
		t.Fatalf("rerun made %+v (%d rows), registered %+v (%d rows)", again.Law, len(again.Rows), registered.Law, len(registered.Rows))
	}
	// 6 significant digits are written: allow one unit in the last place.
	const ulp = 1e-6
	for i, want := range registered.Rows {
		got := again.Rows[i]
		if got.Modality != want.Modality || got.Point != want.Point ||
			math.Abs(got.CR-want.CR) > ulp || math.Abs(got.Lo-want.Lo) > ulp || math.Abs(got.Hi-want.Hi) > ulp ||
			math.Abs(got.FormsLo-want.FormsLo) > ulp || math.Abs(got.FormsHi-want.FormsHi) > ulp {
			t.Errorf("row %d: rerun gives %+v, registered %+v", i, got, want)
		}
	}
	// What it registers: the three Pythia sizes beyond the paper's grid at the
	// paper's five steps, for each modality, each with an interval and a spread.
	models := map[string]int{}
	for _, p := range registered.Rows {
		models[p.Model]++
		if !p.HasInterval() || !p.HasSpread() || !(p.Lo <= p.CR && p.CR <= p.Hi) {
			t.Errorf("registered %+v lacks an interval or spread around its CR", p)
		}
	}
	if len(registered.Rows) != 45 || models["pythia-2.8b"] != 15 || models["pythia-6.9b"] != 15 || models["pythia-12b"] != 15 {
		t.Errorf("registered %d predictions over models %v, want 45: 2.8b, 6.9b and 12b x 5 steps x 3 modalities", len(registered.Rows), models)
	}
}

// TestPredictCommandTable1ByHand: the paper's Table 1 at Section 4.6's point
// gives 0.1134 for text (worked by hand in scaling's TestPredictTable1ByHand),
// which the paper rounds to "approximately 0.115".
func TestPredictCommandTable1ByHand(t *testing.T) {
	expected := testenv.Expected(t)
	csvPath := filepath.Join(t.TempDir(), "p.csv")
	code, out, errOut := run(t, "predict", "-law", "table1", "-paper", expected, "-models", "5e9", "-steps", "200000", "-o", csvPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`text +P = 5B +5B +200000 +0\.1134 +- +-`).MatchString(out) || !strings.Contains(out, "paper, Table 1") {
		t.Errorf("output:\n%s", out)
	}
	ps, err := scaling.ReadPredictions(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ps.Find("text", "", 200000); !ok || math.Abs(p.CR-0.1134) > 5e-5 || p.HasInterval() {
		t.Errorf("CSV holds %+v", ps)
	}
}

// TestPredictCommandRefit predicts a named size on the paper's text table
// under two counts of P: the refit's interval and spread are there, and the
// file is not overwritten without -f.
func TestPredictCommandRefit(t *testing.T) {
	expected := testenv.Expected(t)
	csvPath := filepath.Join(t.TempDir(), "p.csv")
	code, out, errOut := run(t, "predict", "-resamples", "30", "-models", "6.9b,pythia-12b-deduped", "-steps", "143000", "-o", csvPath, expected)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"this project's refit of paper, Tables 2-4, P as nominal parameter counts",
		"30 resamples of the cells (seed 1)",
		"pythia-6.9b  6.9B  143000  0.1117",
		"pythia-12b-deduped",
		"speech",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := run(t, "predict", "-o", csvPath, expected); code != exitUsage || !strings.Contains(errOut, "exists: give -f to replace it") {
		t.Errorf("existing -o without -f: exit %d, %s", code, errOut)
	}
	// Under non-embedding counts the default models are still those beyond
	// the table's largest, 1.4b, whose count (1.2B) is below its name's.
	code, out, errOut = run(t, "predict", "-resamples", "10", "-params", "non-embedding", "-steps", "143000", expected+"/table2_text.csv")
	if code != exitOK || !strings.Contains(out, "P as non-embedding parameter counts") || !strings.Contains(out, "pythia-12b  11.3B") ||
		!strings.Contains(out, "pythia-2.8b  2.52B") || strings.Contains(out, "pythia-1.4b") {
		t.Errorf("-params non-embedding: exit %d, %s%s", code, out, errOut)
	}
}

func TestPredictCommandErrors(t *testing.T) {
	expected := testenv.Expected(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-law", "kaplan"}, `-law: unknown "kaplan"`},
		{[]string{"-law", "table1", "-params", "total"}, "-law table1 predicts at nominal sizes only"},
		{[]string{"-steps", "1k"}, `-steps: "1k" is not a training step`},
		{[]string{"-models", "0"}, `-models: "0" is not a positive parameter count`},
		{[]string{"-models", "3b"}, `-models: 3b: `},
		{[]string{"-resamples", "1"}, "-resamples must be at least 2"},
	} {
		code, _, errOut := run(t, append(append([]string{"predict"}, tc.args...), expected)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want a usage error containing %q", tc.args, code, errOut, tc.want)
		}
	}
}
