package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadRealGoTest runs go test -json on testdata/sample and checks what
// the reader makes of each kind of test there.
func TestReadRealGoTest(t *testing.T) {
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-json", "-count=1", "./testdata/sample")
	events, err := cmd.Output()
	if _, failed := err.(*exec.ExitError); err != nil && !failed {
		t.Fatalf("go test -json: %v", err)
	}
	var out bytes.Buffer
	r := newReader(&out, false)
	if err := r.read(bytes.NewReader(events)); err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, s := range r.skips {
		got[s.Test] = s.Reason
	}
	want := map[string]string{
		"TestSkipsForData":                       "needs the data folder",
		"TestAlsoSkipsForData":                   "needs the data folder",
		"TestSkipsOnTwoLines":                    "needs a GPU and its driver",
		"TestHollowParent/a":                     "needs a GPU",
		"TestHollowParent/b":                     "needs a GPU",
		"TestHollowParent":                       "passed, but every subtest skipped: it checked nothing",
		"TestPartlySkipped/skips":                "needs images",
		"TestSlashedSubtests/model/step/image":   "needs images",
		"TestOwnWorkBesideASkippedSubtest/image": "needs images",
	}
	if len(got) != len(want) {
		t.Errorf("skips %v, want %v", got, want)
	}
	for name, reason := range want {
		if got[name] != reason {
			t.Errorf("%s: reason %q, want %q", name, got[name], reason)
		}
	}
	if r.packages != 1 || len(r.failed) != 2 || !strings.HasSuffix(r.failed[0], ".TestFails") {
		t.Errorf("%d packages, failed %v; want 1 package, TestFails and its package failed", r.packages, r.failed)
	}
	printed := out.String()
	for _, w := range []string{"--- FAIL: TestFails", "the number is wrong", "FAIL\t" + modulePrefix + "paperrepro/internal/testsummary/testdata/sample"} {
		if !strings.Contains(printed, w) {
			t.Errorf("output lacks %q:\n%s", w, printed)
		}
	}
	for _, w := range []string{"checked something", "=== RUN", "--- SKIP"} {
		if strings.Contains(printed, w) {
			t.Errorf("output shows %q, which go test without -v does not:\n%s", w, printed)
		}
	}
}

// TestSummaryGroupsByReason checks the summary's lines: one per reason,
// most tests first, at most maxNamed tests named.
func TestSummaryGroupsByReason(t *testing.T) {
	skips := []skip{
		{modulePrefix + "paperrepro", "TestA", "needs images"},
		{modulePrefix + "paperrepro", "TestB", "needs a GPU"},
		{modulePrefix + "paperrepro/cmd", "TestC", "needs images"},
		{modulePrefix + "paperrepro", "TestD", "needs images"},
		{modulePrefix + "paperrepro", "TestE", "needs images"},
	}
	path := filepath.Join(t.TempDir(), "skips.jsonl")
	if err := appendSkips(path, skips[:2]); err != nil {
		t.Fatal(err)
	}
	if err := appendSkips(path, skips[2:]); err != nil {
		t.Fatal(err)
	}
	read, err := readSkips(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	writeSummary(&out, read)
	want := "testsummary: 5 tests skipped, for 2 reasons (go test -run NAME -v shows one):\n" +
		"  SKIP   4  needs images  [paperrepro.TestA, paperrepro/cmd.TestC, paperrepro.TestD and 1 more]\n" +
		"  SKIP   1  needs a GPU  [paperrepro.TestB]\n"
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	none, err := readSkips(filepath.Join(t.TempDir(), "absent.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	writeSummary(&out, none)
	if out.String() != "testsummary: no test skipped\n" {
		t.Errorf("summary of nothing: %q", out.String())
	}
}

// TestNoInputFails: a go test that printed no result (it did not start) is
// a failure, not an empty success.
func TestNoInputFails(t *testing.T) {
	var out bytes.Buffer
	err := run(strings.NewReader("go: unknown flag -bogus\n"), &out, "", "", false)
	if err == nil || !strings.Contains(err.Error(), "no test results") || out.String() != "go: unknown flag -bogus\n" {
		t.Errorf("run on no events: %v, printed %q; want an error saying there were no test results, and go's line printed", err, out.String())
	}
}
