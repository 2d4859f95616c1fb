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
// next-token distribution. The cache starts at firstCapacity positions and
// doubles when full, up to maxLen (a copy and another compiled step at each
// size, shared by decoders of the same shape): fresh memory costs page
// faults, and 2048 positions of 64 streams are 1.6 GB for Pythia-70m
// where a text chunk needs a quarter. Each step writes its keys and values
// into the cache in place (DynamicUpdateSlice on donated buffers), and on
// the pure-Go backend the fused attention reads only the keys written so
// far, and none of a stream that has ended (fed EndedStream). The cache is
// this package's rather than GoMLX's ml/layers/attention/kvcache, which
// keeps its caches in model.Scope variables and needs this model's weights
// as model.Scope variables: the weights as parameters are simpler.
// BenchmarkDecoderPythia70mShape measures it.
//
// Determinism: the same token history with the same batch size and maxLen
// always gives bit-identical floats, whatever else runs concurrently (the
// lossless coder compresses and decompresses with it). Its floats agree with
// NextTokenLogProbs within 1e-4 (tested), but are not promised to be
// bit-identical to them.
type Decoder struct {
	m             *Model
	batch, maxLen int

	mu       sync.Mutex
	exec     *Exec // the step for caches of capacity positions
	capacity int
	pos      int               // tokens fed so far per stream
	ended    []bool            // streams fed EndedStream
	caches   []*tensors.Tensor // per layer: keys, values [batch, heads, capacity, head_size]
	// out holds the distributions Next returns, [batch, vocab], reused from
	// step to step: fresh memory for them every step cost more in page
	// faults than the copy.
	out []float32
}

// EndedStream, fed to a stream in place of a token, ends it: from then on
// it must be fed EndedStream, the step skips its attention, and Next
// returns nil for it. The lossless coder ends each stream whose chunk is
// coded while the others go on.
const EndedStream = -1

// firstCapacity is a new decoder's cache length, at most maxLen; it doubles
// when full.
const firstCapacity = 256

// NewDecoder starts batch empty streams that can each take up to maxLen
// tokens (at most max_position_embeddings).
func (m *Model) NewDecoder(batch, maxLen int) (*Decoder, error) {
	return m.newDecoder(batch, maxLen, firstCapacity)
}

// newDecoder is NewDecoder with caches of capacity positions at first.
func (m *Model) newDecoder(batch, maxLen, capacity int) (_ *Decoder, err error) {
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
	d := &Decoder{m: m, batch: batch, maxLen: maxLen, capacity: min(capacity, maxLen), ended: make([]bool, batch)}
	if d.exec, err = m.decoderStep(batch, d.capacity); err != nil {
		return nil, fmt.Errorf("NewDecoder: %w", err)
	}
	if d.caches, err = m.zeroCaches(batch, d.capacity); err != nil {
		return nil, fmt.Errorf("NewDecoder: %w", err)
	}
	return d, nil
}

// zeroCaches makes a decoder's 2 x layers caches [batch, heads, capacity,
// head_size], zeros, on the backend: broadcast there from a scalar rather
// than copied from the host, each a buffer of its own, as the step updates
// them in place.
func (m *Model) zeroCaches(batch, capacity int) (_ []*tensors.Tensor, err error) {
	dims := []int{batch, m.cfg.NumAttentionHeads, capacity, m.cfg.HeadSize()}
	exec, err := m.decoderExec(decoderGraph{"zeros", batch, capacity, capacity}, func() (*Exec, error) {
		return NewExec(m.backend, func(zero *Node) *Node { return BroadcastToDims(zero, dims...) })
	})
	if err != nil {
		return nil, err
	}
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
		switch {
		case d.ended[b] && id != EndedStream:
			return nil, fmt.Errorf("Decoder.Next: stream %d has ended, but is fed token id %d", b, id)
		case id != EndedStream && (id < 0 || id >= d.m.cfg.VocabSize):
			return nil, fmt.Errorf("Decoder.Next: stream %d: token id %d outside the vocabulary [0, %d)", b, id, d.m.cfg.VocabSize)
		}
		flatIDs[b] = int32(id)
	}
	for b, id := range ids {
		d.ended[b] = id == EndedStream
	}
	if d.pos == d.capacity {
		if err := d.grow(); err != nil {
			d.close()
			return nil, fmt.Errorf("Decoder.Next: %w", err)
		}
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
		if !d.ended[b] {
			out[b] = d.out[b*vocab : (b+1)*vocab : (b+1)*vocab]
		}
	}
	return out, nil
}

