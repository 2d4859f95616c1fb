package notebook

import (
	"errors"
	"fmt"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// Input is one kind of thing a notebook reads, for ShowInputs.
type Input int

// The inputs a notebook can read.
const (
	PaperNumbers  Input = iota // the paper's Tables 1-4 and prediction, in expected/
	ComputedCells              // the grid's cells, under results/
	TextData                   // enwik8
	ImageData                  // ImageNet patches
	SpeechData                 // LibriSpeech
	TokenizerFile              // Pythia's tokenizer.json
	Checkpoint                 // a GPT-NeoX checkpoint to run
)

// dataNames names each data set's modality for a reader.
var dataNames = map[Input]struct{ modality, name string }{
	TextData:   {datasets.Text, "enwik8 (text)"},
	ImageData:  {datasets.Image, "ImageNet patches (image)"},
	SpeechData: {datasets.Speech, "LibriSpeech (speech)"},
}

// ShowInputs is a notebook's preamble: it shows where each of the inputs
// its outputs are made from was found (and how much data it holds), and,
// once, what is missing and the command that fetches it. The cells that
// need a missing input say so again, each with its command.
func ShowInputs(inputs ...Input) {
	Markdown(inputsText(DefaultPlaces(), inputs))
}

// inputsText is ShowInputs' Markdown for the inputs found in places p.
func inputsText(p Places, inputs []Input) string {
	var lines, missing []string
	fromShared := false
	note := func(what string, found Found, detail string) {
		lines = append(lines, fmt.Sprintf("- %s: %s%s", what, found, detail))
		fromShared = fromShared || found.Place == Shared
	}
	lack := func(what string, err error) {
		var m *MissingError
		if !errors.As(err, &m) {
			lines = append(lines, fmt.Sprintf("- %s: cannot be used here: %v", what, err))
			return
		}
		lines = append(lines, fmt.Sprintf("- %s: **not here**; `%s` fetches it", what, m.Command))
		missing = append(missing, what)
	}
	for _, in := range inputs {
		switch in {
		case PaperNumbers:
			lines = append(lines, "- the paper's numbers (its Tables 1–4 and Section 4.6's prediction): `expected/`, which every clone has")
		case ComputedCells:
			tables, dir := computed(p.Repo, SeedDirs...)
			if dir == "" {
				lines = append(lines, "- the grid's computed cells: none yet under `results/` (`make reproduce` computes them); until then every table is the paper's")
				continue
			}
			var counts []string
			for _, t := range InOrder(tables) {
				counts = append(counts, fmt.Sprintf("%s %d cells", t.Modality, len(t.Rows)))
			}
			lines = append(lines, fmt.Sprintf("- the grid's computed cells: `%s/` (%s)", dir, strings.Join(counts, ", ")))
		case TextData, ImageData, SpeechData:
			d := dataNames[in]
			found, err := p.Data(d.modality)
			if err != nil {
				lack(d.name, err)
				continue
			}
			src, err := openUpTo(d.modality, datasets.Options{Path: found.Path})
			if err != nil {
				lines = append(lines, fmt.Sprintf("- %s: %s cannot be read: %v", d.name, found, err))
				continue
			}
			note(d.name, found, fmt.Sprintf(", rule `%s`, %d chunks", src.Provenance().Rule, src.NumChunks()))
		case TokenizerFile:
			if found, err := p.Tokenizer(); err != nil {
				lack("Pythia's tokenizer", err)
			} else {
				note("Pythia's tokenizer", found, "")
			}
		case Checkpoint:
			found, real, err := p.Model()
			switch {
			case err != nil:
				lack("a GPT-NeoX checkpoint", err)
			case real:
				note("pythia-70m at step 143000", found, "")
			default:
				note("the tests' tiny random GPT-NeoX checkpoint", found, " (`make data-model` fetches pythia-70m)")
			}
		}
	}
	text := "**Inputs** of the outputs below:\n\n" + strings.Join(lines, "\n")
	if fromShared {
		text += "\n\n`../shared` is the developers' data sample beside their checkout; on your clone, `make data` fetches the data sets (ImageNet needs HF_TOKEN)."
	}
	if len(missing) > 0 {
		text += fmt.Sprintf("\n\nThe cells that need %s say so, with the command.", strings.Join(missing, " or "))
	}
	return text
}
