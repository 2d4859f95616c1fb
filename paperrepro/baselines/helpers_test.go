package baselines

import (
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// requireTool skips the test when a command-line codec's tool is missing,
// or fails it under CI=true (make setup installs the tools).
func requireTool(t *testing.T, c Codec) {
	t.Helper()
	if cli, ok := c.(*cliCodec); ok {
		if _, err := cli.path(); err != nil {
			testenv.Unavailable(t, "%v", err)
		}
	}
}

// sharedSource opens count chunks of modality cut by rule from the shared
// data folder.
func sharedSource(t testing.TB, modality, rule string, count int) datasets.Source {
	t.Helper()
	src, err := datasets.Open(modality, testenv.Shared(t, "data"), datasets.Options{Rule: rule, Count: count})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// sharedChunks returns count chunks of modality cut by rule, and the
// codecs CodecsFor gives them.
func sharedChunks(t testing.TB, modality, rule string, count int) ([][]byte, []Codec) {
	t.Helper()
	src := sharedSource(t, modality, rule, count)
	chunks, _, err := readChunks(src)
	if err != nil {
		t.Fatal(err)
	}
	codecs, err := CodecsFor(src.Provenance())
	if err != nil {
		t.Fatal(err)
	}
	return chunks, codecs
}

// allRules lists every modality and rule, the paper's and Deletang et al.'s.
var allRules = []struct{ modality, rule string }{
	{datasets.Text, datasets.RuleConsecutive},
	{datasets.Image, datasets.RuleRandomCrop},
	{datasets.Image, datasets.RuleTiles},
	{datasets.Speech, datasets.RulePCM16},
	{datasets.Speech, datasets.RulePCM8},
}
