package grid

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestPacerNext(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	// 20 s left, 2 s of them spare: 12 s for the step with the margin. A
	// chunk takes 0.5 s per weights byte, a model's first 1 s per byte,
	// loading 1 s per byte.
	timed := pacer{stopBy: t0.Add(20 * time.Second), loadRate: 1, firstRate: 1, batchRate: 0.5, spare: 2}
	for _, tc := range []struct {
		name   string
		p      pacer
		now    time.Time
		step   step
		want   int
		weight int64
		fixed  bool
		batch  int    // 0: an error wrapping ErrStopBy
		says   string // in the error
	}{
		{"no stop time: the whole batch", pacer{}, t0, stepLoad, 8, 2, false, 8, ""},
		{"nothing timed: one chunk", pacer{stopBy: t0.Add(time.Hour)}, t0, stepLoad, 8, 2, false, 1, ""},
		{"nothing timed, fixed batch: the whole batch", pacer{stopBy: t0.Add(time.Hour)}, t0, stepLoad, 8, 2, true, 8, ""},
		{"stop time passed", pacer{stopBy: t0}, t0, stepLoad, 8, 2, false, 0, "the stop time 12:00:00 has passed"},
		{"stop time passed, fixed batch", timed, t0.Add(21 * time.Second), stepBatch, 8, 2, true, 0, "has passed"},
		{"all fit", timed, t0, stepBatch, 8, 2, false, 8, ""},
		{"cut to what fits", timed, t0, stepBatch, 20, 2, false, 12, ""},
		{"a larger model: fewer fit", timed, t0, stepBatch, 20, 4, false, 6, ""},
		{"a model's first batch: one chunk", timed, t0, stepFirst, 20, 4, false, 1, ""},
		{"loading a model, then one chunk", timed, t0, stepLoad, 20, 4, false, 1, ""},
		{"fixed batch fits", timed, t0, stepBatch, 12, 2, true, 12, ""},
		{"fixed batch does not fit", timed, t0, stepBatch, 13, 2, true, 0, "a batch of 13 chunks would end at about 12:00:21 (at the pace timed, plus 50% and 2.0 s for a compilation), after the stop time 12:00:20"},
		{"fixed first batch with its load", timed, t0, stepLoad, 4, 1, true, 4, ""},
		{"not one chunk fits", timed, t0.Add(17 * time.Second), stepBatch, 8, 2, false, 0, "a batch of one chunk would end at about 12:00:20"},
		{"not the load and one chunk", timed, t0.Add(5 * time.Second), stepLoad, 8, 8, false, 0, "loading the model and a batch of one chunk would end at about 12:00:31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.next(tc.now, tc.step, tc.want, tc.weight, tc.fixed)
			if tc.batch == 0 {
				if !errors.Is(err, ErrStopBy) || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("next = %d, %v; want an error wrapping ErrStopBy saying %q", got, err, tc.says)
				}
				return
			}
			if err != nil || got != tc.batch {
				t.Fatalf("next = %d, %v; want %d", got, err, tc.batch)
			}
		})
	}
}

// fakeClock is a clock that only the slow engine moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) advance(seconds float64) {
	c.t = c.t.Add(time.Duration(seconds * float64(time.Second)))
}

// slowEngine is fakeEngine taking time on a fake clock: loading a model
// takes half a second per byte of its weights, scoring a chunk a second per
// byte. It records the batches it scores.
type slowEngine struct {
	*fakeEngine
	clock   *fakeClock
	batches []int
}

func (e *slowEngine) Open(ckpt *hub.Checkpoint, tok results.TokenizerInfo) (Session, error) {
	weights := weightsBytes(ckpt)
	e.clock.advance(0.5 * float64(weights))
	s, err := e.fakeEngine.Open(ckpt, tok)
	return &slowSession{Session: s, engine: e, weights: weights}, err
}

type slowSession struct {
	Session
	engine  *slowEngine
	weights int64
}

func (s *slowSession) Score(chunks [][]byte) ([]results.ChunkResult, error) {
	s.engine.clock.advance(float64(len(chunks)) * float64(s.weights))
	s.engine.batches = append(s.engine.batches, len(chunks))
	return s.Session.Score(chunks)
}

