package tools

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runJupyterScript runs jupyter.sh with PATH set to bin only (plus a fake
// go for gobin.sh) and returns its output, the fakes' calls and whether it
// succeeded.
func runJupyterScript(t *testing.T, bin string, args ...string) (out, calls string, ok bool) {
	t.Helper()
	callsFile := filepath.Join(t.TempDir(), "calls")
	cmd := exec.Command(filepath.Join(bin, "bash"), append([]string{"jupyter.sh"}, args...)...)
	cmd.Env = []string{"PATH=" + bin, "CALLS=" + callsFile, "HOME=" + t.TempDir()}
	b, err := cmd.CombinedOutput()
	recorded, _ := os.ReadFile(callsFile)
	return string(b), string(recorded), err == nil
}

// TestJupyterScriptPicksTheApp checks which Jupyter jupyter.sh starts, in
// which folder and with which options, with fake jupyter and id commands.
func TestJupyterScriptPicksTheApp(t *testing.T) {
	notebooks, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, jupyter, uid string
		want               string // the call that starts the server
		wantFailure        string
	}{
		{name: "JupyterLab as root", jupyter: "exit 0", uid: "0", want: "jupyter lab --allow-root --no-browser"},
		{name: "JupyterLab as a user", jupyter: "exit 0", uid: "1000", want: "jupyter lab --no-browser"},
		{name: "Notebook as root", jupyter: `[[ $1 != lab ]]`, uid: "0", want: "jupyter notebook --allow-root --no-browser"},
		{name: "no Jupyter", jupyter: "exit 1", uid: "0", wantFailure: "make setup installs Jupyter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := fakeBin(t, map[string]string{
				"jupyter": `[[ $2 == --version ]] || echo "cwd $PWD" >>"$CALLS"; ` + tc.jupyter,
				"id":      "echo " + tc.uid,
				"go":      `[[ $2 == GOBIN ]] && echo /opt/gobin || true`,
			})
			out, calls, ok := runJupyterScript(t, bin, "--no-browser")
			if tc.wantFailure != "" {
				if ok || !strings.Contains(out, tc.wantFailure) {
					t.Errorf("ok=%v, output %q; want a failure saying %q", ok, out, tc.wantFailure)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(calls), "\n")
			last := lines[len(lines)-1]
			if !ok || last != "cwd "+notebooks || lines[len(lines)-2] != tc.want {
				t.Errorf("ok=%v, output %q, calls:\n%s\nwant %q run in %s", ok, out, calls, tc.want, notebooks)
			}
		})
	}
}

// TestJupyterScriptServesTheNotebooks starts the real Jupyter this machine
// has (Debian's Notebook 6 where make setup installed it) through
// jupyter.sh, with the token set as the script's comment says, and asks its
// contents API for the notebooks. As root it proves --allow-root too.
func TestJupyterScriptServesTheNotebooks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Jupyter server, a few seconds")
	}
	if err := exec.Command("jupyter", "notebook", "--version").Run(); err != nil {
		t.Skipf("no jupyter notebook here (make setup installs it): %v", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "jupyter.sh", "--no-browser", fmt.Sprintf("--port=%d", port), "--ip=127.0.0.1")
	cmd.Env = append(os.Environ(), "JUPYTER_TOKEN=readme-check", "HOME="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/api/contents?token=readme-check", port)
	var body string
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			body = string(b)
			break
		}
	}
	if !strings.Contains(body, "01_") || !strings.Contains(body, ".ipynb") {
		t.Fatalf("the server did not list the notebooks at %s (got %q); its log:\n%s", url, body, log.String())
	}
}
