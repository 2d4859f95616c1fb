//go:build cgo && !noxla

package neox

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCUDADataDir finds the CUDA tools in the layouts go-xla's installer
// and JAX's wheels (through the GPU check's links) leave.
func TestCUDADataDir(t *testing.T) {
	for _, tc := range []struct {
		name, plugin, ptxas, want string
	}{
		{"go-xla installer", "go-xla/nvidia/pjrt_c_api_cuda_plugin.so", "go-xla/nvidia/cuda_nvcc/bin/ptxas", "go-xla/nvidia/cuda_nvcc"},
		{"JAX wheels linked beside", "work/pjrt/pjrt_c_api_cuda_plugin.so", "work/nvidia/cu13/bin/ptxas", "work/nvidia/cu13"},
		{"no ptxas", "lonely/pjrt_c_api_cuda_plugin.so", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range []string{tc.plugin, tc.ptxas} {
				if f == "" {
					continue
				}
				if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, f), nil, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			want := ""
			if tc.want != "" {
				want = filepath.Join(root, tc.want)
			}
			if got := cudaDataDir(filepath.Join(root, tc.plugin)); got != want {
				t.Errorf("cudaDataDir = %q, want %q", got, want)
			}
		})
	}
}

// TestKeepFloat32 sets what turns TF32 off and makes GPU results
// repeatable, and leaves the user's settings.
func TestKeepFloat32(t *testing.T) {
	t.Setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
	os.Unsetenv("NVIDIA_TF32_OVERRIDE")
	keepFloat32()
	if got := os.Getenv("XLA_FLAGS"); got != "--xla_dump_to=/tmp/x --xla_gpu_enable_triton_gemm=false --xla_gpu_deterministic_ops=true --xla_gpu_autotune_level=0" {
		t.Errorf("XLA_FLAGS = %q", got)
	}
	if got := os.Getenv("NVIDIA_TF32_OVERRIDE"); got != "0" {
		t.Errorf("NVIDIA_TF32_OVERRIDE = %q, want 0", got)
	}
	user := "--xla_gpu_enable_triton_gemm=true --xla_gpu_deterministic_ops=false --xla_gpu_autotune_level=4"
	t.Setenv("XLA_FLAGS", user)
	t.Setenv("NVIDIA_TF32_OVERRIDE", "1")
	keepFloat32()
	if os.Getenv("XLA_FLAGS") != user || os.Getenv("NVIDIA_TF32_OVERRIDE") != "1" {
		t.Errorf("the user's settings were overridden: XLA_FLAGS=%q NVIDIA_TF32_OVERRIDE=%q", os.Getenv("XLA_FLAGS"), os.Getenv("NVIDIA_TF32_OVERRIDE"))
	}
	os.Unsetenv("NVIDIA_TF32_OVERRIDE")
}

// TestWithCUDAOptions asks a CUDA plugin for full-precision float32 and
// no preallocation, unless GOMLX_BACKEND's options say otherwise.
func TestWithCUDAOptions(t *testing.T) {
	for _, tc := range []struct{ plugin, options, want string }{
		{"cuda", "", "cuda,tf32=false,preallocate=false"},
		{"cuda", "tf32", "cuda,tf32,preallocate=false"},
		{"cuda", "notf32,preallocate=true,memory_fraction=0.9", "cuda,notf32,preallocate=true,memory_fraction=0.9"},
		{"/opt/jax/pjrt_c_api_cuda_plugin.so", "visible_devices=1", "/opt/jax/pjrt_c_api_cuda_plugin.so,visible_devices=1,tf32=false,preallocate=false"},
	} {
		if got := withCUDAOptions(tc.plugin, tc.options); got != tc.want {
			t.Errorf("withCUDAOptions(%q, %q) = %q, want %q", tc.plugin, tc.options, got, tc.want)
		}
	}
}
