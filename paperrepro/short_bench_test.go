package paperrepro

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// BenchmarkGoTestShort times the quick test run `make test` starts with,
// `go test -short ./...` over the whole repository (its target: under a
// minute on a 2-core machine, so that it is run, and stays passing), with
// the test cache off. It reports the wall-clock seconds per run and the CPU
// seconds the go command and every test binary under it used (which other
// work on a shared machine does not inflate: on an idle machine with N
// cores the wall time is at least that over N), and logs the slowest tests,
// where a -short run that grew would be trimmed:
//
//	go test ./paperrepro -run '^$' -bench GoTestShort -benchtime 1x -v
//
// Packages are built before the clock starts, so the number is the tests'
// time, not the compiler's.
func BenchmarkGoTestShort(b *testing.B) {
	root := testenv.RepoRoot(b)
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(goTool, "test", "-short", "-count=1", "-run", "^$", "./...")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the tests: %v\n%s", err, out)
	}
	var slowest []testTime
	cpu := 0.0
	for b.Loop() {
		cmd := exec.Command(goTool, "test", "-short", "-count=1", "-json", "./...")
		cmd.Dir = root
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			b.Errorf("go test -short ./...: %v\n%s", err, failures(out))
		}
		// The go command's own time and, as Linux counts it, that of the
		// test binaries it waited for.
		cpu += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		slowest = testTimes(out)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(cpu/float64(b.N), "cpu-s/run")
	b.ReportMetric(0, "ns/op")
	for _, tt := range slowest[:min(len(slowest), 8)] {
		b.Logf("%6.1f s  %s", tt.seconds, tt.name)
	}
}

// testTime is how long one top-level test took.
type testTime struct {
	name    string
	seconds float64
}

// testTimes reads go test -json's top-level test results, slowest first.
func testTimes(events []byte) []testTime {
	var times []testTime
	lines := bufio.NewScanner(bytes.NewReader(events))
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	for lines.Scan() {
		var e struct {
			Action, Package, Test string
			Elapsed               float64
		}
		if json.Unmarshal(lines.Bytes(), &e) != nil || e.Test == "" || e.Action != "pass" && e.Action != "fail" && e.Action != "skip" {
			continue
		}
		if !strings.Contains(e.Test, "/") {
			times = append(times, testTime{filepath.Base(e.Package) + "." + e.Test, e.Elapsed})
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].seconds > times[j].seconds })
	return times
}

// failures is the output lines of go test -json that say what failed.
func failures(events []byte) string {
	var out bytes.Buffer
	lines := bufio.NewScanner(bytes.NewReader(events))
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	for lines.Scan() {
		var e struct{ Output string }
		if json.Unmarshal(lines.Bytes(), &e) == nil && strings.Contains(e.Output, "FAIL") {
			out.WriteString(e.Output)
		}
	}
	return out.String()
}
