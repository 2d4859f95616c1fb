//go:build cgo && !noxla

package neox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/go-xla/pkg/installer"
	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/xla"
)

// GoMLX's XLA backend is compiled in wherever cgo works (go build disables
// cgo by itself where there is no C compiler); -tags noxla leaves it out.
// It is used when a PJRT plugin is installed. Plugins are never downloaded
// behind the user's back: `paperrepro install-plugin` (InstallPlugin)
// installs one, or PJRT_PLUGIN_LIBRARY_PATH points at a folder holding one.
func init() {
	xla.EnableAutoInstall(false)
	compiledXLA = &xlaSupport{
		plugins: func() []string {
			var names []string
			for name := range pjrt.AvailablePlugins() {
				names = append(names, name)
			}
			slices.Sort(names)
			return names
		},
		open: openXLAPlugin,
		install: func(cuda bool) error {
			dir, err := installer.DefaultHomeLibPath()
			if err != nil {
				return err
			}
			dir = filepath.Join(dir, "go-xla")
			if cuda {
				return installer.CudaAutoInstall(dir, true, installer.Normal)
			}
			return installer.CPUAutoInstall(dir, true, installer.Normal)
		},
	}
}

// openXLAPlugin starts the XLA backend. For a CUDA plugin it first points
// XLA at the CUDA tools beside the plugin (see cudaDataDir) and asks the
// plugin not to preallocate GPU memory, so that the memory in use (and so
// the batch that still fits) can be read from nvidia-smi; a plugin that
// refuses the option is started with its defaults.
func openXLAPlugin(config string) (backends.Backend, error) {
	plugin, _, _ := strings.Cut(config, ",")
	if !strings.Contains(strings.ToLower(plugin), "cuda") {
		return xla.New(config)
	}
	path := plugin
	if !filepath.IsAbs(path) {
		path = pjrt.AvailablePlugins()[plugin]
	}
	if flags := os.Getenv("XLA_FLAGS"); !strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		if dir := cudaDataDir(path); dir != "" {
			_ = os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+dir))
		}
	}
	b, err := xla.NewWithOptions(config, pjrt.NamedValuesMap{"preallocate": false})
	if err != nil {
		return xla.New(config)
	}
	return b, nil
}

// cudaDataDir finds the CUDA tool folder (holding bin/ptxas) in the nvidia/
// folder beside or above the CUDA plugin, where go-xla's installer and pip's
// nvidia wheels put it; "" when there is none. go-xla v0.1.4 otherwise sets
// XLA_FLAGS=--xla_gpu_cuda_data_dir to a path from its author's machine
// (pjrt/cuda_linux.go, cudaPluginCheckDrivers).
func cudaDataDir(pluginPath string) string {
	if pluginPath == "" {
		return ""
	}
	for _, nvidia := range []string{
		filepath.Join(filepath.Dir(pluginPath), "nvidia"),
		filepath.Join(filepath.Dir(filepath.Dir(pluginPath)), "nvidia"),
		filepath.Dir(pluginPath), // go-xla's installer puts the plugin inside nvidia/
	} {
		for _, pattern := range []string{"bin/ptxas", "*/bin/ptxas", "*/*/bin/ptxas"} {
			if found, _ := filepath.Glob(filepath.Join(nvidia, pattern)); len(found) > 0 {
				return filepath.Dir(filepath.Dir(found[0]))
			}
		}
	}
	return ""
}
