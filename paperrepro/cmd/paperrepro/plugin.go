package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

// installPlugin is neox.InstallPlugin; tests replace it.
var installPlugin = neox.InstallPlugin

func newInstallPluginCommand() *command {
	fs := flag.NewFlagSet("install-plugin", flag.ContinueOnError)
	setup := fs.Bool("setup", false, "never fail: print one line and exit 0 when no plugin can be had (make setup uses this)")
	return &command{
		name:    "install-plugin",
		summary: "install a PJRT plugin so that models run on GoMLX's XLA backend (CUDA on an NVIDIA GPU, else CPU)",
		help: `Install-plugin installs the PJRT plugin this machine can use, with go-xla's
own installer: the CUDA plugin (with its CUDA libraries, from PyPI's
jax-cuda13-pjrt wheels) when nvidia-smi lists a GPU, otherwise the CPU plugin
(from github.com/gomlx/pjrt-cpu-binaries), into ~/.local/lib/go-xla. When one
is installed already it only says so. 'make setup' runs it.

Without a plugin, models run on GoMLX's pure-Go backend (with its AVX2 or
AVX-512 kernels when built with GOEXPERIMENT=simd; the log line says which).
The backend is chosen when a model first loads: xla:cuda, then
xla:cpu, then pure Go; GOMLX_BACKEND overrides it (for example
GOMLX_BACKEND=go), and PJRT_PLUGIN_LIBRARY_PATH names other folders to find
plugins in (for example one holding JAX's CUDA plugin, linked as
pjrt_c_api_cuda_plugin.so).

Examples:
  paperrepro install-plugin
  paperrepro bench -models 70m      # then see what it bought`,
		flags: fs,
		run: func(_ context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("install-plugin takes no arguments, got %q", args)
			}
			report, err := installPlugin()
			if err != nil {
				if !*setup {
					return err
				}
				fmt.Fprintf(out.Out, "no PJRT plugin (%s): paperrepro will run on the pure-Go backend; install one later with: go run ./paperrepro/cmd/paperrepro install-plugin\n", shortCause(err))
				return nil
			}
			fmt.Fprintln(out.Out, report)
			return nil
		},
	}
}

// shortCause keeps the end of a chain of wrapped messages ("...: Get
// \"https://...\": dial tcp: lookup api.github.com: no such host" gives
// "lookup api.github.com: no such host"), for a one-line summary.
func shortCause(err error) string {
	parts := strings.Split(err.Error(), ": ")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, ": ")
}
