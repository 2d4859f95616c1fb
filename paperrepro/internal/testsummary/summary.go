package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// modulePrefix is left out of package names in the summary.
const modulePrefix = "github.com/paperrepro/paperrepro/"

// maxNamed is how many tests a summary line names before "and N more".
const maxNamed = 3

// writeSummary prints one line per reason the tests in skips were skipped
// for, most tests first: how many, why, and which.
func writeSummary(w io.Writer, skips []skip) {
	if len(skips) == 0 {
		fmt.Fprintln(w, "testsummary: no test skipped")
		return
	}
	byReason := map[string][]string{}
	for _, s := range skips {
		byReason[s.Reason] = append(byReason[s.Reason], strings.TrimPrefix(s.Package, modulePrefix)+"."+s.Test)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := byReason[reasons[i]], byReason[reasons[j]]
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return reasons[i] < reasons[j]
	})
	fmt.Fprintf(w, "testsummary: %d tests skipped, for %d reasons (go test -run NAME -v shows one):\n", len(skips), len(reasons))
	for _, r := range reasons {
		tests := byReason[r]
		named := strings.Join(tests[:min(len(tests), maxNamed)], ", ")
		if len(tests) > maxNamed {
			named += fmt.Sprintf(" and %d more", len(tests)-maxNamed)
		}
		fmt.Fprintf(w, "  SKIP %3d  %s  [%s]\n", len(tests), r, named)
	}
}
