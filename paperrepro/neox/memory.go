package neox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute/gobackend"
)

// Memory is an amount of memory in bytes and where the figure comes from.
type Memory struct {
	Bytes  int64
	Source string // e.g. "GPU 0 free memory (nvidia-smi)"
}

// String gives the amount with its source.
func (m Memory) String() string {
	return fmt.Sprintf("%s (%s)", FormatBytes(m.Bytes), m.Source)
}

// FormatBytes writes a memory size in GiB with one decimal, or in MiB
// below 1 GiB.
func FormatBytes(bytes int64) string {
	if bytes < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(bytes)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(bytes)/(1<<30))
}

// onGPU reports whether a backend name is an XLA GPU backend.
func onGPU(backendName string) bool {
	return strings.HasPrefix(backendName, "xla:") && strings.Contains(strings.ToLower(backendName), "cuda")
}

// AvailableMemory returns the memory a backend can fill with weights and
// activations: on an XLA CUDA backend the first visible GPU's free memory
// as it was before the process's backend started, at most the 75% of the
// GPU XLA's allocator takes by default (nvidia-smi); on the pure-Go and XLA
// CPU backends the system's available memory now (MemAvailable in
// /proc/meminfo).
func AvailableMemory(backendName string) (Memory, error) {
	if onGPU(backendName) {
		return gpuMemoryAtStart()
	}
	return systemMemory()
}

// gpuMemoryAtStart is gpuMemory read once, before the process's backend
// starts (sharedBackend reads it first). Later readings of nvidia-smi would
// count the weights already loaded, and memory that XLA's allocator keeps
// after earlier models were closed, as taken.
var gpuMemoryAtStart = sync.OnceValues(gpuMemory)

// xlaGPUMemoryFraction is the share of a GPU's memory XLA's allocator uses
// by default (PJRT's memory_fraction).
const xlaGPUMemoryFraction = 0.75

func gpuMemory() (Memory, error) {
	out, err := nvidiaSMI("--query-gpu=index,memory.total,memory.free", "--format=csv,noheader,nounits")
	if err != nil {
		return Memory{}, err
	}
	want := "0"
	if v := os.Getenv("CUDA_VISIBLE_DEVICES"); v != "" {
		want, _, _ = strings.Cut(v, ",")
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, ",")
		if len(f) != 3 || strings.TrimSpace(f[0]) != want {
			continue
		}
		total, err1 := strconv.ParseInt(strings.TrimSpace(f[1]), 10, 64)
		free, err2 := strconv.ParseInt(strings.TrimSpace(f[2]), 10, 64)
		if err1 != nil || err2 != nil {
			return Memory{}, fmt.Errorf("reading GPU memory from nvidia-smi: unexpected line %q", line)
		}
		usable := min(free, int64(float64(total)*xlaGPUMemoryFraction))
		return Memory{Bytes: usable << 20, Source: fmt.Sprintf("GPU %s: %s free of %s, at most %.0f%% for XLA (nvidia-smi)", want, FormatBytes(free<<20), FormatBytes(total<<20), 100*xlaGPUMemoryFraction)}, nil
	}
	return Memory{}, fmt.Errorf("reading GPU memory: nvidia-smi lists no GPU %s", want)
}

func systemMemory() (Memory, error) {
	kB, err := procField("/proc/meminfo", "MemAvailable:")
	if err != nil {
		return Memory{}, fmt.Errorf("reading the available memory: %w", err)
	}
	return Memory{Bytes: kB << 10, Source: "MemAvailable in /proc/meminfo"}, nil
}

// PeakMemory returns the most memory this process has held on the backend:
// on an XLA CUDA backend what nvidia-smi shows it using on the GPU (the
// allocator keeps what it took, so this is its high-water mark), elsewhere
// the peak resident set size (VmHWM in /proc/self/status).
func PeakMemory(backendName string) (Memory, error) {
	if onGPU(backendName) {
		out, err := nvidiaSMI("--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits")
		if err != nil {
			return Memory{}, err
		}
		pid := strconv.Itoa(os.Getpid())
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Split(line, ",")
			if len(f) == 2 && strings.TrimSpace(f[0]) == pid {
				mib, err := strconv.ParseInt(strings.TrimSpace(f[1]), 10, 64)
				if err == nil {
					return Memory{Bytes: mib << 20, Source: "GPU memory held by this process (nvidia-smi)"}, nil
				}
			}
		}
		return Memory{}, errors.New("nvidia-smi does not list this process on a GPU")
	}
	kB, err := procField("/proc/self/status", "VmHWM:")
	if err != nil {
		return Memory{}, fmt.Errorf("reading peak memory: %w", err)
	}
	return Memory{Bytes: kB << 10, Source: "peak resident set size, VmHWM"}, nil
}

// procField reads a "Name:   123 kB" line of a /proc file.
func procField(path, name string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s line in %s", name, path)
}

