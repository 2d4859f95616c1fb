package neox

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// compiledXLA is GoMLX's XLA backend as compiled into this binary. It is nil
// when it is not: built without cgo (no C compiler, or CGO_ENABLED=0) or
// with -tags noxla. backend_xla.go sets it.
var compiledXLA *xlaSupport

// xlaSupport is what the backend choice and the plugin installer need of
// XLA; tests fake it.
type xlaSupport struct {
	// plugins lists the installed PJRT plugins by name ("cuda", "cpu", ...)
	// without installing any.
	plugins func() []string
	// open starts the XLA backend with a plugin, given by name or absolute
	// path, and its options ("cuda", "cpu,shared_buffers", "/x/y.so").
	open func(config string) (compute.Backend, error)
	// install installs the CUDA (cuda true) or the CPU PJRT plugin with
	// go-xla's installer into its default folder (~/.local/lib/go-xla).
	install func(cuda bool) error
}

// safeOpen is open with a panic turned into an error.
func (x *xlaSupport) safeOpen(config string) (b compute.Backend, err error) {
	defer panics.Recover(&err, "starting XLA with plugin %q", config)
	return x.open(config)
}

// InstallPluginCommand is the command that installs a PJRT plugin, which the
// messages about a missing plugin name.
const InstallPluginCommand = "paperrepro install-plugin"

// errNoXLA explains a binary built without XLA.
var errNoXLA = errors.New("this binary was built without GoMLX's XLA backend (built without cgo, i.e. with no C compiler or CGO_ENABLED=0, or with -tags noxla): rebuild it with a C compiler and without -tags noxla")

// sharedBackend is the one GoMLX backend of the process, chosen on first use.
var sharedBackend = sync.OnceValues(func() (*backendChoice, error) {
	gpuMemoryAtStart() // before XLA's allocator takes its share of a GPU
	choice, err := chooseBackend(os.Getenv(compute.ConfigEnvVar), compiledXLA)
	if err != nil {
		return nil, err
	}
	log.Printf("neox: GoMLX backend %s (%s)%s", choice.name, choice.backend.Description(), choice.note)
	return choice, nil
})

// BackendName starts the process's GoMLX backend, if not yet started, and
// names it as Model.Backend does: "go", "xla:cuda", "xla:cpu", ...
func BackendName() (string, error) {
	choice, err := sharedBackend()
	if err != nil {
		return "", err
	}
	return choice.name, nil
}

type backendChoice struct {
	backend compute.Backend
	name    string // as Model.Backend reports it: "go", "xla:cuda", ...
	note    string // for the log line: why this backend, how to get a faster one
}

// chooseBackend picks the backend: the GOMLX_BACKEND setting when given
// (e.g. "go", "go:parallelism=2", "xla:cuda"); otherwise XLA when it is
// compiled in (xla not nil) and a PJRT plugin is installed, cuda before cpu;
// otherwise the pure-Go backend. Every failure is an error that says what
// to do, never a panic.
func chooseBackend(setting string, xla *xlaSupport) (*backendChoice, error) {
	if setting == "" {
		return chooseDefault(xla)
	}
	name, options, _ := strings.Cut(setting, ":")
	switch name {
	case gobackend.BackendName:
		return openSimpleGo(options, " (GOMLX_BACKEND="+setting+")")
	case "xla", "stablehlo", "hlo", "shlo": // GoMLX's names for its XLA backend
		return openXLA(setting, options, xla)
	}
	b, err := newBackend(setting)
	if err != nil {
		return nil, fmt.Errorf("GOMLX_BACKEND=%q: %w (use \"go\" or \"xla:<plugin>\")", setting, err)
	}
	return &backendChoice{backend: b, name: name}, nil
}

