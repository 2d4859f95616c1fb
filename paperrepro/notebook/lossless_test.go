package notebook

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

func TestCodeWithModelDecodesAndReachesTheQuantisedSum(t *testing.T) {
	model, err := neox.Load(testenv.TinyCheckpoint(t, "pythia-tiny-32", "step2000"))
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	chunks := [][]byte{[]byte(strings.Repeat("Achilles and the tortoise. ", 8)), []byte("\x00\xff\x80 bytes with the top bit set")}
	c := CodeWithModel(model, checkoutTokenizer(t), chunks)
	if !c.Exact || len(c.Stats) != 2 {
		t.Fatalf("CodeWithModel: exact %v, %d stats", c.Exact, len(c.Stats))
	}
	// The coder writes the quantised sum plus the top bits, give or take a
	// few bits of flushing.
	if c.Gap > 16 {
		t.Errorf("coded bits %v away from the quantised sum plus top bits", c.Gap)
	}
	if got := c.Table(100).Text(); !strings.Contains(got, "\n100\t") || !strings.Contains(got, "\n101\t") {
		t.Errorf("Table numbers the chunks from 100:\n%s", got)
	}
}

func TestLoadModelSaysWhichModel(t *testing.T) {
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("TMPDIR", t.TempDir())
	model, which, ok := LoadModel()
	if !ok {
		t.Fatal("LoadModel found no model")
	}
	defer model.Close()
	if which != "the tests' tiny random GPT-NeoX with Pythia's vocabulary (`make data-model` brings pythia-70m); 2 layers, width 32" {
		t.Errorf("which = %q", which)
	}
}
