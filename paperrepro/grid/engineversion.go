package grid

import (
	"cmp"
	"runtime/debug"
	"strings"
)

// The modules whose code computes a model's floats: GoMLX on every backend,
// and go-xla (the bridge to XLA's PJRT plugins) on the XLA backends.
const (
	gomlxModule = "github.com/gomlx/gomlx"
	goXLAModule = "github.com/gomlx/go-xla"
)

// EngineVersion names the code that computes a model's floats on backend,
// as this build records it: GoMLX's module version, and on an XLA backend
// go-xla's too, e.g. "gomlx v0.26.0" or "gomlx v0.26.0, go-xla v0.1.4".
//
// It is part of a cell's setup because another version may compute other
// floats - other kernels, another order of summation, fused operations -
// and a table whose cells come from two engines holds two configurations,
// just as one from two backends would: a run refuses a folder of another
// engine's cells and .partial files, and to mix them would mean trusting
// that an upgrade changed no bit. (The XLA plugin's own version is not
// recorded here; the backend name says which plugin ran.) A module
// replaced by a local folder has no version: it is named "(devel)", and
// builds from two such folders are not told apart.
func EngineVersion(backend string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "gomlx (version unknown: built without module information)"
	}
	versions := map[string]string{}
	for _, dep := range info.Deps {
		v := dep.Version
		if r := dep.Replace; r != nil {
			v = cmp.Or(r.Version, "(devel)")
		}
		versions[dep.Path] = v
	}
	name := func(module string) string {
		return module[strings.LastIndex(module, "/")+1:] + " " + cmp.Or(versions[module], "(not in this build)")
	}
	engine := name(gomlxModule)
	if strings.HasPrefix(backend, "xla") {
		engine += ", " + name(goXLAModule)
	}
	return engine
}
