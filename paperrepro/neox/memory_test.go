package neox

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// peakDirEnv, when set, makes TestLoadPeakMemory act as the child process
// that loads the checkpoint in that folder and prints its memory high-water marks.
const peakDirEnv = "NEOX_PEAK_MEMORY_DIR"

// TestLoadPeakMemory writes a Pythia-70m-shaped checkpoint in F16 (141 MB)
// and loads it in a fresh process, whose peak resident memory (VmHWM) must
// stay within two float32 copies of the weights above the process's baseline.
func TestLoadPeakMemory(t *testing.T) {
	if dir := os.Getenv(peakDirEnv); dir != "" {
		reportLoadPeak(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("writes and loads a 141 MB checkpoint")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc/self/status (Linux) to read peak memory")
	}
	dir := t.TempDir()
	params := writeRandomF16Checkpoint(t, dir, pythia70mShape)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadPeakMemory$", "-test.v")
	cmd.Env = append(os.Environ(), peakDirEnv+"="+dir, "GOMLX_BACKEND=go")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	var baseline, peak int
	for _, field := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(field, "baseline_kB="); ok {
			baseline, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(field, "peak_kB="); ok {
			peak, _ = strconv.Atoi(v)
		}
	}
	if baseline == 0 || peak == 0 {
		t.Fatalf("child printed no memory figures:\n%s", out)
	}
	weightsF16MB, weightsF32MB := float64(2*params)/1e6, float64(4*params)/1e6
	usedMB := float64(peak-baseline) * 1024 / 1e6
	t.Logf("loading %d parameters (%.0f MB F16 on disk, %.0f MB as float32): peak RSS %.0f MB above a %.0f MB baseline = %.2f float32 copies",
		params, weightsF16MB, weightsF32MB, usedMB, float64(baseline)*1024/1e6, usedMB/weightsF32MB)
	if usedMB > 2*weightsF32MB {
		t.Errorf("loading used %.0f MB, more than two float32 copies of the weights (%.0f MB)", usedMB, 2*weightsF32MB)
	}
}

// reportLoadPeak runs in the child: load dir and print VmHWM before and after.
func reportLoadPeak(t *testing.T, dir string) {
	baseline := vmHWM(t)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fmt.Printf("baseline_kB=%d peak_kB=%d\n", baseline, vmHWM(t))
}

// vmHWM is this process's peak resident set size in kB.
func vmHWM(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kB, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kB
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// writeRandomF16Checkpoint writes config.json and model.safetensors for cfg
// with random F16 weights of magnitude about 1e-3 to 1, streaming tensor by
// tensor, and returns the parameter count.
func writeRandomF16Checkpoint(t *testing.T, dir string, cfg Config) int {
	t.Helper()
	config := fmt.Sprintf(`{"model_type": "gpt_neox", "hidden_size": %d, "num_attention_heads": %d, "num_hidden_layers": %d,
 "intermediate_size": %d, "vocab_size": %d, "rotary_pct": %v, "use_parallel_residual": true, "torch_dtype": "float16"}`,
		cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers, cfg.IntermediateSize, cfg.VocabSize, cfg.RotaryPct)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	specs := weightSpecs(cfg)
	var header strings.Builder
	header.WriteString("{")
	offset, params := 0, 0
	for i, s := range specs {
		n := 1
		for _, d := range s.Shape {
			n *= d
		}
		shape := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(s.Shape)), ","), "[]")
		if i > 0 {
			header.WriteString(",")
		}
		fmt.Fprintf(&header, `%q:{"dtype":"F16","shape":[%s],"data_offsets":[%d,%d]}`, s.Name, shape, offset, offset+2*n)
		offset += 2 * n
		params += n
	}
	header.WriteString("}")
	f, err := os.Create(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := []byte(header.String())
	if _, err := f.Write(append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 1<<20)
	for written := 0; written < 2*params; written += len(buf) {
		chunk := buf[:min(len(buf), 2*params-written)]
		for i := 0; i < len(chunk); i += 2 {
			r := rng.Uint32()
			// sign, exponent 5..15 (2^-10 .. 1), random mantissa: finite normal halves.
			bits := uint16(r&0x8000) | uint16(5+(r>>16)%11)<<10 | uint16(r&0x3ff)
			binary.LittleEndian.PutUint16(chunk[i:], bits)
		}
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	return params
}

// TestGPUMemory reads a fake nvidia-smi's answer: the first visible GPU's
// free memory, at most the share XLA's allocator takes of the whole GPU.
func TestGPUMemory(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\nprintf '0, 81559, 81000\\n1, 81559, 20000\\n'\n"
	if err := os.WriteFile(filepath.Join(bin, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	for _, tc := range []struct {
		visible string
		want    int64 // MiB
		err     string
	}{
		{"", 61169, ""},      // GPU 0: 81,000 free, capped at 75% of 81,559
		{"1,0", 20000, ""},   // GPU 1 first: all its 20,000 free
		{"7", 0, "no GPU 7"}, // not listed
	} {
		t.Setenv("CUDA_VISIBLE_DEVICES", tc.visible)
		mem, err := gpuMemory()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("CUDA_VISIBLE_DEVICES=%q: error %v, want one naming %q", tc.visible, err, tc.err)
			}
			continue
		}
		if err != nil || mem.Bytes != tc.want<<20 {
			t.Errorf("CUDA_VISIBLE_DEVICES=%q: %d MiB (%v), want %d MiB", tc.visible, mem.Bytes>>20, err, tc.want)
		}
	}
}
