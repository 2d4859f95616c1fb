package neox

import (
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// xlaPlugins lists the installed PJRT plugins ("cuda", "cpu", ...). It is nil
// unless the binary was built with the xla tag (and cgo), which compiles in
// GoMLX's XLA backend; see backend_xla.go.
var xlaPlugins func() []string

// sharedBackend is the one GoMLX backend of the process, chosen on first use.
var sharedBackend = sync.OnceValues(func() (*backendChoice, error) {
	choice, err := chooseBackend(os.Getenv(backends.ConfigEnvVar), xlaPlugins)
	if err != nil {
		return nil, err
	}
	log.Printf("neox: running on GoMLX backend %q (%s)", choice.name, choice.backend.Description())
	return choice, nil
})

type backendChoice struct {
	backend backends.Backend
	name    string // as Model.Backend reports it: "go", "xla:cuda", ...
}

// chooseBackend picks the backend: the GOMLX_BACKEND setting when given
// (e.g. "go", "go:parallelism=2", "xla:cuda"); otherwise XLA when a PJRT
// plugin is installed, preferring cuda over cpu; otherwise the pure-Go backend.
func chooseBackend(setting string, plugins func() []string) (_ *backendChoice, err error) {
	defer func() {
		// backends.NewWithConfig panics on an unknown backend name.
		if r := recover(); r != nil {
			err = fmt.Errorf("starting GoMLX backend %q: %v", setting, r)
		}
	}()
	if setting == "" {
		var available []string
		if plugins != nil {
			available = plugins()
		}
		switch {
		case slices.Contains(available, "cuda"):
			setting = "xla:cuda"
		case slices.Contains(available, "cpu"):
			setting = "xla:cpu"
		case len(available) > 0:
			setting = "xla:" + available[0]
		default:
			setting = simplego.BackendName
		}
	}
	name, options, _ := strings.Cut(setting, ":")
	if name == simplego.BackendName {
		options = simpleGoOptions(options)
		setting = name + ":" + options
	} else if name == "xla" && plugins == nil {
		return nil, fmt.Errorf("GOMLX_BACKEND=%q asks for XLA, but this binary was built without it (build with -tags xla and cgo)", setting)
	}
	b, err := backends.NewWithConfig(setting)
	if err != nil {
		return nil, fmt.Errorf("starting GoMLX backend %q: %w", setting, err)
	}
	reported := name
	if name != simplego.BackendName && options != "" {
		reported = name + ":" + strings.Split(options, ",")[0]
	}
	return &backendChoice{backend: b, name: reported}, nil
}

// simpleGoOptions adds ops_sequential unless ops_parallel is asked for.
// GoMLX v0.26.0's pure-Go backend deadlocks when it runs ops in parallel
// and every worker slot holds a matrix multiplication waiting for a slot to
// split its batch over (seen with four independent output-layer blocks; and
// always with parallelism=1). Sequential op execution still splits each
// matrix multiplication, where the time goes, over all cores.
func simpleGoOptions(options string) string {
	parts := slices.DeleteFunc(strings.Split(options, ","), func(s string) bool { return s == "" })
	if !slices.Contains(parts, "ops_sequential") && !slices.Contains(parts, "ops_parallel") {
		parts = append(parts, "ops_sequential")
	}
	return strings.Join(parts, ",")
}
