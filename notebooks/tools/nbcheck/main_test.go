package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		mode     mode
		notebook string
		want     []string // substrings of the problems, in order; none for a clean notebook
	}{
		{
			name:     "clean",
			notebook: `{"cells":[{"cell_type":"markdown","source":"# t"},{"cell_type":"code","source":["%%\n","fmt.Println(1)"],"outputs":[{"output_type":"stream","name":"stdout","text":["1\n"]},{"output_type":"stream","name":"stderr","text":"go: added x v1\n"}]}]}`,
		},
		{
			name:     "panic in a Go cell",
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","panic(1)"],"outputs":[{"output_type":"stream","name":"stderr","text":["panic: 1\n","\n","exit status 2\n"]}]}]}`,
			want:     []string{"cell 1 (%%) failed:\n\tpanic: 1"},
		},
		{
			name:     "failing shell command after an interrupt",
			notebook: `{"cells":[{"cell_type":"code","source":"!false","outputs":[{"output_type":"stream","name":"stderr","text":"^C\nexit status 1\n"}]}]}`,
			want:     []string{"cell 1 (!false) failed"},
		},
		{
			name:     "error output",
			notebook: `{"cells":[{"cell_type":"code","source":"x","outputs":[{"output_type":"error","ename":"ERROR","evalue":"compile failed"}]}]}`,
			want:     []string{"cell 1 (x): ERROR: compile failed"},
		},
		{
			name:     "program cell without output",
			notebook: `{"cells":[{"cell_type":"code","source":["!*setup.sh"],"outputs":[]},{"cell_type":"code","source":["func f() {}\n","%%\n","gonbui.DisplayHTML(\"x\")"],"outputs":[]}]}`,
			want:     []string{"cell 2 (func f() {}) runs a program but shows no output"},
		},
		{
			name:     "program cell with only stderr output",
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","log.Print(1)"],"outputs":[{"output_type":"stream","name":"stderr","text":"1\n"}]}]}`,
			want:     []string{"cell 1 (%%) runs a program but shows no output"},
		},
		{
			name:     "missing input on a reader's machine",
			notebook: missingCell(commandBlock),
		},
		{
			name:     "missing input with its command on a fresh clone",
			mode:     fresh,
			notebook: missingCell(commandBlock),
		},
		{
			name:     "missing input without a command on a fresh clone",
			mode:     fresh,
			notebook: missingCell(""),
			want:     []string{"cell 1 (%%) says an input is missing but names no command that fetches it: *The text data is not here"},
		},
		{
			name:     "missing input in outputs to commit",
			mode:     complete,
			notebook: missingCell(commandBlock),
			want:     []string{"cell 1 (%%) shows a missing input, and these outputs are to be committed"},
		},
		{
			name:     "input that fails to load on a fresh clone",
			mode:     fresh,
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/html":"<p><i>Cannot use this input here: bad file</i></p>","text/plain":["*Cannot use this input here: bad file*"]}}]}]}`,
			want:     []string{"cell 1 (%%) cannot use an input that is there: *Cannot use this input here: bad file*"},
		},
		{
			name:     "input that fails to load in outputs to commit",
			mode:     complete,
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/html":"<p><i>Cannot use this input here: bad file</i></p>","text/plain":["*Cannot use this input here: bad file*"]}}]}]}`,
			want:     []string{"cell 1 (%%) cannot use an input that is there"},
		},
		{
			name:     "markdown only: Notebook 6 drops it untrusted",
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/markdown":"**Inputs**","text/plain":"Inputs"}}]}]}`,
			want:     []string{"cell 1 (%%): an output of type text/markdown without text/html"},
		},
		{
			name:     "markdown with HTML beside it: the HTML is shown",
			notebook: `{"cells":[{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/markdown":"**Inputs**","text/html":"<p><b>Inputs</b></p>"}}]}]}`,
		},
		{
			name:     "SVG image",
			notebook: `{"cells":[{"cell_type":"code","source":"x","outputs":[{"output_type":"display_data","data":{"image/svg+xml":"<svg></svg>","image/png":"iVBO"}}]}]}`,
			want:     []string{"cell 1 (x): an output of type image/svg+xml without text/html"},
		},
		{
			name: "HTML a sanitiser changes",
			notebook: `{"cells":[{"cell_type":"code","source":"x","outputs":[{"output_type":"display_data","data":{"text/html":` +
				`"<table style=\"border:0\"><tr><td bgcolor=\"#fff\" style=\"x\"><span title=\"1 bit\">a</span></td></tr></table><div><svg width=\"2\"></svg></div><script>x</script>"}}]}]}`,
			want: []string{"<table style=...>", "<td style=...>", "<svg>", "<script>"},
		},
		{
			name:     "HTML both sanitisers keep",
			notebook: `{"cells":[{"cell_type":"code","source":"x","outputs":[{"output_type":"execute_result","data":{"text/html":"<table><caption>c</caption><tr><th colspan=\"2\">h</th></tr><tr><td bgcolor=\"#1e3c78\"><font color=\"white\">0.1</font></td><td>$x^2$ <mark>m</mark> <code>c</code></td></tr></table>"}}]}]}`,
		},
		{
			name:     "exit status inside stdout is program output, not a failure",
			notebook: `{"cells":[{"cell_type":"code","source":"x","outputs":[{"output_type":"stream","name":"stdout","text":"exit status 3\n"}]}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nb.ipynb")
			if err := os.WriteFile(path, []byte(tt.notebook), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := check(path, tt.mode)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			problems := r.problems
			if len(problems) != len(tt.want) {
				t.Fatalf("check found %d problems %q, want %d", len(problems), problems, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, problems[i], want)
				}
			}
		})
	}
}

func TestCheckRejectsNonNotebook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := os.WriteFile(path, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check(path, reader); err == nil {
		t.Fatal("check accepted a file that is not JSON")
	}
}

// commandBlock is how the notebook package's Available ends its message on a
// missing input: the command, indented as code.
const commandBlock = "\n\n    make data"

// missingCell is a notebook of one program cell that showed the message of a
// missing input, followed by command.
func missingCell(command string) string {
	md, err := json.Marshal("*The text data is not here (looked in /d, ../shared/data). To fetch it, run in the repository:*" + command)
	if err != nil {
		panic(err)
	}
	return `{"cells":[{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/html":"<p>…</p>","text/plain":` + string(md) + `}}]}]}`
}

func TestCheckCountsCellsOnAFreshClone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	nb := `{"cells":[` +
		`{"cell_type":"code","source":"!*setup.sh","outputs":[]},` +
		`{"cell_type":"code","source":["%%\n","x"],"outputs":[{"output_type":"display_data","data":{"text/html":"<table></table>"}}]},` +
		`{"cell_type":"code","source":["%%\n","y"],"outputs":[{"output_type":"display_data","data":{"text/html":"<p>…</p>","text/plain":"*The speech data is not here (looked in /d). To fetch it, run in the repository:*\n\n    make data"}}]}]}`
	if err := os.WriteFile(path, []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := check(path, fresh)
	if err != nil || len(r.problems) != 0 || r.shown != 1 || r.missing != 1 {
		t.Errorf("check = %+v, %v; want 1 cell shown, 1 missing its input, no problems", r, err)
	}
}
