//go:build xla && cgo

package neox

import "github.com/gomlx/gomlx/backends/xla"

// With the xla build tag, GoMLX's XLA backend is compiled in and used when a
// PJRT plugin is installed. Plugins are never downloaded behind the user's
// back: install one (see github.com/gomlx/go-xla) or set PJRT_PLUGIN_LIBRARY_PATH.
func init() {
	xlaPlugins = func() []string {
		xla.EnableAutoInstall(false)
		return xla.GetAvailablePlugins()
	}
}
