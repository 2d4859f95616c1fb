//go:build !amd64 || !goexperiment.simd

package neox

import (
	"errors"

	"golang.org/x/sys/cpu"
)

// goSIMD is GoSIMD in a build without the pure-Go backend's SIMD kernels.
func goSIMD() (string, error) {
	if !cpu.X86.HasAVX2 {
		return "", errors.New("this CPU has neither AVX-512 nor AVX2")
	}
	return "", errNoSIMDBuild
}
