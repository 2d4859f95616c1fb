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

// pacer sizes a run's next batch so that it ends before the run's stop time
// (a test's deadline, a job's time limit), from the batches and model loads
// the run has timed, so that the run stops cleanly rather than being killed
// mid-batch.
//
// Time is counted per chunk and per byte of weights: a batch of k chunks
// with a model whose weights take w bytes is predicted to take k·w times
// the rate of the last batch timed, and loading that model w times the
// slowest load rate; so a larger model's first batch is predicted from a
// smaller one's before it is loaded. Nothing can be predicted before a
// batch is timed, so the first batch is a single chunk; after it the batch
// grows to the run's as soon as the time left allows. A batch timed with a
// compilation in it (a backend's first call on a new shape) overstates the
// rate, which keeps the next batch on the safe side.
type pacer struct {
	stopBy    time.Time // zero: no stop time
	batchRate float64   // the last batch's seconds per chunk per weights byte
	loadRate  float64   // the slowest load's seconds per weights byte
}

// batchDone records a batch of chunks scored in seconds by a model of
// weights bytes.
func (p *pacer) batchDone(chunks int, weights int64, seconds float64) {
	p.batchRate = seconds / float64(chunks) / float64(max(weights, 1))
}

// loaded records a model of weights bytes loaded in seconds.
func (p *pacer) loaded(weights int64, seconds float64) {
	p.loadRate = max(p.loadRate, seconds/float64(max(weights, 1)))
}

// next returns the size of the next batch, at most want chunks, with a
// model of weights bytes, loading it first when load is set: the largest
// that is predicted to end before the stop time, or want itself when the
// batch is fixed (it is part of the cells' setup) and fits. When not even
// one chunk fits (or the fixed batch does not), it returns an error
// wrapping ErrStopBy that says when the step would end. Without a stop
// time it returns want.
func (p *pacer) next(now time.Time, want int, weights int64, load, fixed bool) (int, error) {
	if p.stopBy.IsZero() {
		return want, nil
	}
	if !now.Before(p.stopBy) {
		return 0, fmt.Errorf("the stop time %s has passed: %w", clockTime(p.stopBy), ErrStopBy)
	}
	if p.batchRate == 0 { // nothing timed yet
		if fixed {
			return want, nil
		}
		return 1, nil
	}
	w := float64(max(weights, 1))
	loadSeconds := 0.0
	if load {
		loadSeconds = p.loadRate * w
	}
	left := p.stopBy.Sub(now).Seconds()/paceMargin - loadSeconds
	fits := int(left / (p.batchRate * w))
	switch {
	case !fixed && fits >= 1:
		return min(want, fits), nil
	case fixed && fits >= want:
		return want, nil
	}
	chunks := want
	if !fixed {
		chunks = 1
	}
	what := fmt.Sprintf("a batch of %d chunks", chunks)
	if chunks == 1 {
		what = "a batch of one chunk"
	}
	if load {
		what = "loading the model and " + what
	}
	end := now.Add(time.Duration(paceMargin * (loadSeconds + float64(chunks)*p.batchRate*w) * float64(time.Second)))
	return 0, fmt.Errorf("%s would end at about %s (at the pace last timed, plus %.0f%%), after the stop time %s: %w",
		what, clockTime(end), 100*(paceMargin-1), clockTime(p.stopBy), ErrStopBy)
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
