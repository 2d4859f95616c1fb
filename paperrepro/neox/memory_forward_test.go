package neox

import (
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// forwardMemoryEnv, when set to an index of forwardMemoryCases, makes
// TestForwardBytesBoundsPeak act as the child process that measures one
// forward pass.
const forwardMemoryEnv = "NEOX_FORWARD_MEMORY"

// forwardMemoryCases are shapes whose forward pass takes tens of megabytes
// but little arithmetic, one dominated by the attention scores (many
// narrow heads), one by the output layer (a wide vocabulary), one by the
// hidden states.
var forwardMemoryCases = []struct {
	name                        string
	hidden, heads, inner, vocab int
	batch, seqLen               int
}{
	{"attention", 128, 16, 512, 1024, 2, 512},
	{"output layer", 32, 2, 128, 16384, 1, 512},
	{"hidden states", 512, 2, 2048, 512, 16, 64},
}

func forwardMemoryConfig(hidden, heads, inner, vocab int) Config {
	return Config{
		HiddenSize: hidden, NumHiddenLayers: 1, NumAttentionHeads: heads, IntermediateSize: inner, VocabSize: vocab,
		RotaryPct: 0.25, RotaryEmbBase: 10000, LayerNormEps: 1e-5, MaxPositionEmbeddings: 2048,
		UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: true,
	}
}

// TestForwardBytesBoundsPeak measures, in fresh processes on the pure-Go
// backend, how much a forward pass raises peak resident memory, and checks
// ForwardBytes (which the default batch size and the batch check rest on)
// bounds it without overstating it more than fourfold.
func TestForwardBytesBoundsPeak(t *testing.T) {
	if v := os.Getenv(forwardMemoryEnv); v != "" {
		measureForward(t, v)
		return
	}
	if testing.Short() {
		t.Skip("runs small forward passes in child processes")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc/self/status (Linux) to read peak memory")
	}
	for i, tc := range forwardMemoryCases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestForwardBytesBoundsPeak$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", forwardMemoryEnv, i), "GOMLX_BACKEND=go")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		var used int64
		for _, field := range strings.Fields(string(out)) {
			if v, ok := strings.CutPrefix(field, "forward_kB="); ok {
				used, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		if used == 0 {
			t.Fatalf("child printed no figure:\n%s", out)
		}
		measured := used << 10
		cfg := forwardMemoryConfig(tc.hidden, tc.heads, tc.inner, tc.vocab)
		estimate := ForwardBytes(cfg, "float32", "go", tc.batch, tc.seqLen)
		t.Logf("%s (batch %d x %d tokens): peak RSS rose %.0f MB, ForwardBytes says %.0f MB (%.2fx)",
			tc.name, tc.batch, tc.seqLen, float64(measured)/1e6, float64(estimate)/1e6, float64(estimate)/float64(measured))
		if estimate < measured {
			t.Errorf("%s: ForwardBytes %d < measured %d", tc.name, estimate, measured)
		}
		if estimate > 4*measured {
			t.Errorf("%s: ForwardBytes %d overstates the measured %d more than fourfold", tc.name, estimate, measured)
		}
	}
}

// measureForward runs in the child: load, then measure the rise of the peak
// resident set over the current one across the first forward pass (a
// second would find buffers the backend pools from the first, resident
// or not depending on the garbage collector's timing).
func measureForward(t *testing.T, index string) {
	i, err := strconv.Atoi(index)
	if err != nil {
		t.Fatal(err)
	}
	tc := forwardMemoryCases[i]
	cfg := forwardMemoryConfig(tc.hidden, tc.heads, tc.inner, tc.vocab)
	m := randomModel(t, cfg)
	seqs := randomSeqs(tc.batch, tc.seqLen, cfg.VocabSize)
	debug.FreeOSMemory()
	before, err := procField("/proc/self/status", "VmRSS:")
	if err != nil {
		t.Fatal(err)
	}
	resetPeak(t)
	if _, err := m.TokenBits(seqs); err != nil {
		t.Fatal(err)
	}
	peak, err := procField("/proc/self/status", "VmHWM:")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("forward_kB=%d\n", peak-before)
}

// resetPeak resets VmHWM to the current resident set (Linux: write 5 to
// /proc/self/clear_refs).
func resetPeak(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident set: %v", err)
	}
}
