package grid

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEngineVersion: the engine is GoMLX at the version go.mod requires,
// and go-xla's version too on an XLA backend only.
func TestEngineVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^\s*github\.com/gomlx/gomlx (v\S+)`).FindSubmatch(mod)
	if want == nil {
		t.Fatalf("go.mod requires no github.com/gomlx/gomlx")
	}
	if got := EngineVersion("go"); got != "gomlx "+string(want[1]) {
		t.Errorf(`EngineVersion("go") = %q, want "gomlx %s"`, got, want[1])
	}
	if got := EngineVersion("xla:cuda"); !strings.HasPrefix(got, "gomlx "+string(want[1])+", go-xla ") {
		t.Errorf(`EngineVersion("xla:cuda") = %q, want gomlx %s and go-xla's version`, got, want[1])
	}
}
