package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
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
			problems, err := check(path)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
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
	if _, err := check(path); err == nil {
		t.Fatal("check accepted a file that is not JSON")
	}
}