// grow doubles the caches' capacity (up to maxLen), their written keys and
// values copied to the new caches' first positions.
func (d *Decoder) grow() error {
	capacity := min(2*d.capacity, d.maxLen)
	exec, err := d.m.decoderStep(d.batch, capacity)
	if err != nil {
		return err
	}
	pad, err := d.m.cacheGrowth(d.batch, d.capacity, capacity)
	if err != nil {
		return err
	}
	for i, c := range d.caches {
		grown, err := pad.Exec1(c)
		if err != nil {
			return fmt.Errorf("growing the cache to %d positions: %w", capacity, err)
		}
		c.FinalizeAll()
		d.caches[i] = grown
	}
	d.exec, d.capacity = exec, capacity
	return nil
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
				if d.ended[b] {
					continue
				}
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
// caches of capacity positions, compiling it on first use: decoders of the
// same shape share it.
func (m *Model) decoderStep(batch, capacity int) (*Exec, error) {
	shape := decoderShape{m: m, batch: batch, capacity: capacity}
	return m.decoderExec(decoderGraph{"step", batch, capacity, capacity}, func() (*Exec, error) {
		return NewExec(m.backend, shape.stepGraph)
	})
}

// cacheGrowth returns the compiled graph that copies a cache of batch
// streams from capacity from to to positions, zeros after the copy.
func (m *Model) cacheGrowth(batch, from, to int) (*Exec, error) {
	return m.decoderExec(decoderGraph{"growth", batch, from, to}, func() (*Exec, error) {
		return NewExec(m.backend, func(cache *Node) *Node {
			return Pad(cache, ScalarZero(cache.Graph(), cache.DType()), compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{End: to - from}, compute.PadAxis{})
		})
	})
}

// decoderGraph names one of the decoders' compiled graphs.
type decoderGraph struct {
	kind            string // "step", "growth" or "zeros"
	batch, from, to int    // cache positions, the same for a step
}

// decoderExec returns the decoders' graph named key, made by build on first
// use.
func (m *Model) decoderExec(key decoderGraph, build func() (*Exec, error)) (*Exec, error) {
	m.stepsMu.Lock()
	defer m.stepsMu.Unlock()
	if m.closed.Load() { // Close ran since NewDecoder checked
		return nil, errors.New("NewDecoder: model is closed")
	}
	if e, ok := m.steps[key]; ok {
		return e, nil
	}
	e, err := build()
	if err != nil {
		return nil, err
	}
	if m.steps == nil {
		m.steps = map[decoderGraph]*Exec{}
	}
	m.steps[key] = e
	return e, nil
}

// decoderShape is what the step graph depends on besides its inputs.
type decoderShape struct {
	m               *Model
	batch, capacity int
}

// stepGraph: inputs ids [batch] int32 (EndedStream for an ended stream),
// pos (scalar int32), the 2 x layers caches, then the model params; outputs
// the updated caches, the log-normalisers [batch] (float64) and the logits
// [batch, words] (float32) of each vocabulary block (see Decoder.logProbs).
func (d decoderShape) stepGraph(inputs []*Node) []*Node {
	g := inputs[0].Graph()
	zero := ScalarZero(g, dtypes.Int32)
	live := GreaterOrEqual(inputs[0], zero) // [batch]
	ids, pos := InsertAxes(Max(inputs[0], zero), -1), inputs[1]
	numCaches := 2 * d.m.cfg.NumHiddenLayers
	caches := inputs[2 : 2+numCaches]
	w := d.m.weightsOf(inputs[2+numCaches:])
	var cos, sin *Node
	if w.rotaryCos != nil {
		row := Reshape(pos, 1, 1)
		cos, sin = Gather(w.rotaryCos, row), Gather(w.rotarySin, row) // [1, rotary_dims]
	}
	// Keys 0..pos are written: the fused attention reads only those (none
	// of an ended stream), the decomposed one masks the rest (still zeros)
	// out.
	written := Where(live, BroadcastToDims(OnePlus(pos), d.batch), BroadcastToDims(zero, d.batch))
	queries := Ones(g, shapes.Make(dtypes.Int32, d.batch))
	visible := LessOrEqual(Iota(g, shapes.Make(dtypes.Int32, 1, 1, 1, d.capacity), 3), pos) // [1, 1, 1, capacity]
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