func nvidiaSMI(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nvidia-smi", args...).Output()
	if err != nil {
		return "", fmt.Errorf("running nvidia-smi %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// dtypeBytes is the size of one value of a compute dtype.
func dtypeBytes(dtype string) int {
	if dtype == "bfloat16" || dtype == "float16" {
		return 2
	}
	return 4
}

// WeightBytes is the memory a model of shape cfg holds in compute dtype
// (its parameters and the rotary tables).
func WeightBytes(cfg Config, dtype string) int64 {
	rotary := 2 * bucketLen(cfg.MaxPositionEmbeddings) * cfg.RotaryDims()
	return int64(cfg.Parameters()+rotary) * int64(dtypeBytes(dtype))
}

// ForwardBytes estimates the peak memory of one forward pass that scores
// batch sequences padded to seqLen tokens (TokenBits), beyond the weights.
// The peak is the larger of two phases, which are not alive at once: a
// layer, with its hidden states and projections (query/key/value before
// and after rotary, the MLP's 4x-wide activation) in the compute dtype, the
// layer norms' float32 copies, and the attention scores with their masked
// and exponentiated copies (float32, [batch, heads, seq, seq]); and the
// output layer, with
// one block of float32 logits and its float64 normaliser beside the final
// hidden states. The pure-Go backend's memory comes from Go's heap, which
// the garbage collector lets grow to twice the live data (GOGC=100), so it
// counts twice there (TestForwardBytesBoundsPeak measures it).
func ForwardBytes(cfg Config, dtype, backendName string, batch, seqLen int) int64 {
	s := int64(dtypeBytes(dtype))
	tokens := int64(batch) * int64(seqLen)
	states := tokens * (s*int64(12*cfg.HiddenSize+3*cfg.IntermediateSize) + 4*int64(4*cfg.HiddenSize))
	attention := 3 * 4 * int64(batch) * int64(cfg.NumAttentionHeads) * int64(seqLen) * int64(seqLen)
	logits := min(tokens, int64(outputRows(backendName)))*int64(cfg.VocabSize)*(4+8+8) + tokens*s*int64(cfg.HiddenSize)
	io := tokens * (4 + 4 + 8)
	total := io + max(states+attention, logits)
	if backendName == gobackend.BackendName {
		total *= 2
	}
	return total
}

// DecoderBytes estimates the memory a Decoder of batch streams of up to
// maxLen tokens holds beyond the weights: its key and value caches (updated
// in place, the step donating them) and one step's activations,
// attention scores over the cache and output distributions. It counts
// twice on the pure-Go backend, as ForwardBytes does.
func DecoderBytes(cfg Config, dtype, backendName string, batch, maxLen int) int64 {
	s := int64(dtypeBytes(dtype))
	b, l := int64(batch), int64(maxLen)
	caches := 2 * int64(cfg.NumHiddenLayers) * b * l * int64(cfg.HiddenSize) * s
	step := b*int64(cfg.VocabSize)*(4+8+8) + b*s*int64(12*cfg.HiddenSize+3*cfg.IntermediateSize) + 3*4*b*int64(cfg.NumAttentionHeads)*l
	total := caches + step
	if backendName == gobackend.BackendName {
		total *= 2
	}
	return total
}

// Workload is what one batch runs: the seed protocol's forward pass over
// sequences of Len tokens (TokenBits), or, with Decoder set, the lossless
// protocol's Decoder over streams of up to Len tokens.
type Workload struct {
	Decoder bool
	Len     int
}

// Bytes is the memory a batch of the workload needs beyond the weights.
func (w Workload) Bytes(cfg Config, dtype, backendName string, batch int) int64 {
	if w.Decoder {
		return DecoderBytes(cfg, dtype, backendName, batch, w.Len)
	}
	return ForwardBytes(cfg, dtype, backendName, batch, w.Len)
}

func (w Workload) String() string {
	if w.Decoder {
		return fmt.Sprintf("decoder streams of up to %d tokens", w.Len)
	}
	return fmt.Sprintf("sequences of %d tokens", w.Len)
}

// MaxBatch returns the largest batch of the workload that fits in free
// bytes beside nothing else (the weights already counted out): 0 when not
// even one does.
func MaxBatch(cfg Config, dtype, backendName string, w Workload, free int64) int {
	fits := func(batch int) bool { return w.Bytes(cfg, dtype, backendName, batch) <= free }
	if !fits(1) {
		return 0
	}
	lo, hi := 1, 2
	for fits(hi) && hi < 1<<20 {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// Default batch caps. On a CPU a larger batch of sequences is not faster
// (the matrix products already fill the cores) and a killed run loses at
// most one batch, so the cap stays small. Decoder streams are another
// matter: a step computes one token per stream and costs much the same for
// few streams as for many, so more streams are faster, up to where the
// arithmetic dominates (BenchmarkDecoderPythia70mShape on the pure-Go
// backend: 10-11 tokens/s with 4 streams, 23 with 64). A GPU needs many
// sequences per forward pass to be busy.
const (
	maxDefaultBatchCPU          = 8
	maxDefaultDecoderStreamsCPU = 64
	maxDefaultBatchGPU          = 256
)

// BatchTooLargeError reports a batch that would not fit in the backend's
// memory.
type BatchTooLargeError struct {
	Batch    int
	Workload Workload
	// Max is the largest batch that fits (0: not even one sequence).
	Max     int
	Model   string // the largest model asked for, for the message
	Need    int64
	Have    Memory
	Backend string
}

func (e *BatchTooLargeError) Error() string {
	if e.Max == 0 {
		return fmt.Sprintf("%s cannot run even one of %s on backend %s: it needs about %s with its weights, and %s is available",
			e.Model, e.Workload, e.Backend, FormatBytes(e.Need), e.Have)
	}
	return fmt.Sprintf("a batch of %d %s needs about %s for %s on backend %s, and %s is available: at most %d fit",
		e.Batch, e.Workload, FormatBytes(e.Need), e.Model, e.Backend, e.Have, e.Max)
}

// BatchPlan is the batch chosen for a run and why.
type BatchPlan struct {
	Batch   int
	Backend string
	Memory  Memory // what was available; Bytes 0 when unknown
	Max     int    // the largest batch that fits; 0 when unknown
}

// ChooseBatch picks or checks the batch (sequences per forward pass, or
// decoder streams) of the workload with models of the given shapes in
// compute dtype on the process's backend, which it starts. asked 0 picks the
// default: as many as fit in the available memory next to the largest
// model, at most 8 sequences (64 decoder streams) on a CPU and 256 on a
// GPU. A positive asked that does
// not fit is a *BatchTooLargeError. When the available memory cannot be
// read, the default is the cap and nothing is checked.
func ChooseBatch(cfgs []Config, dtype string, w Workload, asked int) (BatchPlan, error) {
	backend, err := BackendName()
	if err != nil {
		return BatchPlan{}, err
	}
	mem, err := AvailableMemory(backend)
	if err != nil {
		mem = Memory{}
	}
	return planBatch(cfgs, dtype, w, asked, backend, mem)
}

// planBatch is ChooseBatch on a given backend with the given available
// memory (Bytes 0: unknown).
func planBatch(cfgs []Config, dtype string, w Workload, asked int, backend string, mem Memory) (BatchPlan, error) {
	if asked < 0 {
		return BatchPlan{}, fmt.Errorf("batch %d: want a positive number of sequences, or 0 for the default", asked)
	}
	plan := BatchPlan{Batch: asked, Backend: backend, Memory: mem}
	limit := maxDefaultBatchCPU
	if w.Decoder {
		limit = maxDefaultDecoderStreamsCPU
	}
	if onGPU(backend) {
		limit = maxDefaultBatchGPU
	}
	if mem.Bytes <= 0 || len(cfgs) == 0 {
		if plan.Batch == 0 {
			plan.Batch = limit
		}
		return plan, nil
	}
	plan.Max = -1
	largest := Config{}
	for _, cfg := range cfgs {
		n := MaxBatch(cfg, dtype, backend, w, mem.Bytes-WeightBytes(cfg, dtype))
		if plan.Max < 0 || n < plan.Max {
			plan.Max, largest = n, cfg
		}
	}
	tooLarge := func(batch int) error {
		return &BatchTooLargeError{Batch: batch, Workload: w, Max: plan.Max, Model: describeShape(largest),
			Need: WeightBytes(largest, dtype) + w.Bytes(largest, dtype, backend, batch), Have: mem, Backend: backend}
	}
	switch {
	case plan.Max == 0:
		return plan, tooLarge(max(asked, 1))
	case asked == 0:
		plan.Batch = min(plan.Max, limit)
	case asked > plan.Max:
		return plan, tooLarge(asked)
	}
	return plan, nil
}

// describeShape names a model shape for messages: its Pythia name when it
// has one, else its size.
func describeShape(cfg Config) string {
	for _, p := range pythiaSuite {
		if p.Config == cfg {
			return p.Name
		}
	}
	return fmt.Sprintf("a model of %d parameters", cfg.Parameters())
}

// CheckBatch reports, as a *BatchTooLargeError, a batch of the workload too
// large for the memory that was free once the model's weights were loaded;
// nil when it fits or when that memory is unknown.
func (m *Model) CheckBatch(batch int, w Workload) error {
	if m.free <= 0 {
		return nil
	}
	dtype := m.DType()
	fits := MaxBatch(m.cfg, dtype, m.backendName, w, m.free)
	if batch <= fits {
		return nil
	}
	return &BatchTooLargeError{Batch: batch, Workload: w, Max: fits, Model: describeShape(m.cfg),
		Need: WeightBytes(m.cfg, dtype) + w.Bytes(m.cfg, dtype, m.backendName, batch),
		Have: Memory{Bytes: m.free + WeightBytes(m.cfg, dtype), Source: "free before the weights were loaded"}, Backend: m.backendName}
}
