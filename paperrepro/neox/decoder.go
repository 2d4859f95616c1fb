package neox

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// Decoder feeds a batch of independent token streams one token at a time,
// keeping each layer's keys and values in a cache, and returns each stream's
// next-token distribution. The cache has a fixed length (maxLen), so one
// graph is compiled for all steps (and shared by decoders of the same shape);
// each step writes its keys and values into the cache in place
// (DynamicUpdateSlice on donated buffers), and on the pure-Go backend the
// fused attention reads only the keys written so far. The cache is this
// package's rather than GoMLX's ml/layers/attention/kvcache, which keeps its
// caches in model.Scope variables and grows them in powers of two, a new
// graph and a copy of the cache at each size, and needs this model's weights
// as model.Scope variables: one fixed cache, one step and the weights as
// parameters are simpler. BenchmarkDecoderPythia70mShape measures it.
//
// Determinism: the same token history with the same batch size and maxLen
// always gives bit-identical floats, whatever else runs concurrently (the
// lossless coder compresses and decompresses with it). Its floats agree with
// NextTokenLogProbs within 1e-4 (tested), but are not promised to be
// bit-identical to them.
type Decoder struct {
	m             *Model
	batch, maxLen int
	exec          *Exec

	mu     sync.Mutex
	pos    int               // tokens fed so far per stream
	caches []*tensors.Tensor // per layer: keys, values [batch, heads, maxLen, head_size]
	// out holds the distributions Next returns, [batch, vocab], reused from
	// step to step: fresh memory for them every step cost more in page
	// faults than the copy.
	out []float32
}

// NewDecoder starts batch empty streams that can each take up to maxLen
// tokens (at most max_position_embeddings).
func (m *Model) NewDecoder(batch, maxLen int) (_ *Decoder, err error) {
	defer panics.Recover(&err, "NewDecoder")
	if m.closed.Load() {
		return nil, errors.New("NewDecoder: model is closed")
	}
	if batch <= 0 || maxLen <= 0 {
		return nil, fmt.Errorf("NewDecoder: batch %d and maxLen %d must be positive", batch, maxLen)
	}
	if maxLen > m.cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("NewDecoder: maxLen %d exceeds max_position_embeddings %d", maxLen, m.cfg.MaxPositionEmbeddings)
	}
	d := &Decoder{m: m, batch: batch, maxLen: maxLen}
	if d.exec, err = m.decoderStep(batch, maxLen); err != nil {
		return nil, fmt.Errorf("NewDecoder: %w", err)
	}
	if d.caches, err = m.zeroCaches(batch, maxLen); err != nil {
		return nil, fmt.Errorf("NewDecoder: %w", err)
	}
	return d, nil
}

// zeroCaches makes a decoder's 2 x layers caches [batch, heads, maxLen,
// head_size], zeros, on the backend: broadcast there from a scalar rather
// than copied from the host (1.6 GB for Pythia-70m with 64 streams of 1024
// tokens), each a buffer of its own, as the step updates them in place.
func (m *Model) zeroCaches(batch, maxLen int) (_ []*tensors.Tensor, err error) {
	dims := []int{batch, m.cfg.NumAttentionHeads, maxLen, m.cfg.HeadSize()}
	exec, err := NewExec(m.backend, func(zero *Node) *Node { return BroadcastToDims(zero, dims...) })
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	zero := tensors.FromShape(shapes.Make(m.dtype))
	defer zero.FinalizeAll()
	caches := make([]*tensors.Tensor, 2*m.cfg.NumHiddenLayers)
	for i := range caches {
		if caches[i], err = exec.Exec1(zero); err != nil {
			for _, c := range caches[:i] {
				c.FinalizeAll()
			}
			return nil, err
		}
	}
	return caches, nil
}

