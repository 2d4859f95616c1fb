// Command nbcheck fails when an executed notebook holds an error that
// `jupyter nbconvert --execute` lets through.
//
// GoNB v0.11.5 reports only compile errors as cell errors: when a cell's
// program (or a `!` shell command) exits non-zero, it writes "exit status N"
// to the cell's stderr and reports success. nbcheck reads the executed
// notebooks and fails on such a line and on any error output.
//
// It fails on an output that a notebook nobody trusted would not show as
// written (untrusted.go): text/markdown, SVG or JavaScript without HTML
// beside it, and HTML with a tag or attribute a sanitiser removes (an
// inline style, a script, inline SVG).
//
// It also fails on a cell that runs a program (a `%%` line) and shows
// nothing but, at most, lines on stderr: every such cell in these notebooks
// displays a result, and GoNB drops display data silently when its pipe fails
// or the program exits before the kernel has read it.
//
// A cell whose input is missing shows, instead of its result, the message of
// the notebook package's Available: "*X is not here (looked in ...). To fetch
// it, run in the repository:*" and the command, indented. How such cells
// count depends on where the notebooks ran:
//
//	nbcheck executed.ipynb...            a reader's machine: the message is a result
//	nbcheck -fresh executed.ipynb...     a fresh clone (no ../shared, no data): every
//	                                     program cell shows its result or that message
//	                                     with its command; an input that is there but
//	                                     fails to load ("Cannot use this input here")
//	                                     fails, and a summary line counts both kinds
//	nbcheck -complete executed.ipynb...  outputs to commit: no input may be missing
//	                                     or fail to load
package main

