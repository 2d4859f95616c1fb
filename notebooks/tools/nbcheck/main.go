// Command nbcheck fails when an executed notebook holds an error that
// `jupyter nbconvert --execute` lets through.
//
// GoNB v0.11.1 reports only compile errors as cell errors: when a cell's
// program (or a `!` shell command) exits non-zero, it writes "exit status N"
// to the cell's stderr and reports success. nbcheck reads the executed
// notebooks and fails on such a line and on any error output.
//
// It also fails on a cell that runs a program (a `%%` line) and shows
// nothing: every such cell in these notebooks displays a result, and GoNB
// drops display data silently when its pipe fails or the program exits before
// the kernel has read it.
//
// Usage: nbcheck executed.ipynb...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// notebook is the part of the nbformat 4 layout nbcheck reads.
type notebook struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
		Outputs  []struct {
			OutputType string          `json:"output_type"`
			Name       string          `json:"name"`
			Text       json.RawMessage `json:"text"`
			EName      string          `json:"ename"`
			EValue     string          `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

// exitLine is what GoNB's executor writes when the cell's process fails
// (os/exec's ExitError text, "^C" first when interrupted).
var exitLine = regexp.MustCompile(`(?m)^(\^C\n)?(exit status \d+|signal: [a-z ]+)$`)

// runsProgram matches GoNB's `%%` line, which wraps the rest of the cell in
// func main.
var runsProgram = regexp.MustCompile(`(?m)^%%\s*$`)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nbcheck executed.ipynb...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		problems, err := check(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "nbcheck: %v\n", err)
			failed = true
			continue
		}
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", path, p)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// check returns one line per failed cell of the notebook at path.
func check(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("reading %s as a notebook: %w", path, err)
	}
	var problems []string
	for i, cell := range nb.Cells {
		if cell.CellType != "code" {
			continue
		}
		source, err := joinText(cell.Source)
		if err != nil {
			return nil, fmt.Errorf("reading %s: cell %d: source: %w", path, i+1, err)
		}
		if runsProgram.MatchString(source) && len(cell.Outputs) == 0 {
			problems = append(problems, fmt.Sprintf("cell %d (%s) runs a program but shows no output", i+1, firstLine(cell.Source)))
		}
		for _, out := range cell.Outputs {
			switch {
			case out.OutputType == "error":
				problems = append(problems, fmt.Sprintf("cell %d (%s): %s: %s", i+1, firstLine(cell.Source), out.EName, out.EValue))
			case out.OutputType == "stream" && out.Name == "stderr":
				text, err := joinText(out.Text)
				if err != nil {
					return nil, fmt.Errorf("reading %s: cell %d: stderr text: %w", path, i+1, err)
				}
				if exitLine.MatchString(text) {
					problems = append(problems, fmt.Sprintf("cell %d (%s) failed:\n%s", i+1, firstLine(cell.Source), indent(text)))
				}
			}
		}
	}
	return problems, nil
}

// joinText decodes an nbformat multiline string: a string or a list of lines.
func joinText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", err
	}
	return strings.Join(lines, ""), nil
}

// firstLine names a cell by the first line of its source.
func firstLine(source json.RawMessage) string {
	text, err := joinText(source)
	if err != nil {
		return "unreadable source"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return line
}

func indent(text string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n\t")
}
