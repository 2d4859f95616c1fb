package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestBenchCommand runs bench on the tiny fixture's shape with real data
// for the token counts: it must report a positive rate and finite ETAs.
func TestBenchCommand(t *testing.T) {
	config := testenv.Testdata(t, "neox", "parallel-f32", "config.json")
	data := testenv.Shared(t, "data")
	code, stdout, stderr := run(t, "bench", "-config", config, "-seq", "32", "-batch", "2", "-time", "0",
		"-data-dir", data, "-sample", "2", "-chunks", "16", "-results", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	row := regexp.MustCompile(`(?m)^\s*parallel-f32\s+\S+M\s+2 x 32\s+(\d+)\s`).FindStringSubmatch(stdout)
	if row == nil {
		t.Fatalf("no result row for the fixture shape:\n%s", stdout)
	}
	if rate, _ := strconv.Atoi(row[1]); rate <= 0 {
		t.Errorf("rate %s tokens/s", row[1])
	}
	for _, want := range []string{"tokens scored per chunk: text ", "counted on the first 2 chunks", "grid: 1 model x 5 steps x 3 modalities x 16 chunks = 15 cells, 15 to compute", "make reproduce (results in "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "ETA") && (strings.Contains(line, "unknown") || !regexp.MustCompile(`ETA \d`).MatchString(line)) {
			t.Errorf("ETA not finite: %s", line)
		}
	}
}

func TestBenchCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "-models", "7b"}, `unknown Pythia size "7b"`},
		{[]string{"bench", "-models", "70m", "-dtype", "double"}, `unknown compute dtype "double"`},
		{[]string{"bench", "-models", "70m", "-batch", "-1"}, "-batch must be at least 1, got -1"},
		{[]string{"bench", "-models", "70m", "-batch", "0"}, "-batch must be at least 1, got 0"},
		{[]string{"bench", "-models", "70m", "-seq", "1"}, "-seq must be at least 2"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want usage error with %q", tc.args, code, stderr, tc.want)
		}
	}
}
