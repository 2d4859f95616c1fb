package pythia

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

func TestCodeWithModelDecodesAndReachesTheQuantisedSum(t *testing.T) {
	model, err := neox.Load(testenv.TinyCheckpoint(t, "pythia-tiny-32", "step2000"))
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	chunks := [][]byte{[]byte(strings.Repeat("Achilles and the tortoise. ", 8)), []byte("\x00\xff\x80 bytes with the top bit set")}
	tok, err := tokenize.Load(testenv.Testdata(t, "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := CodeWithModel(model, tok, chunks)
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

func TestPythiaParametersAndVocabulary(t *testing.T) {
	if VocabRows() != 50304 {
		t.Errorf("VocabRows = %d, want 50304", VocabRows())
	}
	// pythia-70m's model card: 70,426,624 parameters, 18,915,328 outside the embeddings.
	total, err := scaling.SizeBy(scaling.Total, Parameters, nil)("pythia-70m")
	if err != nil || total != 70426624 {
		t.Errorf("total parameters of pythia-70m: %v, %v", total, err)
	}
	if ne, err := scaling.SizeBy(scaling.NonEmbedding, Parameters, nil)("pythia-70m"); err != nil || ne != 18915328 {
		t.Errorf("non-embedding parameters of pythia-70m: %v, %v", ne, err)
	}
	if _, err := Parameters("pythia-3b"); err == nil {
		t.Error("Parameters(pythia-3b), no such Pythia: no error")
	}
}

// Package notebook, which every cell imports, must not link GoMLX: it adds
// seconds to the build of every cell (this package is where models are).
func TestNotebookDoesNotLinkGoMLX(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/paperrepro/paperrepro/paperrepro/notebook").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/gomlx/") || dep == "github.com/paperrepro/paperrepro/paperrepro/neox" {
			t.Errorf("package notebook depends on %s: move what needs it to package pythia", dep)
		}
	}
}
