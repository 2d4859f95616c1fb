package grid

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// TokenizerFor chooses the tokenizer.json for the checkpoint in ckptDir:
// explicit when given, else the checkpoint's own tokenizer.json, else
// fallback (which may be ""). It returns "" when there is none.
func TokenizerFor(ckptDir, explicit, fallback string) string {
	if explicit != "" {
		return explicit
	}
	own := filepath.Join(ckptDir, "tokenizer.json")
	if _, err := os.Stat(own); err == nil {
		return own
	}
	return fallback
}

// ChooseTokenizer chooses the checkpoint's tokenizer.json as TokenizerFor
// does and identifies it by the sha256 of its bytes, which results and
// compressed files record.
func ChooseTokenizer(ckptDir, explicit, fallback string) (results.TokenizerInfo, error) {
	path := TokenizerFor(ckptDir, explicit, fallback)
	if path == "" {
		return results.TokenizerInfo{}, fmt.Errorf("checkpoint %s has no tokenizer.json: give one with -tokenizer (Pythia's is in its hub repositories)", ckptDir)
	}
	sum, err := download.FileSHA256(path)
	if err != nil {
		return results.TokenizerInfo{}, fmt.Errorf("tokenizer: %w", err)
	}
	return results.TokenizerInfo{Path: path, SHA256: sum}, nil
}

// Load loads the checkpoint in ckptDir with neox (with opts: the compute
// dtype) and the tokenizer chosen for it (ChooseTokenizer), and checks that
// they belong together: every id the tokenizer can produce must be a row of
// the model's embedding. The caller closes the model.
func Load(ckptDir string, tokenizer results.TokenizerInfo, opts neox.Options) (*neox.Model, *tokenize.Tokenizer, error) {
	tok, err := tokenize.Load(tokenizer.Path)
	if err != nil {
		return nil, nil, err
	}
	model, err := neox.LoadWith(ckptDir, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := checkVocab(tok.VocabSize(), model.Config().VocabSize, tokenizer.Path, ckptDir); err != nil {
		model.Close()
		return nil, nil, err
	}
	return model, tok, nil
}

// checkVocab refuses a tokenizer whose ids reach past the model's
// vocabulary, which would fail in the middle of a run, or index garbage.
func checkVocab(tokenizerIDs, modelVocab int, tokenizerPath, ckptDir string) error {
	if tokenizerIDs > modelVocab {
		return fmt.Errorf("tokenizer %s gives ids up to %d, but the model in %s has vocab_size %d: they do not belong together (give the model's own tokenizer with -tokenizer)",
			tokenizerPath, tokenizerIDs-1, ckptDir, modelVocab)
	}
	return nil
}
