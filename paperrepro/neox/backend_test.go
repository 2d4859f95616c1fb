package neox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
)

func TestSimpleGoOptions(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "ops_sequential"},
		{"parallelism=2", "parallelism=2,ops_sequential"},
		{"parallelism=1", "parallelism=1,ops_sequential"},
		{"parallelism=1,ops_sequential", "parallelism=1,ops_sequential"},
		{"ops_parallel", "ops_parallel"},
	} {
		if got := simpleGoOptions(tc.in); got != tc.want {
			t.Errorf("simpleGoOptions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeXLA stands in for the compiled-in XLA backend: plugins are "installed"
// by name, and opening one gives a pure-Go backend (so a graph can run) or
// fails as a CUDA plugin does on a machine without a GPU.
func fakeXLA(installed []string, failing ...string) *xlaSupport {
	return &xlaSupport{
		plugins: func() []string { return installed },
		open: func(config string) (compute.Backend, error) {
			plugin, _, _ := strings.Cut(config, ",")
			for _, f := range failing {
				if plugin == f {
					if f == "panics" {
						panic("plugin crashed")
					}
					return nil, errors.New("while creating plugin " + plugin + ": no CUDA-capable device is detected\n(details...)")
				}
			}
			return compute.NewWithConfig("go:ops_sequential")
		},
	}
}

// TestChooseBackend goes through the settings a user can make and the
// plugins a machine can have: every case gives a working backend or an
// error that says what to do, never a panic.
func TestChooseBackend(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setting string
		xla     *xlaSupport
		want    string   // the backend's name; "" when an error is expected
		says    []string // in the error, or else in the log line's note
	}{
		{"default, XLA not compiled in", "", nil, "go", []string{"no XLA", "noxla"}},
		{"default, no plugin installed", "", fakeXLA(nil), "go", []string{InstallPluginCommand}},
		{"default prefers cuda", "", fakeXLA([]string{"cpu", "cuda"}), "xla:cuda", nil},
		{"default, cpu plugin only", "", fakeXLA([]string{"cpu"}), "xla:cpu", nil},
		{"default, cuda plugin without a GPU falls back to cpu", "", fakeXLA([]string{"cpu", "cuda"}, "cuda"), "xla:cpu", nil},
		{"default, cuda plugin without a GPU and no cpu plugin", "", fakeXLA([]string{"cuda"}, "cuda"), "go", []string{"cuda PJRT plugin did not start", "no CUDA-capable device"}},
		{"GOMLX_BACKEND=go", "go", fakeXLA([]string{"cuda"}), "go", nil},
		{"parallelism=1 runs sequentially instead of deadlocking", "go:parallelism=1", nil, "go", nil},
		{"xla asked for but not compiled in", "xla:cuda", nil, "", []string{`"xla:cuda"`, "-tags noxla", "cgo"}},
		{"plugin asked for but not installed", "xla:cuda", fakeXLA([]string{"cpu"}), "", []string{`no PJRT plugin "cuda"`, "installed: cpu", InstallPluginCommand, "PJRT_PLUGIN_LIBRARY_PATH"}},
		{"plugin asked for, none installed", "xla:cpu", fakeXLA(nil), "", []string{"installed: none", InstallPluginCommand}},
		{"xla:cuda with no GPU", "xla:cuda", fakeXLA([]string{"cuda"}, "cuda"), "", []string{"starting the cuda PJRT plugin", "no CUDA-capable device"}},
		{"a plugin that panics", "xla:panics", fakeXLA([]string{"panics"}, "panics"), "", []string{"plugin crashed"}},
		{"xla without a plugin name takes the preferred one", "xla", fakeXLA([]string{"cpu", "cuda"}), "xla:cuda", nil},
		{"xla without a plugin name, none installed", "xla", fakeXLA(nil), "", []string{"no PJRT plugin is installed", InstallPluginCommand}},
		{"plugin by absolute path", "xla:/opt/jax/pjrt_c_api_cuda_plugin.so", fakeXLA(nil), "xla:pjrt_c_api_cuda_plugin.so", nil},
		{"unknown backend", "tpu9000", nil, "", []string{"tpu9000", `"go"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			choice, err := chooseBackend(tc.setting, tc.xla)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got backend %q, want an error", choice.name)
				}
				for _, w := range tc.says {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q runs over several lines", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer choice.backend.Finalize()
			if choice.name != tc.want {
				t.Errorf("backend %q, want %q", choice.name, tc.want)
			}
			for _, w := range tc.says {
				if !strings.Contains(choice.note, w) {
					t.Errorf("log note %q does not mention %q", choice.note, w)
				}
			}
			// The backend must run a graph (and not hang).
			done := make(chan float32, 1)
			go func() {
				out := MustExecOnce(choice.backend, func(x *Node) *Node { return ReduceAllSum(MatMul(x, x)) }, [][]float32{{1, 2}, {3, 4}})
				done <- out.Value().(float32)
			}()
			select {
			case got := <-done:
				if got != 54 {
					t.Errorf("sum of [[1 2] [3 4]]^2 = %v, want 54", got)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the backend did not finish a 2x2 matmul in 30 s")
			}
		})
	}
}

func TestInstallPlugin(t *testing.T) {
	offline := errors.New(`failed to fetch release data from "https://api.github.com/...": dial tcp: lookup api.github.com: no such host`)
	for _, tc := range []struct {
		name       string
		xla        *xlaSupport
		gpu        bool
		installErr error
		installs   []string // plugins present after a successful install
		want       string   // in the report, or else in the error
		wantErr    bool
		wantCalls  int
	}{
		{"not compiled in", nil, false, nil, nil, "-tags noxla", true, 0},
		{"cpu plugin already there", fakeXLA([]string{"cpu"}), false, nil, nil, "CPU PJRT plugin is installed", false, 0},
		{"GPU machine with only the cpu plugin installs cuda", fakeXLA([]string{"cpu"}), true, nil, []string{"cpu", "cuda"}, "installed the CUDA PJRT plugin", false, 1},
		{"CPU machine installs cpu", fakeXLA(nil), false, nil, []string{"cpu"}, "installed the CPU PJRT plugin", false, 1},
		{"offline", fakeXLA(nil), false, offline, nil, "installing the CPU PJRT plugin with go-xla's installer: failed to fetch", true, 1},
		{"installer claims success, nothing found", fakeXLA(nil), true, nil, nil, "no CUDA PJRT plugin is found", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			if tc.xla != nil {
				present := tc.xla.plugins()
				tc.xla.plugins = func() []string { return present }
				tc.xla.install = func(cuda bool) error {
					calls++
					if cuda != tc.gpu {
						t.Errorf("installer asked for cuda=%v on a machine with gpu=%v", cuda, tc.gpu)
					}
					if tc.installErr == nil {
						present = tc.installs
					}
					return tc.installErr
				}
			}
			report, err := installPlugin(tc.xla, tc.gpu)
			if (err != nil) != tc.wantErr {
				t.Fatalf("report %q, error %v; want an error: %v", report, err, tc.wantErr)
			}
			got := report
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("%q does not mention %q", got, tc.want)
			}
			if calls != tc.wantCalls {
				t.Errorf("installer ran %d times, want %d", calls, tc.wantCalls)
			}
		})
	}
}

// installOfflineEnv, when set, makes TestInstallPluginOffline act as the
// child process that runs the real installer with no network.
const installOfflineEnv = "NEOX_INSTALL_OFFLINE_CHILD"

// TestInstallPluginOffline runs go-xla's real installer in a child process
// whose home is empty and whose HTTPS proxy is a closed local port, so every
// download fails at once (as on a machine without internet access): the
// error must name the plugin and the cause, on one line.
func TestInstallPluginOffline(t *testing.T) {
	if os.Getenv(installOfflineEnv) != "" {
		report, err := InstallPlugin()
		fmt.Printf("report=%q\nerror=%v\n", report, err)
		return
	}
	if compiledXLA == nil {
		t.Skip("XLA is not compiled in (no cgo, or -tags noxla): there is no installer to run")
	}
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestInstallPluginOffline$")
	cmd.Env = append(os.Environ(), installOfflineEnv+"=1", "HOME="+home, "XDG_CACHE_HOME="+home+"/cache",
		"PJRT_PLUGIN_LIBRARY_PATH="+t.TempDir(), "HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1",
		"https_proxy=http://127.0.0.1:1", "http_proxy=http://127.0.0.1:1", "NO_PROXY=", "no_proxy=", "PATH=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "error=installing the CPU PJRT plugin with go-xla's installer: ") || !strings.Contains(text, "127.0.0.1:1") {
		t.Errorf("offline install did not report the failed download:\n%s", text)
	}
	t.Logf("offline: %s", strings.TrimSpace(text))
}
