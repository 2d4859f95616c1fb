package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needsBrowser skips the test where Jupyter or Chromium is missing, and
// fails it under CI=true, where both must be installed.
func needsBrowser(t *testing.T) {
	t.Helper()
	_, errJupyter := exec.LookPath("jupyter")
	_, errChromium := findChromium()
	if errJupyter == nil && errChromium == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true needs jupyter and Chromium: %v %v", errJupyter, errChromium)
	}
	t.Skipf("needs jupyter and Chromium (make setup): %v %v", errJupyter, errChromium)
}

func TestExpectedOutputsJoinStreams(t *testing.T) {
	got, err := expectedOutputs("testdata/shown.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	// Two stdout outputs in a row draw as one; stderr after a PNG is its own.
	if want := []int{0, 5}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("expectedOutputs = %v, want %v", got, want)
	}
}

// TestBrowserShowsEveryOutputUntrusted opens notebooks in Notebook 6 in
// headless Chromium, untrusted: one whose outputs are all of the kinds an
// untrusted notebook shows passes; one with an output of each kind it
// hides fails, naming each.
func TestBrowserShowsEveryOutputUntrusted(t *testing.T) {
	needsBrowser(t)
	shots := t.TempDir()
	var report strings.Builder
	ok, err := run(context.Background(), []string{"testdata/shown.ipynb", "testdata/hidden.ipynb"}, shots, &report)
	if err != nil {
		t.Fatal(err)
	}
	out := report.String()
	t.Log(out)
	if ok {
		t.Error("run passed a notebook with hidden outputs")
	}
	shown, hidden, _ := strings.Cut(out, "hidden.ipynb")
	if !strings.HasPrefix(shown, "ok   shown.ipynb: 5 outputs") {
		t.Errorf("shown.ipynb did not pass with its 5 outputs:\n%s", shown)
	}
	for _, want := range []string{
		"cell 2: the file holds 4 outputs, the page shows 2",
		"console: Ignoring untrusted text/markdown output.",
		"console: Ignoring untrusted image/svg+xml output.",
		"output 1 (output_html rendered_html): shows nothing",                         // inline SVG, stripped
		"output 2 (output_html rendered_html): an inline style the sanitiser mangled", // the style attribute
	} {
		if !strings.Contains(hidden, want) {
			t.Errorf("hidden.ipynb's report lacks %q:\n%s", want, hidden)
		}
	}
	for _, name := range []string{"shown-01.png", "hidden-01.png"} {
		if info, err := os.Stat(filepath.Join(shots, name)); err != nil || info.Size() < 1000 {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
}
