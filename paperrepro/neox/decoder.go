package neox

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Decoder feeds a batch of independent token streams one token at a time,
// keeping each layer's keys and values in a cache, and returns each stream's
// next-token distribution. The cache has a fixed length (maxLen), so one
// graph is compiled for all steps.
//
// Determinism: the same token history with the same batch size always gives
// bit-identical floats (the lossless coder compresses and decompresses with
// it). Its floats agree with NextTokenLogProbs to about 1e-5, not bit for bit.
type Decoder struct {
	m             *Model
	batch, maxLen int
	exec          *Exec

	mu     sync.Mutex
	pos    int               // tokens fed so far per stream
	caches []*tensors.Tensor // per layer: keys, values [batch, heads, maxLen, head_size]
}

// NewDecoder starts batch empty streams that can each take up to maxLen
// tokens (at most max_position_embeddings).
func (m *Model) NewDecoder(batch, maxLen int) (_ *Decoder, err error) {
	defer recoverInto(&err, "NewDecoder")
	if m.params == nil {
		return nil, errors.New("NewDecoder: model is closed")
	}
	if batch <= 0 || maxLen <= 0 {
		return nil, fmt.Errorf("NewDecoder: batch %d and maxLen %d must be positive", batch, maxLen)
	}
	if maxLen > m.cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("NewDecoder: maxLen %d exceeds max_position_embeddings %d", maxLen, m.cfg.MaxPositionEmbeddings)
	}
	d := &Decoder{m: m, batch: batch, maxLen: maxLen}
	d.exec, err = NewExec(m.backend, d.stepGraph)
	if err != nil {
		return nil, fmt.Errorf("NewDecoder: %w", err)
	}
	cacheShape := shapes.Make(dtypes.Float32, batch, m.cfg.NumAttentionHeads, maxLen, m.cfg.HeadSize())
	for range 2 * m.cfg.NumHiddenLayers {
		d.caches = append(d.caches, tensors.FromShape(cacheShape)) // zeros; masked out until written
	}
	return d, nil
}

// Next feeds ids[b] to stream b and returns, for each stream, the natural-log
// distribution (length vocab_size) of the token that follows.
func (d *Decoder) Next(ids []int) (_ [][]float32, err error) {
	defer recoverInto(&err, "Decoder.Next")
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
	for _, c := range d.caches {
		args = append(args, c)
	}
	args = append(args, d.m.paramArgs()...)
	outputs, err := d.exec.Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("Decoder.Next: %w", err)
	}
	for i, c := range d.caches {
		c.FinalizeAll()
		d.caches[i] = outputs[1+i]
	}
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

// Close frees the caches and the compiled step. It is safe to call twice.
func (d *Decoder) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.exec != nil {
		d.exec.Finalize()
		d.exec = nil
	}
	for _, c := range d.caches {
		c.FinalizeAll()
	}
	d.caches = nil
}

// stepGraph: inputs ids [batch] int32, pos (scalar int32), the 2 x layers
// caches, then the model params; outputs the log-probabilities [batch, vocab]
// followed by the updated caches.
func (d *Decoder) stepGraph(inputs []*Node) []*Node {
	ids, pos := InsertAxes(inputs[0], -1), inputs[1]
	numCaches := 2 * d.m.cfg.NumHiddenLayers
	caches := inputs[2 : 2+numCaches]
	w := d.m.weightsOf(inputs[2+numCaches:])
	var cos, sin *Node
	if w.nodes[rotaryCosName] != nil {
		row := Reshape(pos, 1, 1)
		cos, sin = Gather(w.nodes[rotaryCosName], row), Gather(w.nodes[rotarySinName], row) // [1, rotary_dims]
	}
	g := pos.Graph()
	keyIndex := Iota(g, shapes.Make(dtypes.Int32, 1, 1, d.maxLen, 1), 2)
	isCurrent := Equal(keyIndex, pos)                                 // [1, 1, maxLen, 1]
	visible := Reshape(LessOrEqual(keyIndex, pos), 1, 1, 1, d.maxLen) // keys 0..pos
	updated := make([]*Node, numCaches)
	attend := func(layer int, q, k, v *Node) *Node {
		write := func(cache, x *Node) *Node {
			x = TransposeAllAxes(x, 0, 2, 1, 3) // [batch, heads, 1, head_size]
			mask := BroadcastToShape(isCurrent, shapes.Make(dtypes.Bool, cache.Shape().Dimensions...))
			return Where(mask, BroadcastToShape(x, cache.Shape()), cache)
		}
		keys, values := write(caches[2*layer], k), write(caches[2*layer+1], v)
		updated[2*layer], updated[2*layer+1] = keys, values
		scores := DotGeneral(q, []int{3}, []int{0, 2}, keys, []int{3}, []int{0, 1}) // [batch, heads, 1, maxLen]
		scores = MulScalar(scores, 1/sqrtFloat(d.m.cfg.HeadSize()))
		probs := maskedSoftmax(scores, visible)
		context := DotGeneral(probs, []int{3}, []int{0, 1}, values, []int{2}, []int{0, 1}) // [batch, heads, 1, head_size]
		return TransposeAllAxes(context, 0, 2, 1, 3)
	}
	h := w.hiddenStates(ids, cos, sin, attend) // [batch, 1, hidden]
	logp := LogSoftmax(w.logits(Squeeze(h, 1)), -1)
	return append([]*Node{logp}, updated...)
}
