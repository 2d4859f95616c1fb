package paperrepro

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// readmeFiles are the documents whose commands TestREADMECommands checks.
var readmeFiles = []string{"README.md", "paperrepro/docs/slurm.md", "paperrepro/docs/speed.md"}

// readmeCommand is a command a document shows, and where.
type readmeCommand struct {
	where, line string
}

// codeSpan matches Markdown's inline code.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// readmeCommands returns the commands of a Markdown file: the lines of its
// sh code blocks (comments cut, continued lines joined) and the inline code
// spans that start like a command (go, make, notebooks/tools/).
func readmeCommands(t *testing.T, path string) []readmeCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	inBlock, pending := false, ""
	lines := bufio.NewScanner(f)
	for n := 1; lines.Scan(); n++ {
		line := lines.Text()
		where := filepath.Base(path) + ":" + strconv.Itoa(n)
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = !inBlock && strings.TrimPrefix(line, "```") == "sh"
		case inBlock:
			code, _, _ := strings.Cut(line, " #")
			code = pending + strings.TrimSpace(code)
			if strings.HasSuffix(code, "\\") {
				pending = strings.TrimSuffix(code, "\\")
				continue
			}
			pending = ""
			if code != "" {
				cmds = append(cmds, readmeCommand{where, code})
			}
		default:
			for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
				if strings.HasPrefix(m[1], "go ") || strings.HasPrefix(m[1], "make ") || strings.HasPrefix(m[1], "notebooks/tools/") {
					cmds = append(cmds, readmeCommand{where, m[1]})
				}
			}
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// TestREADMEIsShort: the README stays a page a reader reads (about 150
// lines, no table cell longer than a few lines), and names the Go settings
// the Makefile uses.
func TestREADMEIsShort(t *testing.T) {
	root := testenv.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(readme), "\n"), "\n")
	if len(lines) > 160 {
		t.Errorf("README.md has %d lines; keep it near 150 and move details next to their code (paperrepro/docs/)", len(lines))
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		for _, cell := range strings.Split(line, "|") {
			if len(cell) > 300 {
				t.Errorf("README.md:%d: a table cell of %d characters", i+1, len(cell))
			}
		}
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, setting := range regexp.MustCompile(`(?m)^export (GO\w+) \?= (\S+)$`).FindAllStringSubmatch(string(makefile), -1) {
		if !strings.Contains(string(readme), setting[1]+"="+setting[2]) {
			t.Errorf("the Makefile sets %s=%s, the README does not say so", setting[1], setting[2])
		}
	}
}

