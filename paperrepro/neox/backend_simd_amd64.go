//go:build amd64 && goexperiment.simd

package neox

import (
	"errors"
	"simd/archsimd"

	"github.com/gomlx/compute/support/envutil"
)

// goSIMD is GoSIMD on amd64 built with GOEXPERIMENT=simd, which compiles the
// pure-Go backend's kernels in: they run where the CPU has the features,
// unless compute's switches turn them off.
func goSIMD() (string, error) {
	on := func(envVar string) bool {
		b, _ := envutil.ReadBool(envVar, true) // as compute reads it (it panics on a bad value first)
		return b
	}
	switch {
	case archsimd.X86.AVX512() && on(envutil.GoBackendSIMD_AVX512):
		return "AVX-512", nil
	case archsimd.X86.AVX2() && on(envutil.GoBackendSIMD_AVX2):
		return "AVX2", nil
	case archsimd.X86.AVX2():
		return "", errors.New("they are turned off (" + goSIMDEnvVars + ")")
	}
	return "", errors.New("this CPU has neither AVX-512 nor AVX2")
}
