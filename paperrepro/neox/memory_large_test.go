package neox

import (
	"errors"
	"strings"
	"testing"
)

// gpuOf is the memory gpuMemory reports for an idle GPU of total MiB as
// nvidia-smi lists it: the share XLA's allocator takes.
func gpuOf(totalMiB int64) Memory {
	return Memory{Bytes: int64(float64(totalMiB)*xlaGPUMemoryFraction) << 20, Source: "test GPU"}
}

// TestLargerPythiaOnOneGPU is the memory plan of issue 26: Pythia-12b in
// float16 or bfloat16 runs on one 80 GB GPU (an H100 80GB lists 81559 MiB)
// for both protocols, the 2.8b and 6.9b shapes too, and where a shape does
// not fit (a 24 GB GPU, or float32 beside less memory) the error names the
// model, what it needs and what there is.
func TestLargerPythiaOnOneGPU(t *testing.T) {
	const h100, consumer = 81559, 24564 // MiB, as nvidia-smi lists them
	seed := Workload{Len: 1024}
	lossless := Workload{Decoder: true, Len: 2048}
	for _, tc := range []struct {
		model, dtype string
		w            Workload
		gpuMiB       int64
		fits         bool
	}{
		{"12b", "float16", seed, h100, true},
		{"12b", "bfloat16", seed, h100, true},
		{"12b", "bfloat16", lossless, h100, true},
		{"12b", "float32", seed, h100, true},
		{"6.9b", "bfloat16", seed, h100, true},
		{"2.8b", "float32", seed, h100, true},
		{"12b-deduped", "float16", seed, h100, true},
		{"12b", "bfloat16", seed, consumer, false},
		{"6.9b", "float32", seed, consumer, false},
		{"6.9b", "bfloat16", seed, consumer, true},
	} {
		cfg, err := PythiaConfig(tc.model)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := planBatch([]Config{cfg}, tc.dtype, tc.w, 0, "xla:cuda", gpuOf(tc.gpuMiB))
		name := tc.model + " " + tc.dtype + " " + tc.w.String()
		if tc.fits {
			if err != nil || plan.Batch < 1 {
				t.Errorf("%s on %d MiB: %v, batch %d; want it to fit", name, tc.gpuMiB, err, plan.Batch)
			}
			t.Logf("%s on %d MiB: batch %d (at most %d), weights %s", name, tc.gpuMiB, plan.Batch, plan.Max, FormatBytes(WeightBytes(cfg, tc.dtype)))
			continue
		}
		var big *BatchTooLargeError
		if !errors.As(err, &big) || big.Max != 0 {
			t.Errorf("%s on %d MiB: %v; want a BatchTooLargeError with nothing fitting", name, tc.gpuMiB, err)
			continue
		}
		for _, want := range []string{"pythia-" + strings.TrimSuffix(tc.model, "-deduped"), "cannot run even one", FormatBytes(big.Need), "test GPU"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", name, err, want)
			}
		}
	}
}