// Next feeds ids[b] to stream b and returns, for each stream, the natural-log
// distribution (length vocab_size) of the token that follows. The slices
// are the decoder's: the next call to Next overwrites them.
func (d *Decoder) Next(ids []int) (_ [][]float32, err error) {
	defer panics.Recover(&err, "Decoder.Next")
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.exec == nil {
		return nil, errors.New("Decoder.Next: decoder is closed")
	}
	if len(ids) != d.batch {
		return nil, fmt.Errorf("Decoder.Next: got %d ids, want one per stream (%d)", len(ids), d.batch)
	}
	if d.pos >= d.maxLen {
		return nil, fmt.Errorf("Decoder.Next: the streams already hold maxLen = %d tokens", d.maxLen)
	}
	flatIDs := make([]int32, d.batch)
	for b, id := range ids {
		if id < 0 || id >= d.m.cfg.VocabSize {
			return nil, fmt.Errorf("Decoder.Next: stream %d: token id %d outside the vocabulary [0, %d)", b, id, d.m.cfg.VocabSize)
		}
		flatIDs[b] = int32(id)
	}
	args := []any{tensors.FromFlatDataAndDimensions(flatIDs, d.batch), tensors.FromScalar(int32(d.pos))}
	// The caches are donated: the step updates them in place.
	for _, c := range d.caches {
		donated, err := DonateTensorBuffer(c, d.m.backend, 0)
		if err != nil {
			return nil, fmt.Errorf("Decoder.Next: %w", err)
		}
		args = append(args, donated)
	}
	args = append(args, d.m.paramArgs()...)
	outputs, err := d.exec.Exec(args...)
	if err != nil {
		// The donated caches are gone; this decoder cannot go on.
		d.close()
		return nil, fmt.Errorf("Decoder.Next: %w", err)
	}
	numCaches := len(d.caches)
	copy(d.caches, outputs[:numCaches])
	d.pos++
	defer func() {
		for _, t := range outputs[numCaches:] {
			t.FinalizeAll()
		}
	}()
	if err := d.logProbs(outputs[numCaches], outputs[numCaches+1:]); err != nil {
		return nil, fmt.Errorf("Decoder.Next: %w", err)
	}
	vocab := d.m.cfg.VocabSize
	out := make([][]float32, d.batch)
	for b := range out {
		out[b] = d.out[b*vocab : (b+1)*vocab : (b+1)*vocab]
	}
	return out, nil
}

// logProbs fills d.out [batch, vocab] with the step's log-probabilities:
// each logit of the vocabulary blocks less its stream's log-normaliser,
// in float64, rounded to float32 once. Done here rather than in the graph,
// as the logits are copied out anyway, it spares the graph a float64 copy
// of the logits and putting the blocks together.
func (d *Decoder) logProbs(normaliser *tensors.Tensor, blocks []*tensors.Tensor) error {
	vocab := d.m.cfg.VocabSize
	if d.out == nil {
		d.out = make([]float32, d.batch*vocab)
	}
	norm, err := tensors.CopyFlatData[float64](normaliser)
	if err != nil {
		return err
	}
	start := 0
	for _, block := range blocks {
		words := block.Shape().Dimensions[1]
		err := tensors.ConstFlatData(block, func(logits []float32) {
			for b, n := range norm {
				dst := d.out[b*vocab+start : b*vocab+start+words]
				for j, l := range logits[b*words : (b+1)*words] {
					dst[j] = float32(float64(l) - n)
				}
			}
		})
		if err != nil {
			return err
		}
		start += words
	}
	return nil
}

// Close frees the caches (the compiled step stays with the Model for the
// next decoder of this shape). It is safe to call twice.
func (d *Decoder) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.close()
}

func (d *Decoder) close() {
	d.exec = nil
	for _, c := range d.caches {
		c.FinalizeAll()
	}
	d.caches = nil
}

