package neox

import (
	"fmt"
	"slices"
	"strings"
)

// InstallPlugin makes sure GoMLX's XLA backend has a PJRT plugin this
// machine can use: the CUDA plugin when nvidia-smi lists a GPU, else the CPU
// plugin. When one is installed already it only says so (a quick check, so
// a second `make setup` stays fast); otherwise it runs the installer of
// go-xla (the version go.mod pins), which downloads the plugin (from PyPI's
// jax-cuda13-pjrt wheels for CUDA, from github.com/gomlx/pjrt-cpu-binaries
// for the CPU) into ~/.local/lib/go-xla, where the backend finds it. It
// returns one line saying what it found or did. Without XLA compiled in it
// fails: a plugin would not be used.
func InstallPlugin() (string, error) {
	return installPlugin(compiledXLA, gpuListed())
}

func installPlugin(xla *xlaSupport, gpu bool) (string, error) {
	if xla == nil {
		return "", errNoXLA
	}
	want, kind := "cpu", "CPU"
	if gpu {
		want, kind = "cuda", "CUDA"
	}
	if installed := xla.plugins(); slices.Contains(installed, want) {
		return fmt.Sprintf("the %s PJRT plugin is installed (found: %s)", kind, strings.Join(installed, ", ")), nil
	}
	if err := xla.install(gpu); err != nil {
		return "", fmt.Errorf("installing the %s PJRT plugin with go-xla's installer: %v", kind, firstLine(err))
	}
	if !slices.Contains(xla.plugins(), want) {
		return "", fmt.Errorf("go-xla's installer finished, but no %s PJRT plugin is found where the backend looks (~/.local/lib/go-xla, /usr/local/lib/go-xla, PJRT_PLUGIN_LIBRARY_PATH)", kind)
	}
	return fmt.Sprintf("installed the %s PJRT plugin", kind), nil
}

// gpuListed reports whether nvidia-smi runs and lists at least one GPU.
func gpuListed() bool {
	out, err := nvidiaSMI("-L")
	return err == nil && strings.Contains(out, "GPU ")
}
