//go:build cgo && !noxla

package neox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/installer"
	"github.com/gomlx/go-xla/pjrt"
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
// XLA at the CUDA tools beside the plugin (see cudaDataDir), keeps float32
// matrix products in float32 (see keepFloat32), and asks the plugin not to
// preallocate GPU memory, so that the memory in use (and so the batch that
// still fits) can be read from nvidia-smi; a plugin that refuses the option
// is started with its defaults.
func openXLAPlugin(config string) (compute.Backend, error) {
	plugin, _, _ := strings.Cut(config, ",")
	if !strings.Contains(strings.ToLower(plugin), "cuda") {
		return xla.New(config)
	}
	path := plugin
	if !filepath.IsAbs(path) {
		path = pjrt.AvailablePlugins()[plugin]
	}
	if dir := cudaDataDir(path); dir != "" {
		addXLAFlag("--xla_gpu_cuda_data_dir", dir)
	}
	keepFloat32()
	b, err := xla.NewWithOptions(config, pjrt.NamedValuesMap{"preallocate": false})
	if err != nil {
		return xla.New(config)
	}
	return b, nil
}

// keepFloat32 stops XLA from computing float32 matrix products in TF32 (10
// mantissa bits) on NVIDIA GPUs, which it does by default for the DEFAULT
// precision GoMLX asks for: that would move the bits by far more than the
// 1e-4 the golden fixtures allow. TF32 comes from cuBLAS, which
// NVIDIA_TF32_OVERRIDE=0 turns off, and from XLA's Triton matrix kernels,
// which --xla_gpu_enable_triton_gemm=false leaves out. It also makes the
// GPU's results repeatable from run to run, which the lossless coder needs
// (decoding must see the compressor's very floats):
// --xla_gpu_deterministic_ops=true, and --xla_gpu_autotune_level=0 so that
// kernels are not chosen by timing them, which can choose differently in
// the compressing and the decompressing process. Settings already in the
// environment win. Compute in bfloat16 (Options.DType) for speed.
func keepFloat32() {
	if _, set := os.LookupEnv("NVIDIA_TF32_OVERRIDE"); !set {
		_ = os.Setenv("NVIDIA_TF32_OVERRIDE", "0")
	}
	addXLAFlag("--xla_gpu_enable_triton_gemm", "false")
	addXLAFlag("--xla_gpu_deterministic_ops", "true")
	addXLAFlag("--xla_gpu_autotune_level", "0")
}

// addXLAFlag adds --name=value to XLA_FLAGS unless the flag is there already.
func addXLAFlag(name, value string) {
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, name) {
		return
	}
	_ = os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" "+name+"="+value))
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
