// Command testsummary reads `go test -json` and prints what `go test` would
// (each package's ok/FAIL line, the output of failing tests), records every
// skipped test with its reason, and at the end of `make test` prints one line
// per group of tests skipped for the same reason - so a run that checked
// less than it could says so, and says why.
//
// A test that passed while every one of its subtests skipped checked
// nothing; it is recorded as skipped too, not counted as a pass.
//
//	go test -json ./... | go run ./paperrepro/internal/testsummary -record skips.jsonl
//	go run ./paperrepro/internal/testsummary -report skips.jsonl
//
// It exits 1 when a test or a build failed, or when no package was tested.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	record := flag.String("record", "", "append the skipped tests, one JSON line each, to this file")
	report := flag.String("report", "", "print the summary of the skipped tests recorded in this file, and nothing else")
	verbose := flag.Bool("v", false, "print every test's output as it comes, as go test -v does")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go test -json ./... | testsummary [-v] [-record FILE]\n       testsummary -report FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdin, os.Stdout, *record, *report, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
}

// run reads go test -json from in and writes go test's output to out, or
// with report set writes the summary of the skips recorded there.
func run(in io.Reader, out io.Writer, record, report string, verbose bool) error {
	if report != "" {
		skips, err := readSkips(report)
		if err != nil {
			return err
		}
		writeSummary(out, skips)
		return nil
	}
	r := newReader(out, verbose)
	if err := r.read(in); err != nil {
		return err
	}
	if record != "" {
		if err := appendSkips(record, r.skips); err != nil {
			return err
		}
	}
	switch {
	case r.packages == 0:
		return errors.New("no test results on standard input (did go test fail to start?)")
	case len(r.failed) > 0:
		return fmt.Errorf("%d failed: %v", len(r.failed), r.failed)
	}
	return nil
}

// appendSkips appends skips to the file at path, one JSON line each.
func appendSkips(path string, skips []skip) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, s := range skips {
		if err := enc.Encode(s); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return f.Close()
}

// readSkips reads the skips appendSkips wrote; a missing file holds none.
func readSkips(path string) ([]skip, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var skips []skip
	dec := json.NewDecoder(f)
	for {
		var s skip
		err := dec.Decode(&s)
		if err == io.EOF {
			return skips, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		skips = append(skips, s)
	}
}