// chooseDefault tries the installed plugins, cuda first, then the pure-Go
// backend. A plugin that fails to start (a CUDA plugin on a machine without
// a GPU) is skipped, and the log line says so.
func chooseDefault(xla *xlaSupport) (*backendChoice, error) {
	var skipped []string
	if xla != nil {
		installed := xla.plugins()
		for _, plugin := range preferredPlugins(installed) {
			b, err := xla.safeOpen(plugin)
			if err == nil {
				return &backendChoice{backend: b, name: "xla:" + plugin}, nil
			}
			skipped = append(skipped, fmt.Sprintf("the %s PJRT plugin did not start: %v", plugin, firstLine(err)))
		}
	}
	note := ". Pure Go is slow: "
	switch {
	case xla == nil:
		note += "this binary has no XLA (built without cgo or with -tags noxla)"
	case len(skipped) > 0:
		note += strings.Join(skipped, "; ")
	default:
		note += "no PJRT plugin is installed; `" + InstallPluginCommand + "` installs one (CUDA on a machine with an NVIDIA GPU, else CPU)"
	}
	return openSimpleGo("", note)
}

// preferredPlugins orders installed plugins for the default choice: cuda,
// cpu, then the others as listed.
func preferredPlugins(installed []string) []string {
	var out []string
	for _, p := range []string{"cuda", "cpu"} {
		if slices.Contains(installed, p) {
			out = append(out, p)
		}
	}
	for _, p := range installed {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// openXLA starts the XLA backend GOMLX_BACKEND asks for ("xla",
// "xla:cuda", "xla:cpu,shared_buffers", "xla:/path/plugin.so").
func openXLA(setting, config string, xla *xlaSupport) (*backendChoice, error) {
	if xla == nil {
		return nil, fmt.Errorf("GOMLX_BACKEND=%q asks for XLA, but %w", setting, errNoXLA)
	}
	plugin, _, _ := strings.Cut(config, ",")
	installed := xla.plugins()
	switch {
	case plugin == "" && len(installed) == 0:
		return nil, fmt.Errorf("GOMLX_BACKEND=%q: no PJRT plugin is installed: `%s` installs one, or set PJRT_PLUGIN_LIBRARY_PATH to a folder holding pjrt_c_api_<name>_plugin.so", setting, InstallPluginCommand)
	case plugin == "":
		plugin = preferredPlugins(installed)[0]
		config = plugin + config
	case !filepath.IsAbs(plugin) && !slices.Contains(installed, plugin):
		have := "none"
		if len(installed) > 0 {
			have = strings.Join(installed, ", ")
		}
		return nil, fmt.Errorf("GOMLX_BACKEND=%q: no PJRT plugin %q is installed (installed: %s): `%s` installs the one this machine can use, or set PJRT_PLUGIN_LIBRARY_PATH to a folder holding pjrt_c_api_%s_plugin.so", setting, plugin, have, InstallPluginCommand, plugin)
	}
	b, err := xla.safeOpen(config)
	if err != nil {
		hint := ""
		if strings.Contains(strings.ToLower(plugin), "cuda") && !gpuListed() {
			hint = " (nvidia-smi lists no GPU here: the CUDA plugin needs an NVIDIA GPU and its driver; unset GOMLX_BACKEND to fall back to the CPU)"
		}
		return nil, fmt.Errorf("GOMLX_BACKEND=%q: starting the %s PJRT plugin: %v%s", setting, plugin, firstLine(err), hint)
	}
	name := plugin
	if filepath.IsAbs(plugin) {
		name = filepath.Base(plugin)
	}
	return &backendChoice{backend: b, name: "xla:" + name}, nil
}

// openSimpleGo starts GoMLX's pure-Go backend with options (see
// simpleGoOptions).
func openSimpleGo(options, note string) (*backendChoice, error) {
	setting := gobackend.BackendName + ":" + simpleGoOptions(options)
	b, err := newBackend(setting)
	if err != nil {
		return nil, fmt.Errorf("GOMLX_BACKEND=%q: %w", setting, err)
	}
	return &backendChoice{backend: b, name: gobackend.BackendName, note: note}, nil
}

// newBackend is compute.NewWithConfig, which panics on an unknown name.
func newBackend(config string) (b compute.Backend, err error) {
	defer panics.Recover(&err, "starting backend %q", config)
	return compute.NewWithConfig(config)
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

// firstLine is err's message up to its first newline: plugins' errors can
// carry long multi-line details that would swamp a one-line message.
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}
