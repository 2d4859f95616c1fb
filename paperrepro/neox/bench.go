package neox

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchResult is what Bench measured for one model shape.
type BenchResult struct {
	Backend, DType string
	Batch, SeqLen  int
	// TokensPerSecond is the scored tokens (batch x seqLen per call) over
	// the wall time of the timed calls.
	TokensPerSecond float64
	// Calls and Seconds describe the timed calls; CompileSeconds the first
	// call, which compiles the graph and is not timed.
	Calls                   int
	Seconds, CompileSeconds float64
	// Peak is the memory high-water mark during the timed calls (see
	// PeakMemory); Bytes 0 when it could not be read, with the reason in
	// Source. Estimate is WeightBytes + ForwardBytes for the same call.
	Peak     Memory
	Estimate int64
	// Normaliser64 and Normaliser32 are the seconds one call spends on the
	// output layer's log-normalisers in float64 (as scored) and, for
	// comparison, in float32, measured on the normaliser alone.
	Normaliser64, Normaliser32 float64
}

// BenchSettings are what Bench measures and how it reports.
type BenchSettings struct {
	// Batch sequences of SeqLen random tokens per call.
	Batch, SeqLen int
	// MinTime is how long the timed calls last at least (one at least).
	MinTime time.Duration
	// Progress, when not nil, is called from Bench's goroutine at the start
	// of each stage and after every call.
	Progress func(BenchProgress)
}

// BenchProgress says how far a Bench is, in tokens scored: Total is the
// plan, which grows once the calls' duration is known.
type BenchProgress struct {
	Stage       string // "weights", "probe", "first call", "timed calls" or "normaliser"
	Done, Total int64
}

