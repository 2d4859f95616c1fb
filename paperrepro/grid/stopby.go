package grid

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
)

// ErrStopBy is wrapped by the error of a run that stopped cleanly before
// Runner.StopBy, its finished batches kept, because its next batch or model
// load would not have ended in time.
var ErrStopBy = errors.New("stopping before the run's time is up")

// paceMargin is how much longer than predicted the next step may take and
// still end before the stop time: a batch can run slower than the last one
// (other processes on the machine, longer chunks), so half as long again
// is kept free.
const paceMargin = 1.5

// step is what the run is about to do, for the pacer.
type step int

const (
	// stepLoad loads a model, then scores its first batch.
	stepLoad step = iota
	// stepFirst scores the first batch of a model just loaded.
	stepFirst
	// stepBatch scores a batch with a model already timed.
	stepBatch
)

// pacer sizes a run's next batch so that it ends before the run's stop time
// (a test's deadline, a job's time limit), from the batches and model loads
// the run has timed, so that the run stops cleanly rather than being killed
// mid-batch.
//
// Time is counted per chunk and per byte of weights: a batch of k chunks
// with a model whose weights take w bytes is predicted to take k·w times
// the rate of that model's last batch, and loading the model w times the
// slowest load rate. A model's first batch - where a backend like XLA
// compiles its graph - is a single chunk, so that it costs little, and is
// predicted from the slowest first batch of the models before it, per
// byte; so a larger model's is predicted from a smaller one's before it is
// loaded. After it the batch grows to the run's as soon as the time left
// allows. A batch of a shape not timed yet may be compiled too, which no
// rate predicts: the longest first batch of a model is kept free at the
// end for that.
type pacer struct {
	stopBy    time.Time // zero: no stop time
	loadRate  float64   // the slowest load: seconds per weights byte
	firstRate float64   // the slowest first batch of a model: seconds per chunk per weights byte
	batchRate float64   // the last batch: seconds per chunk per weights byte
	spare     float64   // the longest first batch of a model, in seconds
}

// loaded records a model of weights bytes loaded in seconds.
func (p *pacer) loaded(weights int64, seconds float64) {
	p.loadRate = max(p.loadRate, seconds/float64(max(weights, 1)))
}

// batchDone records a batch of chunks scored in seconds by a model of
// weights bytes; first tells whether it was the model's first batch.
func (p *pacer) batchDone(chunks int, weights int64, seconds float64, first bool) {
	rate := seconds / float64(chunks) / float64(max(weights, 1))
	p.batchRate = rate
	if first {
		p.firstRate = max(p.firstRate, rate)
		p.spare = max(p.spare, seconds)
	}
}

// next returns the size of the next batch, at most want chunks, with a
// model of weights bytes: one chunk for a model's first batch, else the
// largest batch predicted to end before the stop time. A fixed batch (one
// that is part of the cells' setup) keeps its size, first or not. When not
// even one chunk fits (or the fixed batch does not), it returns an error
// wrapping ErrStopBy that says when the step would end. Without a stop time
// it returns want.
func (p *pacer) next(now time.Time, s step, want int, weights int64, fixed bool) (int, error) {
	if p.stopBy.IsZero() {
		return want, nil
	}
	if !now.Before(p.stopBy) {
		return 0, fmt.Errorf("the stop time %s has passed: %w", clockTime(p.stopBy), ErrStopBy)
	}
	if s != stepBatch && !fixed {
		want = min(want, 1)
	}
	if p.firstRate == 0 { // nothing timed yet
		return want, nil
	}
	w := float64(max(weights, 1))
	load, rate := 0.0, p.batchRate
	if s != stepBatch {
		rate = p.firstRate
	}
	if s == stepLoad {
		load = p.loadRate * w
	}
	left := (p.stopBy.Sub(now).Seconds()-p.spare)/paceMargin - load
	fits := int(max(left, 0) / (rate * w))
	switch {
	case fits >= want:
		return want, nil
	case !fixed && s == stepBatch && fits >= 1:
		return fits, nil
	}
	chunks := want
	if !fixed {
		chunks = 1
	}
	what := fmt.Sprintf("a batch of %d chunks", chunks)
	if chunks == 1 {
		what = "a batch of one chunk"
	}
	if s == stepLoad {
		what = "loading the model and " + what
	}
	end := now.Add(time.Duration((paceMargin*(load+float64(chunks)*rate*w) + p.spare) * float64(time.Second)))
	return 0, fmt.Errorf("%s would end at about %s (at the pace timed, plus %.0f%% and %.1f s for a compilation), after the stop time %s: %w",
		what, clockTime(end), 100*(paceMargin-1), p.spare, clockTime(p.stopBy), ErrStopBy)
}

func clockTime(t time.Time) string { return t.Format("15:04:05") }

// weightsBytes is the size of a checkpoint's weights files, the pacer's
// measure of its model's cost; 0 when it cannot be read.
func weightsBytes(ckpt *hub.Checkpoint) int64 {
	var total int64
	for _, w := range ckpt.Weights {
		if info, err := os.Stat(filepath.Join(ckpt.Dir, filepath.FromSlash(w.Name))); err == nil {
			total += info.Size()
		}
	}
	return total
}
