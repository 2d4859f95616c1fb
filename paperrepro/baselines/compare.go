package baselines

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// PaperRules are, per modality, the data rules of the chunks the grid
// scores, in the order Compare and the figure look for them: the paper's own
// rule (the hub split in the order the paper's code streamed it, fetched by
// `paperrepro fetch-data`), then the rule the grid falls back to on a plain
// folder of files. Opening a modality with datasets.Options.Rule empty, as
// `paperrepro run` and `paperrepro baselines -rules paper` do, picks the
// first of these that the data folder holds.
var PaperRules = map[string][]string{
	datasets.Text:   {datasets.RuleConsecutive},
	datasets.Image:  {datasets.RulePaper, datasets.RuleRandomCrop},
	datasets.Speech: {datasets.RulePaper, datasets.RulePCM16},
}

// SelectPaper returns the rule of modality's chunks under PaperRules that t
// holds results for (the first in their order), and the results of that
// rule under accounting a.
func (t Table) SelectPaper(modality string, a Accounting) (string, []Result) {
	for _, rule := range PaperRules[modality] {
		if rows := t.Select(modality, rule, a); len(rows) > 0 {
			return rule, rows
		}
	}
	return "", nil
}

// DeletangRules are the data rules of Deletang et al. (2024), per modality:
// the chunks their published figures come from.
var DeletangRules = map[string]string{
	datasets.Text:   datasets.RuleConsecutive,
	datasets.Image:  datasets.RuleTiles,
	datasets.Speech: datasets.RulePCM8,
}

// Verdict puts, for one modality, the paper's best language model at its
// last training step beside one classical codec on the same chunks.
//
// The model's CR is the paper's protocol: only the first 1024 tokens of a
// chunk are scored (a third to a half of an image or speech chunk is left
// out) and the top bit of every byte is dropped, yet the bits are divided by
// all 2048 bytes; the codec codes every bit of every byte. Our lossless
// protocol codes every bit too, so OursCR, when given, is the like-for-like
// number.
type Verdict struct {
	Modality string
	// Model and Step name the paper's cell with the lowest CR at its last
	// step; ModelCR is that CR.
	Model   string
	Step    int
	ModelCR float64
	// OursCR is the CR of the same model and step in the tables passed to
	// Compare as ours (e.g. the lossless protocol), when HasOurs.
	OursCR  float64
	HasOurs bool
	// Codec, Setting and Rule name the codec and the paper's data rule.
	Codec, Setting, Rule string
	// CodecCR is the codec's CR with every chunk compressed alone and the
	// header counted once (PerChunkHeaderOnce), like the model, which has
	// no header; CodecCRWithHeaders counts every chunk's header (PerChunk),
	// 0 when the table lacks it.
	CodecCR, CodecCRWithHeaders float64
}

// Margin is CodecCR - ModelCR: positive when the model compresses better.
func (v Verdict) Margin() float64 { return v.CodecCR - v.ModelCR }

// ModelWins reports whether the paper's model has the lower CR.
func (v Verdict) ModelWins() bool { return v.ModelCR < v.CodecCR }

// OursWins reports whether our CR (HasOurs) is lower than the codec's.
func (v Verdict) OursWins() bool { return v.HasOurs && v.OursCR < v.CodecCR }

// Compare returns, for every modality with both a paper table and baseline
// results on the paper's rule, one Verdict per codec, in the order of paper
// and then of the baselines table. ours may be nil.
func Compare(paper, ours []results.Table, t Table) ([]Verdict, error) {
	var out []Verdict
	for _, pt := range paper {
		rule, codecs := t.SelectPaper(pt.Modality, PerChunkHeaderOnce)
		if len(codecs) == 0 {
			continue
		}
		best, ok := bestAtLastStep(pt)
		if !ok {
			return nil, fmt.Errorf("comparing with the baselines: the paper's %s table has no cells", pt.Modality)
		}
		v := Verdict{Modality: pt.Modality, Model: best.Model, Step: best.Step, ModelCR: best.CR, Rule: rule}
		for _, ot := range ours {
			if ot.Modality == pt.Modality {
				v.OursCR, v.HasOurs = ot.CR(best.Model, best.Step)
			}
		}
		for _, c := range codecs {
			cv := v
			cv.Codec, cv.Setting, cv.CodecCR = c.Codec, c.Setting, c.CR()
			if withHeaders, ok := t.Find(c.Modality, c.Rule, c.Codec, PerChunk); ok {
				cv.CodecCRWithHeaders = withHeaders.CR()
			}
			out = append(out, cv)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("comparing with the baselines: no modality has both a paper table and baseline results on the paper's rule %v", PaperRules)
	}
	return out, nil
}

// bestAtLastStep returns the table's cell with the lowest CR at its last
// training step.
func bestAtLastStep(t results.Table) (results.Row, bool) {
	steps := t.Steps()
	if len(steps) == 0 {
		return results.Row{}, false
	}
	last := steps[len(steps)-1]
	var best results.Row
	found := false
	for _, r := range t.Rows {
		if r.Step == last && (!found || r.CR < best.CR) {
			best, found = r, true
		}
	}
	return best, found
}
