package neox

import (
	"errors"
	"fmt"
	"runtime"
)

// goSIMDEnvVars are compute's switches that turn the pure-Go backend's SIMD
// kernels off (set to 0 or false).
const goSIMDEnvVars = "GOMLX_GO_SIMD_AVX512, GOMLX_GO_SIMD_AVX2"

// errNoSIMDBuild explains a build without the pure-Go backend's SIMD kernels.
var errNoSIMDBuild = errors.New("this binary was built without GOEXPERIMENT=simd: rebuild it with GOEXPERIMENT=simd (Go 1.27) for the AVX2/AVX-512 kernels, several times faster")

// GoSIMD names the SIMD kernels GoMLX's pure-Go backend runs its matrix
// products, activations and fused layers with in this process: "AVX-512",
// "AVX2", or "" with the reason there are none (a build without
// GOEXPERIMENT=simd, a CPU with neither AVX-512 nor AVX2, another
// architecture, or GOMLX_GO_SIMD_* turning them off). It decides as the
// backend does (compute's internal/gobackend/simd_x86.go): the kernels are
// compiled only for amd64 with GOEXPERIMENT=simd and chosen at start-up by
// the CPU's features.
func GoSIMD() (kernels string, why error) {
	if runtime.GOARCH != "amd64" {
		return "", fmt.Errorf("GoMLX's pure-Go backend has SIMD kernels for amd64 only, and this is %s", runtime.GOARCH)
	}
	return goSIMD()
}

// simdNote is what the log line of the pure-Go backend says about its
// kernels.
func simdNote() string {
	kernels, why := GoSIMD()
	if kernels == "" {
		return "; no SIMD kernels: " + why.Error()
	}
	return "; " + kernels + " kernels"
}