import (
	"encoding/json"
	"flag"
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
			OutputType string                     `json:"output_type"`
			Name       string                     `json:"name"`
			Text       json.RawMessage            `json:"text"`
			Data       map[string]json.RawMessage `json:"data"`
			EName      string                     `json:"ename"`
			EValue     string                     `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

// exitLine is what GoNB's executor writes when the cell's process fails
// (os/exec's ExitError text, "^C" first when interrupted).
var exitLine = regexp.MustCompile(`(?m)^(\^C\n)?(exit status \d+|signal: [a-z ]+)$`)

// runsProgram matches GoNB's `%%` line, which wraps the rest of the cell in
// func main.
var runsProgram = regexp.MustCompile(`(?m)^%%\s*$`)

// Messages of the notebook package's Available (paperrepro/notebook): an
// input in none of the places, with the command that fetches it, and an
// input that is there but cannot be used.
var (
	missingInput   = regexp.MustCompile(`is not here \(looked in [^\n]*\)\. To fetch it, run in the repository:\*`)
	missingCommand = regexp.MustCompile(`To fetch it, run in the repository:\*\n\n {4}\S`)
	unusableInput  = regexp.MustCompile(`\*Cannot use this input here: `)
)

// mode says how cells whose input is missing count.
type mode int

const (
	reader   mode = iota // a reader's machine: the message is the cell's result
	fresh                // a fresh clone: the message must name its command
	complete             // outputs to commit: no input may be missing
)

func main() {
	freshFlag := flag.Bool("fresh", false, "the notebooks ran as on a fresh clone: a cell may show the command that fetches a missing input instead of its result, and nothing else")
	completeFlag := flag.Bool("complete", false, "the outputs are to be committed: no input may be missing")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: nbcheck [-fresh | -complete] executed.ipynb...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || (*freshFlag && *completeFlag) {
		flag.Usage()
		os.Exit(2)
	}
	m := reader
	if *freshFlag {
		m = fresh
	} else if *completeFlag {
		m = complete
	}
	failed := false
	for _, path := range flag.Args() {
		r, err := check(path, m)
		if err != nil {
			fmt.Fprintf(os.Stderr, "nbcheck: %v\n", err)
			failed = true
			continue
		}
		for _, p := range r.problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", path, p)
			failed = true
		}
		if m == fresh {
			fmt.Printf("%s: %d program cells show their result, %d the command that fetches a missing input\n", path, r.shown, r.missing)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// report is what check found in one notebook.
type report struct {
	// problems has one line per failed cell.
	problems []string
	// shown counts the program cells that showed their result, missing those
	// that showed only what is missing and the command that fetches it.
	shown, missing int
}

// check reads the executed notebook at path and reports its failed cells.
func check(path string, m mode) (report, error) {
	var r report
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return r, fmt.Errorf("reading %s as a notebook: %w", path, err)
	}
	for i, cell := range nb.Cells {
		if cell.CellType != "code" {
			continue
		}
		source, err := joinText(cell.Source)
		if err != nil {
			return r, fmt.Errorf("reading %s: cell %d: source: %w", path, i+1, err)
		}
		name := fmt.Sprintf("cell %d (%s)", i+1, firstLine(cell.Source))
		problems := len(r.problems)
		shows, missing := false, 0
		for _, out := range cell.Outputs {
			switch {
			case out.OutputType == "error":
				r.problems = append(r.problems, fmt.Sprintf("%s: %s: %s", name, out.EName, out.EValue))
			case out.OutputType == "stream" && out.Name == "stderr":
				text, err := joinText(out.Text)
				if err != nil {
					return r, fmt.Errorf("reading %s: cell %d: stderr text: %w", path, i+1, err)
				}
				if exitLine.MatchString(text) {
					r.problems = append(r.problems, fmt.Sprintf("%s failed:\n%s", name, indent(text)))
				}
			default:
				shows = true
				hidden, err := untrustedProblems(out.Data)
				if err != nil {
					return r, fmt.Errorf("reading %s: cell %d: output: %w", path, i+1, err)
				}
				for _, h := range hidden {
					r.problems = append(r.problems, fmt.Sprintf("%s: %s", name, h))
				}
				text, err := outputText(out.Text, out.Data)
				if err != nil {
					return r, fmt.Errorf("reading %s: cell %d: output: %w", path, i+1, err)
				}
				for _, loc := range missingInput.FindAllStringIndex(text, -1) {
					missing++
					switch {
					case m == complete:
						r.problems = append(r.problems, fmt.Sprintf("%s shows a missing input, and these outputs are to be committed: %s", name, lineAt(text, loc[0])))
					case m == fresh && !missingCommand.MatchString(text[loc[0]:]):
						r.problems = append(r.problems, fmt.Sprintf("%s says an input is missing but names no command that fetches it: %s", name, lineAt(text, loc[0])))
					}
				}
				if m != reader && unusableInput.MatchString(text) {
					r.problems = append(r.problems, fmt.Sprintf("%s cannot use an input that is there: %s", name, lineAt(text, unusableInput.FindStringIndex(text)[0])))
				}
			}
		}
		if !runsProgram.MatchString(source) {
			continue
		}
		switch {
		case len(r.problems) > problems:
			// Already reported.
		case !shows:
			r.problems = append(r.problems, name+" runs a program but shows no output")
		case missing > 0:
			r.missing++
		default:
			r.shown++
		}
	}
	return r, nil
}

// outputText returns what an output shows as text: a stream's text, or its
// display data's text/markdown, text/html and text/plain joined (the
// notebook package's Markdown writes its Markdown as text/plain beside the
// HTML).
func outputText(text json.RawMessage, data map[string]json.RawMessage) (string, error) {
	var parts []string
	if len(text) > 0 {
		t, err := joinText(text)
		if err != nil {
			return "", err
		}
		parts = append(parts, t)
	}
	for _, mime := range []string{"text/markdown", "text/html", "text/plain"} {
		if raw, ok := data[mime]; ok {
			t, err := joinText(raw)
			if err != nil {
				return "", fmt.Errorf("%s: %w", mime, err)
			}
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// firstLineOf returns text up to its first line break.
func firstLineOf(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	return line
}

// lineAt returns the line of text that holds byte i.
func lineAt(text string, i int) string {
	return firstLineOf(text[strings.LastIndex(text[:i], "\n")+1:])
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
	return firstLineOf(strings.TrimSpace(text))
}

func indent(text string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n\t")
}
