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
	timed := pacer{stopBy: t0.Add(20 * time.Second), batchRate: 0.5, loadRate: 1} // 0.5 s per chunk per byte, 1 s per byte to load
	for _, tc := range []struct {
		name   string
		p      pacer
		now    time.Time
		want   int
		weight int64
		load   bool
		fixed  bool
		batch  int    // 0: an error wrapping ErrStopBy
		says   string // in the error
	}{
		{"no stop time: the whole batch", pacer{}, t0, 8, 2, true, false, 8, ""},
		{"nothing timed: one chunk", pacer{stopBy: t0.Add(time.Hour)}, t0, 8, 2, false, false, 1, ""},
		{"nothing timed, fixed batch: the whole batch", pacer{stopBy: t0.Add(time.Hour)}, t0, 8, 2, false, true, 8, ""},
		{"stop time passed", pacer{stopBy: t0}, t0, 8, 2, false, false, 0, "has passed"},
		{"stop time passed, nothing timed, fixed", pacer{stopBy: t0.Add(-time.Second)}, t0, 8, 2, false, true, 0, "has passed"},
		// 20 s left / 1.5 = 13.3 s; a chunk of a 2-byte model takes 1 s.
		{"all fit", timed, t0, 8, 2, false, false, 8, ""},
		{"cut to what fits", timed, t0, 20, 2, false, false, 13, ""},
		{"a larger model: fewer fit", timed, t0, 20, 4, false, false, 6, ""},
		{"the load counts", timed, t0, 20, 4, true, false, 4, ""}, // 13.3 s - 4 s load = 9.3 s, 2 s a chunk
		{"fixed batch fits", timed, t0, 13, 2, false, true, 13, ""},
		{"fixed batch does not fit", timed, t0, 14, 2, false, true, 0, "a batch of 14 chunks would end at about 12:00:21"},
		{"not one chunk fits", timed, t0.Add(19 * time.Second), 8, 2, false, false, 0, "a batch of one chunk would end at about 12:00:20 (at the pace last timed, plus 50%), after the stop time 12:00:20"},
		{"not even the load fits", timed, t0.Add(10 * time.Second), 8, 8, true, false, 0, "loading the model and a batch of one chunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.next(tc.now, tc.want, tc.weight, tc.load, tc.fixed)
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
		// Load 0.5 s; one chunk (1 s) is timed; then 13.3/1.5 s fit 4, 4,
		// the text's last 1; the image gets 1 chunk, and 0.5/1.5 s fit none.
		{"in a cell", "seed", 12, []int{1, 4, 4, 1, 1}, 1, "pythia-70m step 1000 image: stopped after 1 of 7 chunks"},
		// The first checkpoint finishes at 17.5 s; loading the second (1 s)
		// and one chunk of it (2 s) need 4.5 s with the margin.
		{"before loading a checkpoint", "seed", 20, []int{1, 4, 4, 1, 4, 3}, 2, "pythia-70m step 2000: stopped before loading it"},
		{"before anything", "seed", 0, nil, 0, "the stop time 12:00:00 has passed"},
		// The lossless protocol keeps its batch of 4: 4 s at 1 s a chunk,
		// 6 s with the margin.
		{"lossless keeps its batch", "lossless", 11, []int{4, 4}, 0, "pythia-70m step 1000 text: stopped after 8 of 10 chunks"},
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
	// The load ends at 0.5 s and the first chunk at 1.5 s; 5.5/1.5 s fit
	// 3 more (4.5 s), then 1 (5.5 s) and 1 (6.5 s); 0.5/1.5 s fit none.
	if len(p.done) != 6 {
		t.Errorf("%s holds %d chunks, want 6", path, len(p.done))
	}
	engine := &fakeEngine{}
	if _, err := (&Runner{Engine: engine, Sources: sources()[:1], Out: out, BatchSize: 4}).Run(context.Background(), cks); err != nil {
		t.Fatal(err)
	}
	if engine.chunks != 4 {
		t.Errorf("the resumed run scored %d chunks, want the 4 left", engine.chunks)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s is still there after the cell finished: %v", path, err)
	}
}
