package neox

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanBatch(t *testing.T) {
	p70m, err := PythiaConfig("70m")
	if err != nil {
		t.Fatal(err)
	}
	p1b4, err := PythiaConfig("1.4b")
	if err != nil {
		t.Fatal(err)
	}
	gib := func(n float64) Memory { return Memory{Bytes: int64(n * (1 << 30)), Source: "test"} }
	for _, tc := range []struct {
		name    string
		decoder bool // the lossless coder's decoder streams of up to 2048 tokens, else sequences of 1024
		cfgs    []Config
		dtype   string
		backend string
		mem     Memory
		asked   int
		want    int    // the batch; -1 when an error is expected
		errSays string // in the error
	}{
		{"CPU default is capped", false, []Config{p70m}, "float32", "go", gib(16), 0, maxDefaultBatchCPU, ""},
		{"GPU default is capped", false, []Config{p70m}, "float32", "xla:cuda", gib(100), 0, maxDefaultBatchGPU, ""},
		{"asked and fits", false, []Config{p70m}, "float32", "go", gib(16), 3, 3, ""},
		{"asked too large", false, []Config{p70m}, "float32", "go", gib(16), 100000, -1, "a batch of 100000 sequences of 1024 tokens needs about"},
		{"nothing fits", false, []Config{p1b4}, "float32", "go", gib(2), 0, -1, "pythia-1.4b cannot run even one of sequences of 1024 tokens"},
		{"negative", false, []Config{p70m}, "float32", "go", gib(16), -2, -1, "batch -2"},
		{"memory unknown: default", false, []Config{p70m}, "float32", "go", Memory{}, 0, maxDefaultBatchCPU, ""},
		{"memory unknown: asked", false, []Config{p70m}, "float32", "go", Memory{}, 5000, 5000, ""},
		{"CPU default of decoder streams is capped higher", true, []Config{p70m}, "float32", "go", gib(64), 0, maxDefaultDecoderStreamsCPU, ""},
		{"decoder streams by memory", true, []Config{p70m}, "float32", "go", gib(4), 0, 38, ""}, // (4 GiB - 282 MB of weights) / 103 MB a stream
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Workload{Len: 1024}
			if tc.decoder {
				w = Workload{Decoder: true, Len: 2048}
			}
			plan, err := planBatch(tc.cfgs, tc.dtype, w, tc.asked, tc.backend, tc.mem)
			if tc.want < 0 {
				if err == nil || !strings.Contains(err.Error(), tc.errSays) {
					t.Fatalf("plan %+v, error %v; want an error saying %q", plan, err, tc.errSays)
				}
				var big *BatchTooLargeError
				if tc.asked >= 0 && !errors.As(err, &big) {
					t.Errorf("error %v is not a *BatchTooLargeError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.Batch != tc.want || plan.Batch < 1 {
				t.Errorf("batch %d, want %d (max %d)", plan.Batch, tc.want, plan.Max)
			}
		})
	}
}

// The largest model decides the batch, and a 16-bit dtype fits more.
func TestPlanBatchLargestModelAndDType(t *testing.T) {
	p70m, _ := PythiaConfig("70m")
	p1b4, _ := PythiaConfig("1.4b")
	mem := Memory{Bytes: 16 << 30, Source: "test"}
	batch := func(cfgs []Config, dtype string) int {
		t.Helper()
		plan, err := planBatch(cfgs, dtype, Workload{Len: 1024}, 0, "xla:cuda", mem)
		if err != nil {
			t.Fatal(err)
		}
		return plan.Batch
	}
	both, small, large := batch([]Config{p70m, p1b4}, "float32"), batch([]Config{p70m}, "float32"), batch([]Config{p1b4}, "float32")
	if both != large || large >= small || large < 1 {
		t.Errorf("16 GiB: 70m+1.4b batch %d, 70m %d, 1.4b %d; want 1 <= 1.4b's = both < 70m's", both, small, large)
	}
	if bf16 := batch([]Config{p1b4}, "bfloat16"); bf16 <= large {
		t.Errorf("1.4b in 16 GiB: bfloat16 batch %d, float32 %d; want more in bfloat16", bf16, large)
	}
}

// The lossless protocol's decoder holds key/value caches for every stream:
// on a GPU the 1.4b model fits far fewer streams of 2048 tokens than
// forward-pass sequences of 1024, and a batch too large names the decoder.
func TestPlanBatchDecoder(t *testing.T) {
	p1b4, _ := PythiaConfig("1.4b")
	mem := Memory{Bytes: 100 << 30, Source: "test"}
	forward, err := planBatch([]Config{p1b4}, "float32", Workload{Len: 1024}, 0, "xla:cuda", mem)
	if err != nil {
		t.Fatal(err)
	}
	decoder, err := planBatch([]Config{p1b4}, "float32", Workload{Decoder: true, Len: 2048}, 0, "xla:cuda", mem)
	if err != nil {
		t.Fatal(err)
	}
	if decoder.Max < 1 || decoder.Max >= forward.Max {
		t.Errorf("1.4b in 100 GiB: %d decoder streams fit, %d forward sequences; want fewer streams", decoder.Max, forward.Max)
	}
	_, err = planBatch([]Config{p1b4}, "float32", Workload{Decoder: true, Len: 2048}, decoder.Max+1, "xla:cuda", mem)
	if err == nil || !strings.Contains(err.Error(), "decoder streams of up to 2048 tokens") {
		t.Errorf("one stream too many: %v", err)
	}
}
