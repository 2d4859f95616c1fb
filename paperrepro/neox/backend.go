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

// simpleGoOptions works around a GoMLX v0.26.0 pure-Go backend deadlock:
// parallelism=1 with parallel op execution never finishes, so it adds
// ops_sequential whenever parallelism is 1.
func simpleGoOptions(options string) string {
	parts := strings.Split(options, ",")
	if slices.Contains(parts, "parallelism=1") && !slices.Contains(parts, "ops_sequential") {
		parts = append(parts, "ops_sequential")
	}
	return strings.Trim(strings.Join(parts, ","), ",")
}
