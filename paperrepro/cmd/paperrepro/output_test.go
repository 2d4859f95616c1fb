package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// copyFile copies src to dst, making dst's folder.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOutputRule: every command that writes follows one rule - never over
// an input, over an existing output only with -f - and checks it before
// any work; -o names a file and -out a folder, each taking the other
// spelling too.
func TestOutputRule(t *testing.T) {
	shared := testenv.SampleData(t)
	expected := testenv.Expected(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	prefix := filepath.Join(data, "enwik8", "enwik8.prefix")
	copyFile(t, filepath.Join(shared, "enwik8", "enwik8.prefix"), prefix)
	existing := filepath.Join(dir, "existing")
	table := filepath.Join(dir, "csv", "grid_text.csv")
	tablesDir := filepath.Join(dir, "tables")
	script := filepath.Join(dir, "grid.sh")
	figuresDir := filepath.Join(dir, "figures")
	exe := filepath.Join(dir, "paperrepro")
	writeExecutable(t, exe, "")
	rows := results.Table{Modality: "text"}
	for _, m := range []struct {
		name   string
		params float64
	}{{"mine-a", 1e6}, {"mine-b", 2e6}, {"mine-c", 4e6}} {
		for _, step := range []int{1000, 2000, 4000} {
			rows.Rows = append(rows.Rows, results.Row{Model: m.name, Params: m.params, Step: step, CR: 0.5 + 1e3/m.params + 1/float64(step)})
		}
	}
	if err := os.Mkdir(filepath.Dir(table), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteCSV(table, rows); err != nil {
		t.Fatal(err)
	}
	slurm := append([]string{"slurm", "-binary", exe, "-paper", expected, "-data-dir", shared, "-chunks", "2", "-out", filepath.Join(dir, "results")}, tinyGrid...)
	tests := []struct {
		name    string
		args    []string
		code    int
		want    string
		written string // a file that must hold other bytes than before
	}{
		{"chunks over its input", []string{"chunks", "-modality", "text", "-count", "2", "-data-dir", data, "-out", prefix}, exitUsage, "the output " + prefix + " is an input", ""},
		{"chunks over its input, -f", []string{"chunks", "-f", "-modality", "text", "-count", "2", "-data-dir", data, "-o", prefix}, exitUsage, "is an input", ""},
		{"chunks over a file", []string{"chunks", "-modality", "text", "-count", "2", "-data-dir", data, "-o", existing}, exitUsage, existing + " exists: give -f to replace it", ""},
		{"chunks over a file, -f", []string{"chunks", "-f", "-modality", "text", "-count", "2", "-data-dir", data, "-o", existing}, exitOK, "", existing},
		{"chunks into a folder", []string{"chunks", "-modality", "text", "-count", "2", "-data-dir", data, "-o", dir}, exitUsage, "is a folder", ""},
		{"slurm over a file", append(cloneArgs(slurm), "-o", existing), exitUsage, existing + " exists: give -f", ""},
		{"slurm over a file, -f", append(cloneArgs(slurm), "-f", "-o", existing), exitOK, "", existing},
		{"slurm", append(cloneArgs(slurm), "-o", script), exitOK, "", script},
		{"fit over its input", []string{"fit", "-paper", "", "-resamples", "10", "-o", table, table}, exitUsage, "the output " + table + " is an input", ""},
		{"fit over a file", []string{"fit", "-paper", "", "-resamples", "10", "-out", existing, table}, exitUsage, "exists: give -f", ""},
		{"tables", []string{"tables", "-paper", expected, "-o", tablesDir, table}, exitOK, "", filepath.Join(tablesDir, tablesFile)},
		{"tables over its input", []string{"tables", "-f", "-paper", expected, "-out", tablesDir, filepath.Join(tablesDir, tablesFile)}, exitUsage, "the output " + filepath.Join(tablesDir, tablesFile) + " is an input", ""},
		{"tables again", []string{"tables", "-paper", expected, "-out", tablesDir, table}, exitUsage, filepath.Join(tablesDir, "table2_text.csv") + " exists: give -f", ""},
		{"tables again, -f", []string{"tables", "-f", "-paper", expected, "-out", tablesDir, table}, exitOK, "", ""},
		{"tables into a file", []string{"tables", "-paper", expected, "-out", existing, table}, exitUsage, existing + " is a file: name a folder", ""},
		{"figures", []string{"figures", "-out", figuresDir, table}, exitOK, "", filepath.Join(figuresDir, "figure1_heatmaps.png")},
		{"figures again", []string{"figures", "-o", figuresDir, table}, exitUsage, "figure1_heatmaps.png exists: give -f", ""},
		{"figures into its input folder", []string{"figures", "-o", filepath.Dir(table), filepath.Dir(table)}, exitOK, "", ""},
		{"figures into its input folder again", []string{"figures", "-f", "-o", filepath.Dir(table), filepath.Dir(table)}, exitOK, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(prefix)
			var was []byte
			if tc.written != "" {
				was, _ = os.ReadFile(tc.written)
			}
			code, _, stderr := run(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if after, _ := os.ReadFile(prefix); !bytes.Equal(before, after) {
				t.Errorf("the data file changed: %d bytes, was %d", len(after), len(before))
			}
			if tc.written != "" {
				if now, err := os.ReadFile(tc.written); err != nil || bytes.Equal(now, was) {
					t.Errorf("%s not written (%v)", tc.written, err)
				}
			} else if keep, _ := os.ReadFile(existing); string(keep) != "keep me\n" {
				t.Errorf("%s was overwritten", existing)
			}
		})
	}
}

func cloneArgs(s []string) []string { return append([]string(nil), s...) }

// TestOutputFlagsHelp: every command that writes spells its output -o FILE
// or -out DIR, lists the other spelling as an alias, and takes -f; and no
// help shows a placeholder that was not filled in (+name+, %s, {{), nor a
// flag an argument name that is one (a backquoted expression in a flag's
// usage becomes its argument name).
func TestOutputFlagsHelp(t *testing.T) {
	word := regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)
	placeholder := regexp.MustCompile(`\+[A-Za-z]+\+|%[sdvgq]|\{\{`)
	for _, cmd := range commands() {
		var help bytes.Buffer
		printUsage(&help, cmd)
		if p := placeholder.FindString(help.String()); p != "" {
			t.Errorf("%s --help shows %q, a placeholder not filled in", cmd.name, p)
		}
		cmd.flags.VisitAll(func(f *flag.Flag) {
			if name, _ := flag.UnquoteUsage(f); !word.MatchString(name) {
				t.Errorf("%s -%s: help shows the argument name %q", cmd.name, f.Name, name)
			}
		})
		o, out := cmd.flags.Lookup(fileFlag), cmd.flags.Lookup(folderFlag)
		if o == nil && out == nil {
			continue
		}
		if cmd.name != "run" && cmd.flags.Lookup(forceFlag) == nil {
			t.Errorf("%s writes (-o or -out) but has no -f", cmd.name)
		}
		if o == nil || out == nil {
			t.Errorf("%s has only one of -o and -out", cmd.name)
			continue
		}
		if cmd.name == "slurm" {
			continue // -o the script, -out the tasks' results folder
		}
		if o.Usage != "same as -out" && out.Usage != "same as -o" {
			t.Errorf("%s: neither -o (%q) nor -out (%q) is said to be the other's alias", cmd.name, o.Usage, out.Usage)
		}
	}
}