// TestStopByStopsCleanlyAndResumes runs a grid whose batches take known
// times on a fake clock (localCheckpoints' weights are 1 and 2 bytes;
// sources hold 10 text and 7 image chunks) with stop times that land in a
// cell, between checkpoints, or before anything: the run must stop before
// the stop time with the finished batches kept, and a run without a stop
// time must then finish with the numbers of an uninterrupted run.
func TestStopByStopsCleanlyAndResumes(t *testing.T) {
	cks := localCheckpoints(t)
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir(), BatchSize: 4}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		protocol  string
		stopAfter float64 // seconds
		batches   []int
		cells     int
		says      string
	}{
		// The load ends at 0.5 s, the first chunk (1 s, kept spare) at 1.5 s;
		// then 10.5/1.5 s fit 4 chunks, 6.5/1.5 s 4 more, the text's last
		// one; the image gets 1 chunk, and 0.5/1.5 s fit none.
		{"in a cell", "seed", 13, []int{1, 4, 4, 1, 1}, 1, "pythia-70m step 1000 image: stopped after 1 of 7 chunks"},
		// The first checkpoint is done at 17.5 s; loading the second (1 s)
		// and its first chunk (2 s) need 4.5 s with the margin, and 1 s
		// is spare.
		{"before loading a checkpoint", "seed", 20, []int{1, 4, 4, 1, 4, 3}, 2, "pythia-70m step 2000: stopped before loading it"},
		// The second checkpoint is loaded by 18.5 s, its first chunk done
		// at 20.5 s (2 s spare from now on), one more by 22.5 s.
		{"in the second checkpoint", "seed", 26, []int{1, 4, 4, 1, 4, 3, 1, 1}, 2, "pythia-70m step 2000 text: stopped after 2 of 10 chunks"},
		{"before anything", "seed", 0, nil, 0, "the stop time 12:00:00 has passed"},
		// The lossless protocol keeps its batch of 4 (the first one 4 s,
		// kept spare); the text's last 2 chunks would take 3 s with the
		// margin, and 2.5 s are left.
		{"lossless keeps its batch", "lossless", 15, []int{4, 4}, 0, "pythia-70m step 1000 text: stopped after 8 of 10 chunks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
			stopBy := clock.t.Add(time.Duration(tc.stopAfter * float64(time.Second)))
			out := t.TempDir()
			engine := &slowEngine{fakeEngine: &fakeEngine{protocol: tc.protocol}, clock: clock}
			r := &Runner{Engine: engine, Sources: sources(), Out: out, BatchSize: 4, StopBy: stopBy, now: clock.now}
			sum, err := r.Run(context.Background(), cks)
			if !errors.Is(err, ErrStopBy) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("run: %v; want an error wrapping ErrStopBy saying %q", err, tc.says)
			}
			if clock.t.After(stopBy) {
				t.Errorf("the run ended at %s, after its stop time %s", clockTime(clock.t), clockTime(stopBy))
			}
			if !reflect.DeepEqual(engine.batches, tc.batches) {
				t.Errorf("batches %v, want %v", engine.batches, tc.batches)
			}
			if sum == nil || len(sum.Cells) != tc.cells || sum.Computed != tc.cells {
				t.Fatalf("summary %+v, want %d finished cells and no empty slot", sum, tc.cells)
			}
			if tc.protocol != "seed" {
				return
			}
			got, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out, BatchSize: 4}).Run(context.Background(), cks)
			if err != nil {
				t.Fatal(err)
			}
			if got.Reused != tc.cells || !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)) {
				t.Errorf("resumed run: %d cells reused (want %d), cells differ from an uninterrupted run's: %v",
					got.Reused, tc.cells, !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)))
			}
		})
	}
}

// TestStopByKeepsTheChunksScored checks that the chunks scored before a stop
// are the ones the next run resumes from: the .partial file holds them.
func TestStopByKeepsTheChunksScored(t *testing.T) {
	cks := localCheckpoints(t)[:1]
	clock := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	out := t.TempDir()
	r := &Runner{Engine: &slowEngine{fakeEngine: &fakeEngine{}, clock: clock}, Sources: sources()[:1], Out: out, BatchSize: 4,
		StopBy: clock.t.Add(7 * time.Second), now: clock.now}
	if _, err := r.Run(context.Background(), cks); !errors.Is(err, ErrStopBy) {
		t.Fatalf("run: %v, want a stop", err)
	}
	path := partialPath(cellPath(out, (&fakeEngine{}).Protocol(), "pythia-70m", 1000, "text"))
	p, err := readPartial(path)
	if err != nil {
		t.Fatal(err)
	}
	// The load ends at 0.5 s and the first chunk (1 s spare) at 1.5 s;
	// 4.5/1.5 s fit 3 more (4.5 s), then 1 (5.5 s); 0.5/1.5 s fit none.
	if len(p.done) != 5 {
		t.Errorf("%s holds %d chunks, want 5", path, len(p.done))
	}
	engine := &fakeEngine{}
	if _, err := (&Runner{Engine: engine, Sources: sources()[:1], Out: out, BatchSize: 4}).Run(context.Background(), cks); err != nil {
		t.Fatal(err)
	}
	if engine.chunks != 5 {
		t.Errorf("the resumed run scored %d chunks, want the 5 left", engine.chunks)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s is still there after the cell finished: %v", path, err)
	}
}