// Bench measures the seed protocol's forward pass (TokenBits) for a model
// of shape cfg with random weights (NewRandom) on s.Batch random sequences
// of s.SeqLen tokens: one untimed call at the full batch to compile, then
// calls until s.MinTime has passed (at least one). Before these, a call on
// one sequence (a probe, compiled separately) gives an early estimate of
// the work, so that progress has an ETA within seconds, not only after the
// first full call (which takes minutes for the larger shapes on a CPU).
// Cancelling ctx stops it between calls.
func Bench(ctx context.Context, cfg Config, opts Options, s BenchSettings) (BenchResult, error) {
	batch, seqLen := s.Batch, s.SeqLen
	if batch < 1 || seqLen < 2 || seqLen > cfg.MaxPositionEmbeddings {
		return BenchResult{}, fmt.Errorf("bench: batch %d of %d tokens: want at least 1 sequence of 2 to %d tokens", batch, seqLen, cfg.MaxPositionEmbeddings)
	}
	full := int64(batch) * int64(seqLen)
	progress := BenchProgress{Stage: "weights", Total: int64(seqLen) + 2*full}
	report := func(stage string, done int64) {
		progress.Stage, progress.Done = stage, progress.Done+done
		if s.Progress != nil {
			s.Progress(progress)
		}
	}
	report("weights", 0)
	m, err := NewRandom(cfg, 1, opts)
	if err != nil {
		return BenchResult{}, err
	}
	defer m.Close()
	if err := m.CheckBatch(batch, Workload{Len: seqLen}); err != nil {
		return BenchResult{}, err
	}
	rng := rand.New(rand.NewPCG(7, 0))
	seqs := make([][]int, batch)
	for b := range seqs {
		seqs[b] = make([]int, seqLen)
		for t := range seqs[b] {
			seqs[b][t] = rng.IntN(cfg.VocabSize)
		}
	}
	res := BenchResult{Backend: m.Backend(), DType: m.DType(), Batch: batch, SeqLen: seqLen,
		Estimate: WeightBytes(cfg, m.DType()) + ForwardBytes(cfg, m.DType(), m.Backend(), batch, seqLen)}
	// expect plans calls more full calls after those done; timedCalls is
	// how many calls of callSeconds fill left (one at least).
	expect := func(calls int64) { progress.Total = progress.Done + calls*full }
	timedCalls := func(callSeconds float64, left time.Duration) int64 {
		return max(1, int64(math.Ceil(left.Seconds()/max(callSeconds, 1e-9))))
	}
	call := func(stage string, seqs [][]int) (float64, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		report(stage, 0)
		start := time.Now()
		if _, err := m.TokenBits(seqs); err != nil {
			return 0, err
		}
		seconds := time.Since(start).Seconds()
		report(stage, int64(len(seqs))*int64(seqLen))
		return seconds, nil
	}
	probe, err := call("probe", seqs[:1])
	if err != nil {
		return res, err
	}
	expect(1 + timedCalls(probe*float64(batch), s.MinTime))
	if res.CompileSeconds, err = call("first call", seqs); err != nil {
		return res, err
	}
	expect(timedCalls(res.CompileSeconds, s.MinTime))
	resetPeakMemory()
	start := time.Now()
	for res.Calls == 0 || time.Since(start) < s.MinTime {
		seconds, err := call("timed calls", seqs)
		if err != nil {
			return res, err
		}
		res.Calls++
		if left := s.MinTime - time.Since(start); left > 0 {
			expect(timedCalls(seconds, left))
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.TokensPerSecond = float64(int64(res.Calls)*full) / res.Seconds
	progress.Total = progress.Done
	report("normaliser", 0)
	if res.Peak, err = PeakMemory(m.Backend()); err != nil {
		res.Peak = Memory{Source: err.Error()}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if res.Normaliser64, res.Normaliser32, err = m.normaliserSeconds(batch * seqLen); err != nil {
		return res, fmt.Errorf("bench: timing the normaliser: %w", err)
	}
	return res, nil
}

// resetPeakMemory restarts the process's peak resident set from its
// current size, where Linux allows it (/proc/self/clear_refs); elsewhere the
// peak stays the process's own.
func resetPeakMemory() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// normaliserSeconds times the log-normaliser of rows positions' logits as
// TokenBits computes it (outputRows rows at a time, in float64) and
// the same in float32, on random logits already on the backend: seconds
// for all the rows, each the best of three. Up to 2 blocks run in one graph,
// as in the forward pass, so that a GPU's per-call latency is not counted
// once per block.
func (m *Model) normaliserSeconds(rows int) (float64, float64, error) {
	block := min(rows, outputRows(m.backendName))
	inGraph := min(2, (rows+block-1)/block)
	scale := float64(rows) / float64(block*inGraph)
	rng := rand.New(rand.NewPCG(3, 0))
	values := make([]float32, inGraph*block*m.cfg.VocabSize)
	for i := range values {
		values[i] = float32(3 * rng.NormFloat64())
	}
	logits := tensors.FromFlatDataAndDimensions(values, inGraph*block, m.cfg.VocabSize)
	defer logits.FinalizeAll()
	var seconds [2]float64
	for i, normaliser := range []func(*Node) *Node{logNormaliser, logNormaliser32} {
		exec, err := NewExec(m.backend, func(all *Node) *Node {
			var parts []*Node
			for b := range inGraph {
				parts = append(parts, normaliser(Slice(all, AxisRange(b*block, (b+1)*block))))
			}
			if len(parts) == 1 {
				return parts[0]
			}
			return Concatenate(parts, 0)
		})
		if err != nil {
			return 0, 0, err
		}
		best := 0.0
		for run := range 4 { // the first compiles
			start := time.Now()
			out, err := exec.Exec1(logits)
			if err != nil {
				exec.Finalize()
				return 0, 0, err
			}
			_ = out.Value() // waits for the result
			out.FinalizeAll()
			if s := time.Since(start).Seconds(); run == 1 || (run > 1 && s < best) {
				best = s
			}
		}
		exec.Finalize()
		seconds[i] = best * scale
	}
	return seconds[0], seconds[1], nil
}

// logNormaliser32 is logNormaliser in float32 throughout, for comparison.
func logNormaliser32(logits *Node) *Node {
	top := ReduceAndKeep(logits, ReduceMax, -1)
	return Add(Log(ReduceSum(Exp(Sub(logits, top)), -1)), Squeeze(top, -1))
}
