// Tests of the shell scripts beside this file.
package tools

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBin makes a folder for PATH holding the real tools the script needs
// and the given fake commands, each a shell script body that may append to
// $CALLS.
func fakeBin(t *testing.T, fakes map[string]string) string {
	t.Helper()
	bin := t.TempDir()
	for _, tool := range []string{"bash", "env", "grep", "id", "cat", "dirname", "chmod"} {
		if _, faked := fakes[tool]; faked {
			continue // a link there would send the fake's bytes to the real tool
		}
		path, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s here: %v", tool, err)
		}
		if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range fakes {
		script := "#!/usr/bin/env bash\necho \"" + name + " $*\" >>\"$CALLS\"\n" + body + "\n"
		// O_EXCL: never through a link to a real command.
		f, err := os.OpenFile(filepath.Join(bin, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(script); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// runSetupJupyter runs setup_jupyter.sh with PATH set to bin only and
// returns its output, the commands the fakes recorded, and whether it
// succeeded.
func runSetupJupyter(t *testing.T, bin string) (out, calls string, ok bool) {
	t.Helper()
	callsFile := filepath.Join(t.TempDir(), "calls")
	// Read here rather than by bash, so that go test's cache knows the
	// result depends on the script.
	script, err := os.ReadFile("setup_jupyter.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "bash"), "-s")
	cmd.Stdin = bytes.NewReader(script)
	cmd.Env = []string{"PATH=" + bin, "CALLS=" + callsFile, "HOME=" + t.TempDir()}
	b, err := cmd.CombinedOutput()
	recorded, _ := os.ReadFile(callsFile)
	return string(b), string(recorded), err == nil
}

func TestSetupJupyterUsesAWorkingJupyterOnPath(t *testing.T) {
	bin := fakeBin(t, map[string]string{
		"jupyter":    "exit 0", // conda's or pip's, say: nbconvert and kernelspec run
		"chromium":   "exit 0",
		"apt-get":    "exit 1",
		"dpkg-query": "exit 1",
		"sudo":       "exit 1",
	})
	out, calls, ok := runSetupJupyter(t, bin)
	if !ok || strings.Contains(calls, "apt-get") || strings.Contains(calls, "dpkg-query") {
		t.Errorf("with a working jupyter: ok=%v, output %q, calls:\n%s", ok, out, calls)
	}
	if !strings.Contains(calls, "jupyter nbconvert --version") {
		t.Errorf("did not check nbconvert; calls:\n%s", calls)
	}
}

func TestSetupJupyterFallsBackToDebianPackages(t *testing.T) {
	bin := fakeBin(t, map[string]string{
		// Broken until apt-get has run.
		"jupyter":    `grep -q "^apt-get .* install " "$CALLS"`,
		"chromium":   "exit 0",
		"dpkg-query": "exit 1", // nothing installed
		"apt-get":    "exit 0",
		"sudo":       `"$@"`,
	})
	out, calls, ok := runSetupJupyter(t, bin)
	if !ok {
		t.Fatalf("failed: %s\ncalls:\n%s", out, calls)
	}
	for _, deb := range []string{"jupyter-nbconvert", "python3-nbclient", "python3-ipykernel", "jupyter-notebook"} {
		if !strings.Contains(calls, "install") || !strings.Contains(calls, deb) {
			t.Errorf("apt-get did not install %s; calls:\n%s", deb, calls)
		}
	}
	// Another apt-get or dpkg holding the lock is waited for, not a failure.
	for _, call := range strings.Split(strings.TrimSpace(calls), "\n") {
		if strings.HasPrefix(call, "apt-get ") && !strings.HasPrefix(call, "apt-get -o DPkg::Lock::Timeout=600 ") {
			t.Errorf("apt-get called without waiting for a held dpkg lock: %s", call)
		}
	}
}

func TestSetupJupyterSaysHowToInstallElsewhere(t *testing.T) {
	bin := fakeBin(t, nil) // no jupyter, no apt-get: macOS, Fedora, ...
	out, _, ok := runSetupJupyter(t, bin)
	if ok {
		t.Fatalf("succeeded without Jupyter: %s", out)
	}
	for _, want := range []string{"pip install", "conda install", "make setup", "no Chromium or Chrome on PATH", "CHROMIUM="} {
		if !strings.Contains(out, want) {
			t.Errorf("message does not say %q:\n%s", want, out)
		}
	}
}

func TestSetupJupyterReportsABrokenJupyterItCannotFix(t *testing.T) {
	bin := fakeBin(t, map[string]string{
		"jupyter":    "exit 1",
		"chromium":   "exit 0",
		"dpkg-query": `echo "install ok installed"`, // Debian's are there, a broken one comes first
		"apt-get":    "exit 0",
	})
	out, calls, ok := runSetupJupyter(t, bin)
	if ok || strings.Contains(calls, " install ") || !strings.Contains(out, filepath.Join(bin, "jupyter")) {
		t.Errorf("broken jupyter first on PATH: ok=%v, output %q, calls:\n%s", ok, out, calls)
	}
}

func TestSetupJupyterInstallsChromium(t *testing.T) {
	bin := fakeBin(t, map[string]string{
		"jupyter":    "exit 0",
		"dpkg-query": "exit 1",
		// Debian's chromium package puts a chromium on PATH.
		"apt-get": `if [[ " $* " == *" install "*chromium* ]]; then printf '#!/usr/bin/env bash\n' >"$(dirname "$0")/chromium"; chmod +x "$(dirname "$0")/chromium"; fi`,
	})
	out, calls, ok := runSetupJupyter(t, bin)
	if !ok || !strings.Contains(calls, "install -y -qq --no-install-recommends chromium") || strings.Contains(calls, "jupyter-notebook") {
		t.Errorf("a working Jupyter without a browser: ok=%v, output %q, calls:\n%s; want chromium installed, nothing else", ok, out, calls)
	}
}
