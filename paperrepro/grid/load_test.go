package grid

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

// TestLoadRefusesATokenizerTheModelCannotEmbed: Pythia's tokenizer (ids up
// to 50276) with a model of vocab_size 1000 is refused when loading, not
// when the first token past 999 turns up in the middle of a run.
func TestLoadRefusesATokenizerTheModelCannotEmbed(t *testing.T) {
	dir := testenv.Testdata(t, "neox", "parallel-f32")
	tok, err := ChooseTokenizer(dir, testenv.Testdata(t, "tokenizer", "tokenizer.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.SHA256) != 64 {
		t.Errorf("tokenizer sha256 %q", tok.SHA256)
	}
	model, _, err := Load(dir, tok, neox.Options{})
	if err == nil {
		model.Close()
		t.Fatal("Load succeeded")
	}
	for _, want := range []string{"tokenizer.json gives ids up to 50276", "vocab_size 1000", "do not belong together"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestChooseTokenizerWithoutOne(t *testing.T) {
	if _, err := ChooseTokenizer(t.TempDir(), "", ""); err == nil || !strings.Contains(err.Error(), "-tokenizer") {
		t.Errorf("a checkpoint without a tokenizer: %v, want advice to give -tokenizer", err)
	}
}
