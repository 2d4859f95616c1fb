package notebook

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// What notebook 7 cites, rather than computes, about how the paper's code
// got its speech and image examples (the datasets package's documentation
// sets out the evidence).
var (
	// DatasetsRelease is the release of Hugging Face's datasets library
	// that dropped loading scripts: the paper's run came before it.
	DatasetsRelease = cite.Fact{Value: "4.0.0, 2025-07-09", Source: "PyPI release history of datasets"}
	// PaperRunDate is the day the paper's committed notebook logged its run.
	PaperRunDate = cite.Fact{Value: "2025-07-07", Source: "the paper's llmx.ipynb"}
	// CacheLock is the datasets cache lock the paper's repository committed.
	CacheLock = cite.Fact{Value: "librispeech_asr_clean_2.1.0_2712a8f8…", Source: "the paper's repository, rokosbasilisk/scaling-laws-for-compression"}
	// ScriptCommit is the commit of the LibriSpeech loading script whose
	// version and hash the cache lock names.
	ScriptCommit = cite.Fact{Value: "6b3f3ca3ef", Source: "huggingface/datasets history, datasets/librispeech_asr/librispeech_asr.py"}
	// ImageNetScript is when the hub's imagenet-1k still held its loading
	// script.
	ImageNetScript = cite.Fact{Value: "August 2025", Source: "microsoft/Olive#2121"}
	// firstUtteranceCited is the first utterance of LibriSpeech's
	// train-clean-100 in the order the paper's code streamed it.
	firstUtteranceCited = cite.Fact{Value: "374-180298-0000", Source: "OpenSLR train-clean-100.tar.gz order"}
)

// Utterance is a LibriSpeech utterance: speaker, chapter and utterance
// number, as its file is named (374-180298-0000.flac).
type Utterance struct {
	ID, Speaker, Chapter string
	// Cited is the source of an utterance cited rather than read from
	// data here ("" when read).
	Cited string
}

// Markdown renders the utterance's id: as code when read from data here,
// as a cited fact otherwise.
func (u Utterance) Markdown() string {
	if u.Cited != "" {
		return cite.Fact{Value: u.ID, Source: u.Cited}.Markdown()
	}
	return "`" + u.ID + "`"
}

// utteranceName is a LibriSpeech file name: speaker-chapter-utterance.
var utteranceName = regexp.MustCompile(`^(\d+)-(\d+)-(\d+)(\.flac)?$`)

// ParseUtterance reads a LibriSpeech utterance from its file's path.
func ParseUtterance(file string) (Utterance, error) {
	m := utteranceName.FindStringSubmatch(path.Base(file))
	if m == nil {
		return Utterance{}, fmt.Errorf("%q is not a LibriSpeech utterance's file name (speaker-chapter-utterance.flac)", file)
	}
	return Utterance{ID: m[1] + "-" + m[2] + "-" + m[3], Speaker: m[1], Chapter: m[2]}, nil
}

// FirstUtterance is the utterance a speech source under rule starts with,
// read from the first place that has the speech data: for a folder rule
// the folder's first file in file-name order; for rule paper the split's
// first example in the paper's order, or, when the split has not been
// fetched in that order here, the cited one. ok is false when no speech
// data is here or it cannot be read (the cell has said why).
func FirstUtterance(rule string) (u Utterance, ok bool) {
	found, err := DefaultPlaces().Data(datasets.Speech)
	if !Available(err) {
		return Utterance{}, false
	}
	if rule == datasets.RulePaper && !exists(filepath.Join(found.Path, datasets.SplitManifestName)) {
		u = Must(ParseUtterance(firstUtteranceCited.Value))
		u.Cited = firstUtteranceCited.Source
		return u, true
	}
	src, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: found.Path, Rule: rule, Count: 1})
	if !Available(err) {
		return Utterance{}, false
	}
	u, err = ParseUtterance(src.Provenance().Files[0].Path)
	return u, Available(err)
}