// decoderStep returns the compiled decoding step for batch streams and
// caches of maxLen, compiling it on first use: decoders of the same shape
// share it.
func (m *Model) decoderStep(batch, maxLen int) (*Exec, error) {
	m.stepsMu.Lock()
	defer m.stepsMu.Unlock()
	if m.closed.Load() { // Close ran since NewDecoder checked
		return nil, errors.New("NewDecoder: model is closed")
	}
	key := [2]int{batch, maxLen}
	if e, ok := m.steps[key]; ok {
		return e, nil
	}
	shape := decoderShape{m: m, batch: batch, maxLen: maxLen}
	e, err := NewExec(m.backend, shape.stepGraph)
	if err != nil {
		return nil, err
	}
	if m.steps == nil {
		m.steps = map[[2]int]*Exec{}
	}
	m.steps[key] = e
	return e, nil
}

// decoderShape is what the step graph depends on besides its inputs.
type decoderShape struct {
	m             *Model
	batch, maxLen int
}

// stepGraph: inputs ids [batch] int32, pos (scalar int32), the 2 x layers
// caches, then the model params; outputs the updated caches, the
// log-normalisers [batch] (float64) and the logits [batch, words] (float32)
// of each vocabulary block (see Decoder.logProbs).
func (d decoderShape) stepGraph(inputs []*Node) []*Node {
	ids, pos := InsertAxes(inputs[0], -1), inputs[1]
	numCaches := 2 * d.m.cfg.NumHiddenLayers
	caches := inputs[2 : 2+numCaches]
	w := d.m.weightsOf(inputs[2+numCaches:])
	var cos, sin *Node
	if w.rotaryCos != nil {
		row := Reshape(pos, 1, 1)
		cos, sin = Gather(w.rotaryCos, row), Gather(w.rotarySin, row) // [1, rotary_dims]
	}
	g := pos.Graph()
	zero := ScalarZero(g, dtypes.Int32)
	// Keys 0..pos are written: the fused attention reads only those, the
	// decomposed one masks the rest (still zeros) out.
	written := BroadcastToDims(OnePlus(pos), d.batch)
	queries := Ones(g, shapes.Make(dtypes.Int32, d.batch))
	visible := LessOrEqual(Iota(g, shapes.Make(dtypes.Int32, 1, 1, 1, d.maxLen), 3), pos) // [1, 1, 1, maxLen]
	updated := make([]*Node, numCaches)
	attend := func(layer int, q, k, v *Node) *Node {
		// [batch, 1, heads, head_size] -> [batch, heads, 1, head_size], written at slot pos.
		toCache := func(cache, x *Node) *Node {
			return DynamicUpdateSlice(cache, TransposeAllAxes(x, 0, 2, 1, 3), []*Node{zero, zero, pos, zero})
		}
		keys, values := toCache(caches[2*layer], k), toCache(caches[2*layer+1], v)
		updated[2*layer], updated[2*layer+1] = keys, values
		q = TransposeAllAxes(q, 0, 2, 1, 3)
		decomposed := func() *Node {
			bshd := func(x *Node) *Node { return TransposeAllAxes(x, 0, 2, 1, 3) }
			return bshd(attentionDecomposed(bshd(q), bshd(keys), bshd(values), visible))
		}
		var context *Node // [batch, heads, 1, head_size]
		if d.m.backendName == gobackend.BackendName {
			options := &compute.ScaledDotProductAttentionConfig{
				QuerySeqLen:    InternalBackendOutputs(queries)[0],
				KeyValueSeqLen: InternalBackendOutputs(written)[0],
			}
			context = fusedAttention(q, keys, values, compute.AttentionAxesLayoutBHSD, options, decomposed)
		} else {
			// XLA's fused attention (cuDNN's, in 16 bits) is for queries
			// as long as the keys; this one query is not.
			context = decomposed()
		}
		return TransposeAllAxes(context, 0, 2, 1, 3)
	}
	h := w.hiddenStates(ids, cos, sin, attend) // [batch, 1, hidden]
	blocks := w.vocabBlocks(Squeeze(h, 1))
	outputs := append(updated, blocksNormaliser(blocks))
	for _, b := range blocks {
		outputs = append(outputs, b.logits)
	}
	return outputs
}
