package neox

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestEngineVersionsMatchGoMod checks the module versions Engine records
// against the ones go.mod pins, so that a dependency update cannot leave
// the lossless coder's containers naming the old engine.
func TestEngineVersionsMatchGoMod(t *testing.T) {
	data, err := os.ReadFile(testenv.RepoRoot(t) + "/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for module, want := range map[string]string{
		"github.com/gomlx/gomlx":   gomlxVersion,
		"github.com/gomlx/compute": computeVersion,
		"github.com/gomlx/go-xla":  goXLAVersion,
	} {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(data)
		if m == nil {
			t.Errorf("go.mod does not require %s", module)
			continue
		}
		if got := string(m[1]); got != want {
			t.Errorf("go.mod pins %s %s, but Engine records %s", module, got, want)
		}
	}
}

// TestEngine names the versions and, on the pure-Go backend, its kernels.
func TestEngine(t *testing.T) {
	m := loadFixture(t, "parallel-f32")
	engine := m.Engine()
	if !strings.Contains(engine, "gomlx "+gomlxVersion) {
		t.Errorf("Engine() = %q, want the GoMLX version", engine)
	}
	if m.Backend() == "go" {
		kernels, _ := GoSIMD()
		if kernels == "" {
			kernels = "no SIMD"
		}
		if !strings.Contains(engine, "compute "+computeVersion) || !strings.Contains(engine, kernels+" kernels") {
			t.Errorf("Engine() = %q on the pure-Go backend, want compute's version and the %s kernels", engine, kernels)
		}
	}
}
