package neox

import (
	"strings"
	"testing"
)

// TestEngineNamesItsVersions: the engine string gives the GoMLX, compute
// and go-xla module versions this test binary was built with (go.mod's
// requirements) and, on the pure-Go backend, its SIMD kernels.
func TestEngineNamesItsVersions(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	engine := m.Engine()
	for _, want := range []string{"gomlx v0.", "compute v0.", "go-xla v0."} {
		if !strings.Contains(engine, want) {
			t.Errorf("Engine() = %q, want it to contain %q", engine, want)
		}
	}
	if m.Backend() == "go" {
		kernels, _ := GoSIMD()
		if kernels == "" {
			kernels = "no SIMD"
		}
		if !strings.HasSuffix(engine, ", "+kernels+" kernels") {
			t.Errorf("Engine() = %q on the pure-Go backend, want it to end with the %s kernels", engine, kernels)
		}
	}
}