// TestREADMECommands checks that every command the README and the Slurm
// page show works as written, as far as it can without running for hours:
// make targets exist (make -n), go test patterns match tests and their
// flags parse (the package's test binary with -test.list, the flags as go
// test passes them), paperrepro commands and their flags parse
// (the command with -help after its flags), scripts are there. -short does
// the make and script checks only.
func TestREADMECommands(t *testing.T) {
	root := testenv.RepoRoot(t)
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	var binary string
	paperrepro := func(t *testing.T) string {
		t.Helper()
		if binary == "" {
			binary = filepath.Join(t.TempDir(), "paperrepro")
			runIn(t, root, goTool, "build", "-o", binary, "./paperrepro/cmd/paperrepro")
		}
		return binary
	}
	testBinaries := map[string]string{} // by package, built once
	checked := 0
	for _, doc := range readmeFiles {
		for _, c := range readmeCommands(t, filepath.Join(root, doc)) {
			args := strings.Fields(c.line)
			switch {
			case args[0] == "make":
				runIn(t, root, "make", append([]string{"-n"}, args[1:]...)...)
			case strings.HasPrefix(args[0], "notebooks/tools/"):
				if info, err := os.Stat(filepath.Join(root, args[0])); err != nil || info.Mode()&0o111 == 0 {
					t.Errorf("%s: %s is not an executable script (%v)", c.where, args[0], err)
				}
			case args[0] == "export":
				continue // TestREADMEIsShort compares it with the Makefile
			case testing.Short():
				continue
			case len(args) > 2 && args[0] == "go" && args[1] == "test":
				pkg, flags := splitGoTest(args[2:])
				if strings.HasSuffix(pkg, "/...") {
					runIn(t, root, goTool, "list", pkg) // a whole tree: the pattern matches packages
					break
				}
				if testBinaries[pkg] == "" {
					testBinaries[pkg] = filepath.Join(t.TempDir(), "test")
					runIn(t, root, goTool, "test", "-c", "-o", testBinaries[pkg], pkg)
				}
				pattern := flagValue(args, "-run")
				if bench := flagValue(args, "-bench"); bench != "" {
					pattern = bench // a benchmark line: -run '^$' leaves the tests out
				}
				list := append(testBinaryFlags(flags), "-test.list", pattern)
				out := runIn(t, filepath.Join(root, pkg), testBinaries[pkg], list...)
				if !regexp.MustCompile(`(?m)^(Test|Benchmark|Example)\w+$`).MatchString(out) {
					t.Errorf("%s: %q matches no test:\n%s", c.where, c.line, out)
				}
			case len(args) > 2 && args[0] == "go" && args[1] == "run" && args[2] == "./paperrepro/cmd/paperrepro":
				checkPaperreproCommand(t, c, paperrepro(t), args[3:])
			case len(args) > 1 && args[0] == "go" && (args[1] == "install" || args[1] == "build"):
				runIn(t, root, goTool, "build", "-o", filepath.Join(t.TempDir(), "paperrepro"), args[len(args)-1])
			case strings.HasSuffix(args[0], "/paperrepro") || args[0] == "paperrepro":
				checkPaperreproCommand(t, c, paperrepro(t), args[1:])
			default:
				continue // shell glue of a cluster (bash grid.sh, steps=...): not run here
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("checked %d commands; the README's parser has lost them", checked)
	}
}

// checkPaperreproCommand runs a paperrepro command line with -help after
// its flags: the command and every flag must exist (an unknown one exits 2).
// A line with shell variables is left out.
func checkPaperreproCommand(t *testing.T, c readmeCommand, binary string, args []string) {
	t.Helper()
	if strings.Contains(c.line, "$") {
		return
	}
	if len(args) == 1 && args[0] == "help" {
		runIn(t, t.TempDir(), binary, "help")
		return
	}
	out := runIn(t, t.TempDir(), binary, append(args, "-help")...)
	if !strings.Contains(out, "Usage: paperrepro "+args[0]) {
		t.Errorf("%s: %q -help printed no usage:\n%s", c.where, c.line, out)
	}
}

// goTestFlags are the flags go test passes to the test binary as -test.NAME.
var goTestFlags = map[string]bool{"run": true, "skip": true, "v": true, "short": true, "timeout": true, "count": true,
	"bench": true, "benchtime": true, "cpu": true, "failfast": true, "parallel": true, "fuzz": true, "fuzztime": true}

// splitGoTest splits the arguments of go test into the package and the
// flags, wherever the package comes.
func splitGoTest(args []string) (pkg string, flags []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		switch {
		case !strings.HasPrefix(a, "-") && pkg == "":
			pkg = a
		case strings.HasPrefix(a, "-") && goTestFlags[name] && name != "v" && name != "short" && name != "failfast" && i+1 < len(args):
			flags = append(flags, a, args[i+1]) // a flag and its value
			i++
		default:
			flags = append(flags, a)
		}
	}
	return pkg, flags
}

// testBinaryFlags turns the flags of a go test command line into the test
// binary's, as go test does: its own flags get the test. prefix, the
// package's own flags stay as they are.
func testBinaryFlags(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && goTestFlags[name] {
			a = "-test." + strings.TrimLeft(a, "-")
		}
		out[i] = unquote(a)
	}
	return out
}

// unquote takes the shell's single quotes off a word ('^$' -> ^$).
func unquote(word string) string {
	if len(word) >= 2 && word[0] == '\'' && word[len(word)-1] == '\'' {
		return word[1 : len(word)-1]
	}
	return word
}

// flagValue returns the value of flag name in args ("" when absent).
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return unquote(args[i+1])
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return unquote(v)
		}
	}
	return ""
}

// runIn runs a command in dir and returns its output; a failure fails the
// test with the output.
func runIn(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HF_HUB_OFFLINE=1", "HF_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
