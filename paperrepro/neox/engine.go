package neox

import (
	"runtime/debug"

	"github.com/gomlx/compute/gobackend"
	"strings"
	"sync"
)

// engineModules are the modules whose versions decide a model's floats:
// GoMLX's graph building, its compute backends (the pure-Go one among them),
// and go-xla with its PJRT plugins for the XLA backends.
var engineModules = []string{"github.com/gomlx/gomlx", "github.com/gomlx/compute", "github.com/gomlx/go-xla"}

// engineVersions reads the versions of engineModules this program was built
// with, once: "gomlx v0.28.16, compute v0.1.14, go-xla v0.4.13".
var engineVersions = sync.OnceValue(func() string {
	versions := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Replace != nil {
				dep = dep.Replace
			}
			versions[dep.Path] = dep.Version
		}
	}
	var parts []string
	for _, module := range engineModules {
		version := versions[module]
		if version == "" {
			version = "(unknown version)"
		}
		parts = append(parts, module[strings.LastIndex(module, "/")+1:]+" "+version)
	}
	return strings.Join(parts, ", ")
})

// Engine names the software that computes the model's floats, with its
// versions and, on the pure-Go backend, its SIMD kernels (GoSIMD), e.g.
// "gomlx v0.28.16, compute v0.1.14, go-xla v0.4.13, AVX-512 kernels":
// another version or kernel may round differently, which results and
// compressed files must record (a lossless container decodes only with
// bit-identical floats).
func (m *Model) Engine() string {
	if m.backendName != gobackend.BackendName {
		return engineVersions()
	}
	kernels, _ := GoSIMD()
	if kernels == "" {
		kernels = "no SIMD"
	}
	return engineVersions() + ", " + kernels + " kernels"
}
