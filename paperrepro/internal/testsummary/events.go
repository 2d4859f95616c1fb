package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output and build-fail events
}

// skip is a skipped test and why.
type skip struct {
	Package string `json:"package"`
	Test    string `json:"test"`
	Reason  string `json:"reason"`
}

// test is what has been seen of one test so far.
type test struct {
	name     string
	output   []string // its own lines, go test's markers left out
	subtests []*test
	skipped  bool
}

// reader turns `go test -json` events into go test's output and a list of
// skips.
type reader struct {
	out      io.Writer
	verbose  bool
	tests    map[string]*test    // by package and name
	lines    map[string][]string // by package: every test's lines in order, to show a failure
	skips    []skip
	failed   []string // packages and top-level tests that failed
	packages int
}

func newReader(out io.Writer, verbose bool) *reader {
	return &reader{out: out, verbose: verbose, tests: map[string]*test{}, lines: map[string][]string{}}
}

// read consumes events until r ends. A line that is not an event (go
// test's own complaint, say) is printed as it is.
func (r *reader) read(in io.Reader) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		line := scanner.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(r.out, "%s\n", line)
			continue
		}
		r.handle(e)
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("reading go test -json: %w", err)
	}
	return nil
}

// marker matches the lines go test adds around a test's own output.
var marker = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|FAIL|SKIP):)`)

func (r *reader) handle(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(r.out, e.Output)
		return
	case "build-fail":
		r.failed = append(r.failed, e.ImportPath+" (build)")
		return
	}
	if e.Test == "" {
		r.handlePackage(e)
		return
	}
	key := e.Package + "\x00" + e.Test
	t := r.tests[key]
	if t == nil {
		t = &test{name: e.Test}
		r.tests[key] = t
		// The nearest test above it: a subtest's own name may hold slashes.
		for name := e.Test; strings.Contains(name, "/"); {
			name = name[:strings.LastIndex(name, "/")]
			if parent := r.tests[e.Package+"\x00"+name]; parent != nil {
				parent.subtests = append(parent.subtests, t)
				break
			}
		}
	}
	switch e.Action {
	case "output":
		if r.verbose {
			fmt.Fprint(r.out, e.Output)
		}
		r.lines[e.Package] = append(r.lines[e.Package], e.Test+"\x00"+e.Output)
		if !marker.MatchString(e.Output) {
			t.output = append(t.output, e.Output)
		}
	case "skip":
		t.skipped = true
		r.skips = append(r.skips, skip{Package: e.Package, Test: e.Test, Reason: reason(t.output)})
	case "pass":
		if hollow(t) {
			t.skipped = true
			r.skips = append(r.skips, skip{Package: e.Package, Test: e.Test, Reason: "passed, but every subtest skipped: it checked nothing"})
		}
	case "fail":
		if !strings.Contains(e.Test, "/") {
			r.failed = append(r.failed, e.Package+"."+e.Test)
			if !r.verbose {
				r.printTest(e.Package, e.Test)
			}
		}
	}
}

// handlePackage prints a package's result line (ok, FAIL, no test files)
// and anything it printed outside a test (a panic, a timeout).
func (r *reader) handlePackage(e event) {
	switch e.Action {
	case "output":
		if trimmed := strings.TrimSpace(e.Output); trimmed != "PASS" && trimmed != "FAIL" || r.verbose {
			fmt.Fprint(r.out, e.Output)
		}
	case "pass", "skip":
		r.packages++
	case "fail":
		r.packages++
		r.failed = append(r.failed, e.Package)
	}
	if e.Action == "pass" || e.Action == "fail" || e.Action == "skip" {
		delete(r.lines, e.Package)
	}
}

// printTest prints the output of a failed top-level test and its subtests,
// in the order it came.
func (r *reader) printTest(pkg, name string) {
	for _, l := range r.lines[pkg] {
		test, output, _ := strings.Cut(l, "\x00")
		if (test == name || strings.HasPrefix(test, name+"/")) && !strings.HasPrefix(strings.TrimSpace(output), "=== ") {
			fmt.Fprint(r.out, output)
		}
	}
}

// hollow reports whether t has subtests, every one of them skipped, and t
// itself logged nothing (a test that did its own work beside skipped
// subtests says so in its log).
func hollow(t *test) bool {
	if len(t.subtests) == 0 || len(t.output) > 0 {
		return false
	}
	for _, s := range t.subtests {
		if !s.skipped {
			return false
		}
	}
	return true
}

// location matches the "file_test.go:12: " go test puts before a logged line.
var location = regexp.MustCompile(`^\s*\S+\.go:\d+: `)

// reason is a skipped test's message: its last logged line (t.Skip's),
// with the lines that continue it.
func reason(output []string) string {
	start := -1
	for i, l := range output {
		if location.MatchString(l) {
			start = i
		}
	}
	if start < 0 {
		return "no reason given"
	}
	var parts []string
	for i, l := range output[start:] {
		if i == 0 {
			l = location.ReplaceAllString(l, "")
		}
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}
