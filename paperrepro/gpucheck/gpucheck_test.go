package gpucheck

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var runOnGo = flag.Bool("gpucheck.go", false, "run run.sh from the built bundle on the pure-Go backend with a small budget (minutes; build the bundle first: make gpu-check-bundle)")

// fakeSite lays out a Python site-packages as the GPU machine has it:
// JAX's CUDA plugin and the nvidia-* wheels' libraries and ptxas; and a
// stand-in python that reports it.
func fakeSite(t *testing.T, withPlugin, withNvidia bool) (python string) {
	t.Helper()
	dir := t.TempDir()
	site := filepath.Join(dir, "site-packages")
	var files []string
	if withPlugin {
		files = append(files, "jax_plugins/xla_cuda13/xla_cuda_plugin.so")
	}
	if withNvidia {
		files = append(files, "nvidia/cublas/lib/libcublas.so.13", "nvidia/cu13/lib/libcudart.so.13", "nvidia/cuda_nvcc/bin/ptxas")
	}
	for _, f := range files {
		path := filepath.Join(site, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	python = filepath.Join(dir, "python")
	script := "#!/usr/bin/env bash\ncase \"$2\" in\n*getsitepackages*) printf '%s\\n%s\\n' /nonexistent " + site + " ;;\n*importlib*) echo jax-cuda13-pjrt 0.11.2 ;;\nesac\n"
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return python
}

func runScript(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command("bash", append([]string{"run.sh"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestDiscover runs run.sh's plugin discovery against fake layouts: it must
// find the plugin and the CUDA libraries, set up what go-xla and XLA read,
// and fail loudly, naming the fix, on each missing piece.
func TestDiscover(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		withPlugin, withLibs bool
		python               string
		want                 []string
		fails                bool
	}{
		{"complete", true, true, "", []string{
			"plugin: ", "jax_plugins/xla_cuda13/xla_cuda_plugin.so (jax-cuda13-pjrt 0.11.2)",
			"PJRT_PLUGIN_LIBRARY_PATH=", "/pjrt -> ", "LD_LIBRARY_PATH=", "nvidia/cu13/lib:", "nvidia/cublas/lib",
			"XLA_FLAGS=--xla_gpu_cuda_data_dir=", "nvidia/cuda_nvcc"}, false},
		{"no plugin", false, true, "", []string{"GPU CHECK FAILED: no JAX CUDA PJRT plugin", "pip install jax-cuda13-pjrt jax-cuda13-plugin"}, true},
		{"no CUDA libraries", true, false, "", []string{"GPU CHECK FAILED: no nvidia/ folder", "jax-cuda13-plugin"}, true},
		{"python without site-packages", true, true, "/bin/false", []string{"GPU CHECK FAILED:", "cannot list its site-packages"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			python := tc.python
			if python == "" {
				python = fakeSite(t, tc.withPlugin, tc.withLibs)
			}
			out, err := runScript(t, []string{"PYTHON=" + python}, "--discover")
			if (err != nil) != tc.fails {
				t.Fatalf("error %v, want failure %v:\n%s", err, tc.fails, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestMissingBundle: without a bundle the check stops at once and says how
// to build one.
func TestMissingBundle(t *testing.T) {
	out, err := runScript(t, []string{"GPUCHECK_BUNDLE=" + t.TempDir()})
	if err == nil || !strings.Contains(out, "no bundle in") || !strings.Contains(out, "make gpu-check-bundle") {
		t.Errorf("error %v, output:\n%s", err, out)
	}
}

// TestRunOnPureGo runs the whole check from the built bundle on the pure-Go
// backend with a small budget: every step but the GPU discovery.
func TestRunOnPureGo(t *testing.T) {
	if !*runOnGo {
		t.Skip("minutes; run with -gpucheck.go after make gpu-check-bundle")
	}
	out, err := runScript(t, []string{"GPUCHECK_BACKEND=go", "GPUCHECK_OUT=" + t.TempDir()})
	t.Log(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"backend", "golden", "seed-cells", "compress", "bench"} {
		if !strings.Contains(out, "PASS  "+step) {
			t.Errorf("step %s did not pass", step)
		}
	}
}
