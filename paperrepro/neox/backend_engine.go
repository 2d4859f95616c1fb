package neox

import (
	"fmt"

	"github.com/gomlx/compute/gobackend"
)

// The GoMLX modules this build computes with, as go.mod pins them
// (TestEngineVersionsMatchGoMod keeps them in step).
const (
	gomlxVersion   = "v0.28.16"
	computeVersion = "v0.1.14"
	goXLAVersion   = "v0.4.13"
)

// Engine names what computes the model's floats beyond its backend's name:
// GoMLX's module versions and, on the pure-Go backend, its SIMD kernels
// (GoSIMD), e.g. "gomlx v0.28.16, compute v0.1.14, AVX-512 kernels". Each
// changes the floats in their last bits, so the lossless coder records it:
// data compressed with one engine does not decode with another.
func (m *Model) Engine() string {
	if m.backendName != gobackend.BackendName {
		return fmt.Sprintf("gomlx %s, go-xla %s", gomlxVersion, goXLAVersion)
	}
	kernels, _ := GoSIMD()
	if kernels == "" {
		kernels = "no SIMD"
	}
	return fmt.Sprintf("gomlx %s, compute %s, %s kernels", gomlxVersion, computeVersion, kernels)
}
