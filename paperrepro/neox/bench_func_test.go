package neox

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// TestBench runs Bench on the tiny fixture's shape: it must report positive
// figures and say which backend and dtype ran.
func TestBench(t *testing.T) {
	cfg, err := ReadConfig(filepathOfFixture(t, "parallel-f32") + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var reports []BenchProgress
	res, err := Bench(context.Background(), cfg, Options{}, BenchSettings{Batch: 2, SeqLen: 32, Progress: func(p BenchProgress) { reports = append(reports, p) }})
	if err != nil {
		t.Fatal(err)
	}
	// Progress: the stages in order, tokens never decreasing, and the plan
	// met exactly once the timed calls are done.
	stages := map[string]int{"weights": 0, "probe": 1, "first call": 2, "timed calls": 3, "normaliser": 4}
	last := reports[len(reports)-1]
	if last.Stage != "normaliser" || last.Done != last.Total || last.Done != int64(32+2*32+2*32*res.Calls) {
		t.Errorf("last report %+v after %d timed calls: want the normaliser with all %d tokens done", last, res.Calls, 32+2*32+2*32*res.Calls)
	}
	for i := 1; i < len(reports); i++ {
		if stages[reports[i].Stage] < stages[reports[i-1].Stage] || reports[i].Done < reports[i-1].Done {
			t.Errorf("report %d %+v after %+v", i, reports[i], reports[i-1])
		}
	}
	t.Logf("%+v", res)
	if res.Calls < 1 || !(res.TokensPerSecond > 0) || math.IsInf(res.TokensPerSecond, 0) || res.Estimate <= 0 {
		t.Errorf("result %+v: want at least one call, a positive finite rate and memory estimate", res)
	}
	if !(res.Normaliser64 > 0) || !(res.Normaliser32 > 0) {
		t.Errorf("normaliser timings %v, %v: want positive", res.Normaliser64, res.Normaliser32)
	}
	if res.Backend == "" || res.DType != "float32" || res.Batch != 2 || res.SeqLen != 32 {
		t.Errorf("result %+v does not describe the run", res)
	}
	if _, err := Bench(context.Background(), cfg, Options{}, BenchSettings{Batch: 0, SeqLen: 32}); err == nil {
		t.Error("batch 0: no error")
	}
}

// TestBenchStopsWhenCancelled: a cancelled context ends the timed calls
// at the next call, long before MinTime.
func TestBenchStopsWhenCancelled(t *testing.T) {
	cfg, err := ReadConfig(filepathOfFixture(t, "parallel-f32") + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	_, err = Bench(ctx, cfg, Options{}, BenchSettings{Batch: 1, SeqLen: 16, MinTime: time.Hour, Progress: func(p BenchProgress) {
		if p.Stage == "timed calls" && p.Done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Errorf("cancelled bench: %v after %v, want context.Canceled at once", err, time.Since(start))
	}
}
