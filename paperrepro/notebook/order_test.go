package notebook

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func TestParseUtterance(t *testing.T) {
	for _, c := range []struct {
		file, id, speaker, chapter string
	}{
		{"374-180298-0000.flac", "374-180298-0000", "374", "180298"},
		{"103/1240/103-1240-0000.flac", "103-1240-0000", "103", "1240"},
		{"374-180298-0000", "374-180298-0000", "374", "180298"},
	} {
		u, err := ParseUtterance(c.file)
		if err != nil || u.ID != c.id || u.Speaker != c.speaker || u.Chapter != c.chapter {
			t.Errorf("ParseUtterance(%q) = %+v, %v", c.file, u, err)
		}
	}
	for _, bad := range []string{"clean-0000.flac", "train-00000-row0000001.flac", ""} {
		if _, err := ParseUtterance(bad); err == nil || !strings.Contains(err.Error(), "speaker-chapter-utterance") {
			t.Errorf("ParseUtterance(%q): %v", bad, err)
		}
	}
}

// On a clone, the folder's first file is read; the paper's order is not
// fetched, so its first utterance is cited.
func TestFirstUtteranceReadOrCited(t *testing.T) {
	t.Setenv("PAPERREPRO_DATA", t.TempDir())
	t.Setenv("PAPERREPRO_SHARED", t.TempDir())
	t.Setenv("CI", "")
	folder, ok := FirstUtterance(datasets.RulePCM16)
	if !ok || folder.ID != "103-1240-0000" || folder.Speaker != "103" || folder.Cited != "" || folder.Markdown() != "`103-1240-0000`" {
		t.Errorf("testdata's first utterance: %+v", folder)
	}
	paper, ok := FirstUtterance(datasets.RulePaper)
	if !ok || paper.ID != "374-180298-0000" || paper.Chapter != "180298" || paper.Cited == "" || !strings.Contains(paper.Markdown(), "[cited: ") {
		t.Errorf("the paper's first utterance, not fetched here: %+v", paper)
	}
}
