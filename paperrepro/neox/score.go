package neox

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// TokenBits returns out[b][t-1] = -log2 p(seqs[b][t] | seqs[b][:t]) for
// t = 1..len(seqs[b])-1: the ideal code length of each token after the first.
// Sequences may differ in length: they are sorted by length, padded at the
// end to a multiple of 32 and batched in as few graph executions as the
// memory allows (see ForwardBytes), with one host transfer of the bits per
// execution.
func (m *Model) TokenBits(seqs [][]int) (_ [][]float64, err error) {
	defer panics.Recover(&err, "TokenBits")
	if err := m.checkSeqs(seqs); err != nil {
		return nil, err
	}
	out := make([][]float64, len(seqs))
	for _, group := range batchGroups(seqs, m.execBatch) {
		members := pick(seqs, group)
		ids, seq := padded(members, 0)
		targets, _ := padded(members, 1)
		batch := len(group)
		nll, err := m.bitsExec.Exec1(append([]any{
			tensors.FromFlatDataAndDimensions(ids, batch, seq),
			tensors.FromFlatDataAndDimensions(targets, batch, seq),
		}, m.paramArgs()...)...)
		if err != nil {
			return nil, fmt.Errorf("TokenBits: %w", err)
		}
		flat := tensors.MustCopyFlatData[float64](nll)
		nll.FinalizeAll()
		for b, i := range group {
			bits := make([]float64, len(seqs[i])-1)
			for t := range bits {
				bits[t] = flat[b*seq+t] / math.Ln2
			}
			out[i] = bits
		}
	}
	return out, nil
}

// tokenBitsGraph: inputs ids, targets [batch, seq] int32, then the params;
// output [batch, seq] float64, -ln p(targets[b,t] | ids[b,:t+1]). Of each
// logits block only the log-normaliser and the target's logit are kept.
func (m *Model) tokenBitsGraph(inputs []*Node) *Node {
	ids, targets := inputs[0], inputs[1]
	w := m.weightsOf(inputs[2:])
	batch, seq := ids.Shape().Dimensions[0], ids.Shape().Dimensions[1]
	h := Reshape(w.fullPass(ids), batch*seq, m.cfg.HiddenSize)
	targets = Reshape(targets, batch*seq)
	nll := w.byOutputRows(h, func(logits *Node, start int) *Node {
		rows, vocab := logits.Shape().Dimensions[0], logits.Shape().Dimensions[1]
		flatIndex := Add(MulScalar(Iota(logits.Graph(), shapes.Make(dtypes.Int32, rows), 0), vocab), Slice(targets, AxisRange(start, start+rows)))
		target := Gather(Reshape(logits, rows*vocab), InsertAxes(flatIndex, -1))
		return Sub(logNormaliser(logits), ConvertDType(target, dtypes.Float64))
	})
	return Reshape(nll, batch, seq)
}

// NextTokenLogProbs returns out[b][t], the natural-log distribution (length
// vocab_size) of the token after seqs[b][:t+1], for every position t. Its
// graph is compiled on the first call: the protocols use TokenBits and the
// Decoder, and only tests need whole distributions of every position.
func (m *Model) NextTokenLogProbs(seqs [][]int) (_ [][][]float32, err error) {
	defer panics.Recover(&err, "NextTokenLogProbs")
	if err := m.checkSeqs(seqs); err != nil {
		return nil, err
	}
	exec, err := m.logProbs()
	if err != nil {
		return nil, fmt.Errorf("NextTokenLogProbs: %w", err)
	}
	vocab := m.cfg.VocabSize
	out := make([][][]float32, len(seqs))
	for _, group := range batchGroups(seqs, m.execBatch) {
		ids, seq := padded(pick(seqs, group), 0)
		batch := len(group)
		logp, err := exec.Exec1(append([]any{tensors.FromFlatDataAndDimensions(ids, batch, seq)}, m.paramArgs()...)...)
		if err != nil {
			return nil, fmt.Errorf("NextTokenLogProbs: %w", err)
		}
		flat := tensors.MustCopyFlatData[float32](logp)
		logp.FinalizeAll()
		for b, i := range group {
			dists := make([][]float32, len(seqs[i]))
			for t := range dists {
				start := (b*seq + t) * vocab
				dists[t] = flat[start : start+vocab : start+vocab]
			}
			out[i] = dists
		}
	}
	return out, nil
}

// logProbs returns NextTokenLogProbs' compiled graph, compiling it on first use.
func (m *Model) logProbs() (*Exec, error) {
	m.logProbsMu.Lock()
	defer m.logProbsMu.Unlock()
	if m.closed.Load() {
		return nil, errors.New("model is closed")
	}
	if m.logProbsExec == nil {
		exec, err := NewExec(m.backend, m.logProbsGraph)
		if err != nil {
			return nil, err
		}
		exec.SetMaxCache(-1)
		m.logProbsExec = exec
	}
	return m.logProbsExec, nil
}

// logProbsGraph: input ids [batch, seq] int32, then the params; output
// [batch, seq, vocab] float32 natural-log next-token distributions
// (normalised in float64, see logNormaliser).
func (m *Model) logProbsGraph(inputs []*Node) *Node {
	w := m.weightsOf(inputs[1:])
	batch, seq := inputs[0].Shape().Dimensions[0], inputs[0].Shape().Dimensions[1]
	h := Reshape(w.fullPass(inputs[0]), batch*seq, m.cfg.HiddenSize)
	logp := w.byOutputRows(h, func(logits *Node, _ int) *Node { return logSoftmax64(logits) })
	return Reshape(logp, batch, seq, m.cfg.VocabSize)
}

// outputRows bounds the rows of the [rows, vocab] logits that the output
// layer materialises at once (in float32, with their float64 normaliser):
// 512 on a CPU, where memory is scarcer and smaller blocks stay in cache,
// 4096 on a GPU, where each block is a kernel launch and a part of the
// graph to compile, and 4096 x 50,304 logits take under a GiB in float32
// (about 4 GiB with the float64 normaliser's copies: ForwardBytes counts 20
// bytes a logit).
func outputRows(backendName string) int {
	if onGPU(backendName) {
		return 4096
	}
	return 512
}

// byOutputRows applies the output layer to hidden states h [rows, hidden]
// in blocks of w.outputRows rows, to bound memory: fn gets the block's
// logits [n, vocab] (float32) and its first row, and the blocks' results
// are concatenated.
func (w graphWeights) byOutputRows(h *Node, fn func(logits *Node, start int) *Node) *Node {
	rows := h.Shape().Dimensions[0]
	var parts []*Node
	for start := 0; start < rows; start += w.outputRows {
		end := min(start+w.outputRows, rows)
		parts = append(parts, fn(w.outputLayer(Slice(h, AxisRange(start, end))), start))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 0)
}

// execBatch is the most sequences of seqLen tokens one graph execution
// takes: as many as fit in the memory that was free after the weights were
// loaded, or unknownMemoryTokens' worth when that could not be read.
func (m *Model) execBatch(seqLen int) int {
	if m.free <= 0 {
		return max(1, unknownMemoryTokens/seqLen)
	}
	return max(1, MaxBatch(m.cfg, m.DType(), m.backendName, Workload{Len: seqLen}, m.free))
}
