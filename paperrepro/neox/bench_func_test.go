package neox

import (
	"math"
	"testing"
)

// TestBench runs Bench on the tiny fixture's shape: it must report positive
// figures and say which backend and dtype ran.
func TestBench(t *testing.T) {
	cfg, err := ReadConfig(filepathOfFixture(t, "parallel-f32") + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Bench(cfg, Options{}, 2, 32, 0)
	if err != nil {
		t.Fatal(err)
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
	if _, err := Bench(cfg, Options{}, 0, 32, 0); err == nil {
		t.Error("batch 0: no error")
	}
}
