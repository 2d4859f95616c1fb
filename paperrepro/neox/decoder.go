package neox

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// Decoder feeds a batch of independent token streams one token at a time,
// keeping each layer's keys and values in a cache, and returns each stream's
// next-token distribution. The cache has a fixed length (maxLen), so one
// graph is compiled for all steps (and shared by decoders of the same shape).
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
	caches []*tensors.Tensor // per layer: keys [batch, heads, maxLen, head_size], values [batch, heads, head_size, maxLen]
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
	heads, headSize := m.cfg.NumAttentionHeads, m.cfg.HeadSize()
	for range m.cfg.NumHiddenLayers {
		// Zeros; masked out of attention until written.
		d.caches = append(d.caches,
			tensors.FromShape(shapes.Make(m.dtype, batch, heads, maxLen, headSize)),
			tensors.FromShape(shapes.Make(m.dtype, batch, heads, headSize, maxLen)))
	}
	return d, nil
}

// Next feeds ids[b] to stream b and returns, for each stream, the natural-log
// distribution (length vocab_size) of the token that follows.
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
	copy(d.caches, outputs[1:])
	d.pos++
	flat := tensors.MustCopyFlatData[float32](outputs[0])
	outputs[0].FinalizeAll()
	vocab := d.m.cfg.VocabSize
	out := make([][]float32, d.batch)
	for b := range out {
		out[b] = flat[b*vocab : (b+1)*vocab : (b+1)*vocab]
	}
	return out, nil
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
// caches, then the model params; outputs the log-probabilities [batch, vocab]
// followed by the updated caches.
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
	cfg := d.m.cfg
	batch, heads, headSize := d.batch, cfg.NumAttentionHeads, cfg.HeadSize()
	keyIndex := Iota(g, shapes.Make(dtypes.Int32, 1, 1, 1, d.maxLen), 3)
	visible := LessOrEqual(keyIndex, pos) // [1, 1, 1, maxLen]: keys 0..pos
	// Scatter indices of slot pos: (b, h, pos) for keys [batch, heads,
	// maxLen, head_size], (b, h, i, pos) for values [batch, heads, head_size, maxLen].
	slotIndices := func(dims ...int) *Node {
		shape := shapes.Make(dtypes.Int32, append(dims, 1)...)
		var columns []*Node
		for axis := range dims {
			columns = append(columns, Iota(g, shape, axis))
		}
		columns = append(columns, BroadcastToShape(Reshape(pos, ones(len(dims)+1)...), shape))
		n := 1
		for _, d := range dims {
			n *= d
		}
		return Reshape(Concatenate(columns, -1), n, len(dims)+1)
	}
	keySlots, valueSlots := slotIndices(batch, heads), slotIndices(batch, heads, headSize)
	updated := make([]*Node, numCaches)
	attend := func(layer int, q, k, v *Node) *Node {
		// Slot pos still holds the zeros the cache started with, so adding
		// the new key (value) writes it exactly; the pure-Go backend has
		// scatter-add but no dynamic-update-slice.
		keys := ScatterSum(caches[2*layer], keySlots, Reshape(k, batch*heads, headSize), true, true)
		values := ScatterSum(caches[2*layer+1], valueSlots, Reshape(v, batch*heads*headSize), true, true)
		updated[2*layer], updated[2*layer+1] = keys, values
		// The layouts keep every DotGeneral operand in the order
		// [batch axes, free axes, contracted axes], which the pure-Go backend
		// multiplies without first copying the cache into that order.
		q = Reshape(q, batch, heads, 1, headSize)
		scores := toFloat32(DotGeneral(q, []int{3}, []int{0, 1}, keys, []int{3}, []int{0, 1})) // [batch, heads, 1, maxLen]
		scores = MulScalar(scores, 1/sqrtFloat(headSize))
		probs := maskedSoftmax(scores, visible)
		if probs.DType() != values.DType() {
			probs = ConvertDType(probs, values.DType())
		}
		context := DotGeneral(probs, []int{3}, []int{0, 1}, values, []int{3}, []int{0, 1}) // [batch, heads, 1, head_size]
		return Reshape(context, batch, 1, heads, headSize)
	}
	h := w.hiddenStates(ids, cos, sin, attend) // [batch, 1, hidden]
	logp := logSoftmax64(w.outputLayer(Squeeze(h, 1)))
	return append([]*Node{logp}, updated...)
}

// ones returns n ones, the dimensions of a shape holding a single value.
func ones(n int) []int {
	dims := make([]int, n)
	for i := range dims {
		dims[i] = 1
	}
	return dims
}
