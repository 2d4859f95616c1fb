package scaling

import (
	"cmp"
	"fmt"
	"slices"
)

// ModelGain is how much one model's compression ratio fell between two
// training steps.
type ModelGain struct {
	Model    string
	P        float64
	From, To float64 // CR at the earlier and the later step
	// Gain is From - To: positive when the model improved, negative when
	// more training made it worse.
	Gain float64
}

// StepGains returns each model's gain in CR from step from to step to,
// smallest model first: the per-model swings that a mean over models hides
// (late in training some image and speech models improve and others get
// worse). It fails when a model lacks either step.
func StepGains(obs []Observation, from, to float64) ([]ModelGain, error) {
	var out []ModelGain
	for _, m := range models(obs) {
		a, okA := crAt(obs, m.name, from)
		b, okB := crAt(obs, m.name, to)
		if !okA || !okB {
			return nil, fmt.Errorf("gain of %s from step %g to %g: the table lacks one of the two cells", m.name, from, to)
		}
		out = append(out, ModelGain{Model: m.name, P: m.p, From: a, To: b, Gain: a - b})
	}
	return out, nil
}

// SizeEffect returns CR(smallest model) - CR(largest model) at step: what
// the table's range of model sizes buys at that step, measured rather than
// fitted. It fails when either model lacks the step.
func SizeEffect(obs []Observation, step float64) (float64, error) {
	ms := models(obs)
	if len(ms) < 2 {
		return 0, fmt.Errorf("size effect at step %g: the table has %d model size(s), need 2", step, len(ms))
	}
	small, large := ms[0], ms[len(ms)-1]
	a, okA := crAt(obs, small.name, step)
	b, okB := crAt(obs, large.name, step)
	if !okA || !okB {
		return 0, fmt.Errorf("size effect at step %g: %s or %s lacks that step", step, small.name, large.name)
	}
	return a - b, nil
}

type modelSize struct {
	name string
	p    float64
}

// models returns the distinct models of obs, smallest first.
func models(obs []Observation) []modelSize {
	var ms []modelSize
	for _, o := range obs {
		if !slices.ContainsFunc(ms, func(m modelSize) bool { return m.name == o.Model }) {
			ms = append(ms, modelSize{o.Model, o.P})
		}
	}
	slices.SortFunc(ms, func(x, y modelSize) int { return cmp.Or(cmp.Compare(x.p, y.p), cmp.Compare(x.name, y.name)) })
	return ms
}

// crAt returns the CR of model at step s.
func crAt(obs []Observation, model string, s float64) (float64, bool) {
	for _, o := range obs {
		if o.Model == model && o.S == s {
			return o.CR, true
		}
	}
	return 0, false
}
