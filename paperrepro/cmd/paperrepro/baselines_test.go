package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

func TestBaselinesCommand(t *testing.T) {
	data := testenv.Shared(t, "data")
	out := t.TempDir()
	code, stdout, stderr := run(t, "baselines", "-data-dir", data, "-count", "8", "-codecs", "png,png-32wide",
		"-paper", testenv.Expected(t), "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	table, err := baselines.ReadCSV(filepath.Join(out, "baselines.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// PNG suits only image chunks: two rules x two widths x three accountings.
	if len(table.Rows) != 12 {
		t.Errorf("%d rows, want 12", len(table.Rows))
	}
	for _, want := range []string{
		"image, rule random-crop: 8 chunks of 2048 bytes",
		"image, rule tiles: 8 chunks",
		"image  pythia-1.4b  143000    0.4360",
		"image  tiles         png      0.585",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, name := range []string{"baselines.png", "baselines.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestBaselinesCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown rule set", []string{"baselines", "-rules", "mine"}, exitUsage, `-rules: unknown "mine"`},
		{"unknown codec", []string{"baselines", "-codecs", "brotli"}, exitUsage, `-codecs: unknown "brotli"`},
		{"unknown modality", []string{"baselines", "-modalities", "video", "-data-dir", t.TempDir()}, exitUsage, `-modalities: unknown "video"`},
		{"no chunks", []string{"baselines", "-count", "0"}, exitUsage, "-count must be at least 1"},
		{"arguments", []string{"baselines", "x"}, exitUsage, "takes no arguments"},
		{"no data", []string{"baselines", "-data-dir", t.TempDir(), "-modalities", "text"}, exitFail, "no text data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

// TestBaselinesCommandSaysWhyNothingIsCompared: with only Deletang et al.'s
// rules there are no baselines on the grid's chunks to set beside the
// paper's models, and the command says so instead of leaving it out quietly.
func TestBaselinesCommandSaysWhyNothingIsCompared(t *testing.T) {
	code, _, stderr := run(t, "baselines", "-data-dir", testenv.Shared(t, "data"), "-count", "2", "-codecs", "png",
		"-modalities", "image", "-rules", "deletang", "-paper", testenv.Expected(t), "-o", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "no comparison with the paper's models and no figure: comparing with the baselines: no modality has both") {
		t.Errorf("stderr does not say why nothing was compared:\n%s", stderr)
	}
}

// TestBaselinesCommandTakesWhatThereIs: asking for more chunks than the data
// holds (notebook 3 suggests -count 2048; the shared enwik8 prefix holds
// 2028) compresses all there are and says so.
func TestBaselinesCommandTakesWhatThereIs(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run(t, "baselines", "-data-dir", testenv.Shared(t, "data"), "-count", "2048", "-codecs", "gzip",
		"-modalities", "text", "-rules", "paper", "-paper", "", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "text (paper rules): the data holds 2028 whole chunks, fewer than the 2048 asked for; using all 2028") ||
		!strings.Contains(stdout, "text, rule consecutive: 2028 chunks of 2048 bytes") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
