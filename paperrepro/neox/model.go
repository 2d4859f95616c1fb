package neox

import (
	"math"
	"slices"
	"strconv"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified, as in GoMLX's own examples.
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"
)

// The GPT-NeoX forward pass as GoMLX graph functions, readable top to bottom
// beside the Hugging Face config keys and checkpoint tensor names:
//
//	embed_in -> num_hidden_layers x block -> final_layer_norm -> embed_out -> log-normaliser
//	block(x) = x + attention(input_layernorm(x)) + mlp(post_attention_layernorm(x))   use_parallel_residual
//	block(x) = h + mlp(post_attention_layernorm(h)), h = x + attention(input_layernorm(x))   otherwise
//
// Activations have the weights' dtype, float32 unless the model was loaded
// with another compute dtype (Options.DType); layer norms and attention
// softmaxes run in float32 whatever it is, as in transformers, and the
// log-normalisers' sums in float64 (blocksNormaliser). The layer norms,
// dense layers, GELU and causal attention are GoMLX's, which run the
// backend's fused kernels where it has them (the pure-Go backend: all four
// in float32) and their plain graph forms elsewhere. The weights arrive as
// graph parameters (Model.weightsOf).

// graphWeights are the model weights as nodes of one graph: by checkpoint
// name, the rotary tables [positions, rotary_dims] (nil when no dimension
// rotates), and embed_out in the row blocks it is held in (see
// outputLayerBlocks; none when the embeddings are tied).
type graphWeights struct {
	cfg                  Config
	nodes                map[string]*Node
	rotaryCos, rotarySin *Node
	outputBlocks         []*Node
	outputRows           int // see outputRows
}

func (w graphWeights) get(name string) *Node { return w.nodes[name] }

// layerName is the checkpoint prefix of transformer layer i.
func layerName(i int, suffix string) string {
	return "gpt_neox.layers." + strconv.Itoa(i) + "." + suffix
}

// fullPass runs the causal forward pass on ids [batch, seq] and returns the
// final hidden states [batch, seq, hidden_size].
func (w graphWeights) fullPass(ids *Node) *Node {
	cos, sin := w.rotaryRows(ids.Shape().Dimensions[1])
	return w.hiddenStates(ids, cos, sin, func(_ int, q, k, v *Node) *Node { return causalAttention(q, k, v) })
}

// rotaryRows returns cos and sin [seq, rotary_dims] for positions 0..seq-1,
// or nils when no dimensions rotate.
func (w graphWeights) rotaryRows(seq int) (cos, sin *Node) {
	if w.rotaryCos == nil {
		return nil, nil
	}
	rows := AxisRange(0, seq)
	return Slice(w.rotaryCos, rows), Slice(w.rotarySin, rows)
}

// attendFn computes the attention context [batch, seq, heads, head_size] of
// queries and keys/values [batch, seq, heads, head_size] (rotary already
// applied) for layer. The full pass attends causally within the sequence; the
// decoder appends to its key/value cache first.
type attendFn func(layer int, q, k, v *Node) *Node

// hiddenStates runs embed_in, the layers and final_layer_norm on ids
// [batch, seq] (int32), with cos, sin [seq, rotary_dims] the rotary tables of
// the positions, and returns [batch, seq, hidden_size].
func (w graphWeights) hiddenStates(ids, cos, sin *Node, attend attendFn) *Node {
	x := Gather(w.get(embedInName), InsertAxes(ids, -1))
	for i := range w.cfg.NumHiddenLayers {
		x = w.block(i, x, cos, sin, attend)
	}
	return w.finalNorm(x)
}

// finalNorm is final_layer_norm, applied after the last layer.
func (w graphWeights) finalNorm(x *Node) *Node {
	return w.layerNorm(x, "gpt_neox.final_layer_norm")
}

// block is one transformer layer with parallel or sequential residual.
func (w graphWeights) block(i int, x, cos, sin *Node, attend attendFn) *Node {
	attn := w.attention(i, w.layerNorm(x, layerName(i, "input_layernorm")), cos, sin, attend)
	if w.cfg.UseParallelResidual {
		mlp := w.mlp(i, w.layerNorm(x, layerName(i, "post_attention_layernorm")))
		return Add(Add(x, attn), mlp)
	}
	x = Add(x, attn)
	return Add(x, w.mlp(i, w.layerNorm(x, layerName(i, "post_attention_layernorm"))))
}

// attention is GPT-NeoX self-attention: the fused query_key_value projection,
// whose output features are laid out [heads, 3, head_size], rotary position
// embedding on the first rotary_dims of each head, scaled dot-product
// attention and the dense output projection.
func (w graphWeights) attention(i int, x, cos, sin *Node, attend attendFn) *Node {
	cfg := w.cfg
	batch, seq := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	heads, headSize := cfg.NumAttentionHeads, cfg.HeadSize()
	qkv := w.linear(x, layerName(i, "attention.query_key_value"), activation.TypeNone)
	qkv = Reshape(qkv, batch, seq, heads, 3, headSize)
	q := Squeeze(SliceAxis(qkv, 3, AxisElem(0)), 3)
	k := Squeeze(SliceAxis(qkv, 3, AxisElem(1)), 3)
	v := Squeeze(SliceAxis(qkv, 3, AxisElem(2)), 3)
	q, k = rotary(q, cos, sin), rotary(k, cos, sin)
	context := attend(i, q, k, v)
	return w.linear(Reshape(context, batch, seq, cfg.HiddenSize), layerName(i, "attention.dense"), activation.TypeNone)
}

// rotary applies rotate-half rotary position embedding to the first
// rotary_dims features of each head of x [batch, seq, heads, head_size];
// cos and sin are [seq, rotary_dims], nil when rotary_pct gives no dimension.
func rotary(x, cos, sin *Node) *Node {
	if cos == nil {
		return x
	}
	rotaryDims := cos.Shape().Dimensions[1]
	headSize := x.Shape().Dimensions[3]
	rot := SliceAxis(x, 3, AxisRange(0, rotaryDims))
	half := rotaryDims / 2
	rotated := Concatenate([]*Node{
		Neg(SliceAxis(rot, 3, AxisRange(half, rotaryDims))),
		SliceAxis(rot, 3, AxisRange(0, half)),
	}, 3)
	// Tables [seq, rotary_dims] broadcast over batch and heads: [1, seq, 1, rotary_dims].
	cos4 := InsertAxes(InsertAxes(cos, 1), 0)
	sin4 := InsertAxes(InsertAxes(sin, 1), 0)
	rot = Add(Mul(rot, cos4), Mul(rotated, sin4))
	if rotaryDims == headSize {
		return rot
	}
	return Concatenate([]*Node{rot, SliceAxis(x, 3, AxisRange(rotaryDims, headSize))}, 3)
}

// causalAttention attends each query position of q, k, v [batch, seq,
// heads, head_size] to itself and the positions before it. Padding sits
// after the real tokens, so the causal mask already keeps it out of every
// real position's context. Where the backend has fused attention for the
// dtype (the pure-Go backend in float32, XLA's CUDA plugin in 16 bits with
// cuDNN), it runs that; elsewhere attentionDecomposed.
func causalAttention(q, k, v *Node) *Node {
	return fusedAttention(q, k, v, compute.AttentionAxesLayoutBSHD, &compute.ScaledDotProductAttentionConfig{Causal: true},
		func() *Node {
			seq := q.Shape().Dimensions[1]
			allowed := Reshape(LowerTriangular(q.Graph(), seq), 1, 1, seq, seq)
			return attentionDecomposed(q, k, v, allowed)
		})
}

// fusedAttention is the backend's fused scaled dot-product attention of q,
// k, v in layout with options, or decomposed() where the backend has none
// for them.
func fusedAttention(q, k, v *Node, layout compute.AttentionAxesLayout, options *compute.ScaledDotProductAttentionConfig, decomposed func() *Node) *Node {
	out, _ := InternalFusedOpCaller(func() *Node {
		out, _ := BackendFusedScaledDotProductAttention(q, k, v, layout, options)
		return out
	}, decomposed, true)
	return out
}

// attentionDecomposed is scaled dot-product attention of q [batch, seq,
// heads, head_size] over keys and values k, v [batch, keys, heads,
// head_size] where allowed (broadcast to [batch, heads, seq, keys]) is
// true, returned as [batch, seq, heads, head_size]. The scores and the
// softmax run in float32 whatever the dtype of q and k, as in transformers;
// keys not allowed get weight exactly zero, as with the reference's
// finfo.min fill.
func attentionDecomposed(q, k, v, allowed *Node) *Node {
	scores := toFloat32(DotGeneral(q, []int{3}, []int{0, 2}, k, []int{3}, []int{0, 2})) // [batch, heads, seq, keys]
	scores = MulScalar(scores, 1/math.Sqrt(float64(q.Shape().Dimensions[3])))
	allowed = BroadcastToShape(allowed, shapes.Make(dtypes.Bool, scores.Shape().Dimensions...))
	probs := MaskedSoftmax(scores, allowed, -1)
	if probs.DType() != v.DType() {
		probs = ConvertDType(probs, v.DType())
	}
	context := DotGeneral(probs, []int{3}, []int{0, 1}, v, []int{1}, []int{0, 2}) // [batch, heads, seq, head_size]
	return TransposeAllAxes(context, 0, 2, 1, 3)
}

// toFloat32 converts x to float32 unless it is already.
func toFloat32(x *Node) *Node {
	if x.DType() == dtypes.Float32 {
		return x
	}
	return ConvertDType(x, dtypes.Float32)
}

// mlp is dense_h_to_4h -> hidden_act -> dense_4h_to_h.
func (w graphWeights) mlp(i int, x *Node) *Node {
	h := w.linear(x, layerName(i, "mlp.dense_h_to_4h"), activations[w.cfg.HiddenAct])
	return w.linear(h, layerName(i, "mlp.dense_4h_to_h"), activation.TypeNone)
}

// activations are the supported hidden_act values: exact GELU (PyTorch's
// default) and its tanh approximation, as GoMLX computes them.
var activations = map[string]activation.Type{
	"gelu":              activation.TypeGelu,
	"gelu_new":          activation.TypeGeluApprox,
	"gelu_fast":         activation.TypeGeluApprox,
	"gelu_pytorch_tanh": activation.TypeGeluApprox,
}

// layerNorm normalises the last axis to zero mean and unit (biased) variance,
// then scales by name.weight and shifts by name.bias; in float32, and
// rounded back to x's dtype. GoMLX's nn.LayerNorm runs the backend's fused
// layer norm where it has one.
func (w graphWeights) layerNorm(x *Node, name string) *Node {
	y := nn.LayerNorm(toFloat32(x), []int{x.Rank() - 1}, w.cfg.LayerNormEps,
		toFloat32(w.get(name+".weight")), toFloat32(w.get(name+".bias")), nil)
	if y.DType() != x.DType() {
		y = ConvertDType(y, x.DType())
	}
	return y
}

// linear is act(x @ W^T + name.bias) for the checkpoint's name.weight W
// [out, in], held transposed ([in, out], see heldWeight); the bias is absent
// when attention_bias is false. GoMLX's nn.Dense runs the backend's fused
// dense layer (bias and activation applied as the product is written) where
// it has one.
func (w graphWeights) linear(x *Node, name string, act activation.Type) *Node {
	return byFourRows(x, func(x *Node) *Node {
		return nn.Dense(x, w.get(name+".weight"), w.get(name+".bias"), compute.DenseLayoutInputOutputs, act)
	})
}

// byFourRows applies product, a row-wise function of x [..., in] (a
// matrix product), with x's rows padded by zeros to a multiple of four, and
// returns its rows for x's. The pure-Go backend multiplies small matrices
// four rows at a time and the rows left over one column at a time, ten
// times slower for a decoder step of one stream than for four; padding
// costs the rows' zeros. A forward pass's rows are a multiple of 32 already.
func byFourRows(x *Node, product func(x *Node) *Node) *Node {
	dims := x.Shape().Dimensions
	rows := x.Shape().Size() / dims[len(dims)-1]
	extra := (4 - rows%4) % 4
	if extra == 0 {
		return product(x)
	}
	flat := Reshape(x, rows, dims[len(dims)-1])
	y := product(Pad(flat, ScalarZero(x.Graph(), x.DType()), compute.PadAxis{End: extra}, compute.PadAxis{}))
	y = Slice(y, AxisRange(0, rows))
	return Reshape(y, append(slices.Clone(dims[:len(dims)-1]), y.Shape().Dimensions[1])...)
}

// heldWeight returns the shape a checkpoint tensor is held in on the
// backend and the fill that reads it so: the linear layers' weights, [out,
// in] in the checkpoint, are held transposed, [in, out], as the right
// operand x @ W of their products. That is the layout the pure-Go backend
// packs with its SIMD copy; [out, in] it transposes element by element on
// every call, which took over half of a decoder step (its few rows do
// little arithmetic per weight read). The products are the same sums in
// the same order: the floats do not change.
func heldWeight(ckpt checkpoint, spec weightSpec) ([]int, func(dst []float32) error) {
	read := func(dst []float32) error { return ckpt.ReadFloat32(spec.Name, dst) }
	if len(spec.Shape) != 2 || spec.Name == embedInName {
		return spec.Shape, read
	}
	out, in := spec.Shape[0], spec.Shape[1]
	return []int{in, out}, func(dst []float32) error {
		stored := make([]float32, out*in)
		if err := read(stored); err != nil {
			return err
		}
		transpose(dst, stored, out, in)
		return nil
	}
}

// heldOutputBlock returns the shape and fill of embed_out's words
// block.start..block.end-1 from all of it ([vocab, hidden]), held
// transposed ([hidden, words]) as the linear layers' weights are.
func heldOutputBlock(all []float32, hidden int, block span) ([]int, func(dst []float32) error) {
	words := block.end - block.start
	return []int{hidden, words}, func(dst []float32) error {
		transpose(dst, all[block.start*hidden:block.end*hidden], words, hidden)
		return nil
	}
}

// transpose writes src [rows, cols] into dst as [cols, rows], in tiles
// that stay in cache.
func transpose(dst, src []float32, rows, cols int) {
	const tile = 64
	for r0 := 0; r0 < rows; r0 += tile {
		for c0 := 0; c0 < cols; c0 += tile {
			for r := r0; r < min(r0+tile, rows); r++ {
				for c := c0; c < min(c0+tile, cols); c++ {
					dst[c*rows+r] = src[r*cols+c]
				}
			}
		}
	}
}

// embedInName is embed_in's name in the checkpoint: held as stored, since
// the embedding looks its rows up.
const embedInName = "gpt_neox.embed_in.weight"

// vocabBlock is the logits [rows, words] (float32) of the words
// start..start+words-1 of the vocabulary.
type vocabBlock struct {
	start  int
	logits *Node
}

// vocabBlocks applies embed_out to hidden states h [rows, hidden_size], one
// block of words at a time as embed_out is held (see outputLayerBlocks);
// tied embeddings use embed_in, as one block.
func (w graphWeights) vocabBlocks(h *Node) []vocabBlock {
	product := func(weights *Node) *Node { // weights [hidden, words]
		return toFloat32(byFourRows(h, func(h *Node) *Node { return DotGeneral(h, []int{h.Rank() - 1}, nil, weights, []int{0}, nil) }))
	}
	if w.cfg.TieWordEmbeddings { // embed_in [vocab, hidden], transposed as embed_out is held
		return []vocabBlock{{0, product(Transpose(w.get(embedInName), 0, 1))}}
	}
	blocks := make([]vocabBlock, len(w.outputBlocks))
	start := 0
	for i, weights := range w.outputBlocks {
		blocks[i] = vocabBlock{start, product(weights)}
		start += weights.Shape().Dimensions[1]
	}
	return blocks
}

// outputLayer is the logits [rows, vocab_size] (float32) of hidden states h
// [rows, hidden_size]: vocabBlocks concatenated.
func (w graphWeights) outputLayer(h *Node) *Node {
	return concatenateBlocks(w.vocabBlocks(h), func(b vocabBlock) *Node { return b.logits })
}

// concatenateBlocks concatenates part(b) of every block along the vocabulary.
func concatenateBlocks(blocks []vocabBlock, part func(vocabBlock) *Node) *Node {
	parts := make([]*Node, len(blocks))
	for i, b := range blocks {
		parts[i] = part(b)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, -1)
}

// blocksNormaliser is log sum_v exp(logit[r, v]) over the words of all
// blocks, [rows] in float64, computed without putting the blocks together:
// each block's max m_j and sum s_j = sum exp(logit - m_j), then log sum_j
// s_j exp(m_j - M) + M with M the largest m_j. The exponentials are float32
// (each within an ulp or two, about 1e-7 relative, so the sum is too), and
// the sums run in float64 beyond groups of at most 64 words (expSum64): a
// float32 sum over Pythia's 50,304 words comes out low by about 5e-5
// (relative), biasing every token's bits; float64 over every word costs a
// conversion of every logit, which took a quarter of the pure-Go forward
// pass. TestNormaliserAgainstFloat64 bounds the difference from the
// all-float64 sum.
func blocksNormaliser(blocks []vocabBlock) *Node {
	tops := make([]*Node, len(blocks))
	sums := make([]*Node, len(blocks))
	for i, b := range blocks {
		top := ReduceAndKeep(b.logits, ReduceMax, -1)
		sums[i] = expSum64(Exp(Sub(b.logits, top)))
		tops[i] = ConvertDType(Squeeze(top, -1), dtypes.Float64)
	}
	top := tops[0]
	for _, t := range tops[1:] {
		top = Max(top, t)
	}
	var total *Node
	for i, s := range sums {
		if len(sums) > 1 {
			s = Mul(s, Exp(Sub(tops[i], top)))
		}
		if total == nil {
			total = s
		} else {
			total = Add(total, s)
		}
	}
	return Add(Log(total), top)
}

// expSum64 sums weights [rows, n] (float32, non-negative) over each row into
// [rows] float64: in float32 within groups of up to 64 neighbours (at most
// about 1e-7 relative error each), then in float64 across the groups.
func expSum64(weights *Node) *Node {
	rows, n := weights.Shape().Dimensions[0], weights.Shape().Dimensions[1]
	group := 64
	for n%group != 0 {
		group /= 2
	}
	partial := ReduceSum(Reshape(weights, rows, n/group, group), -1)
	return ReduceSum(ConvertDType(partial, dtypes.Float64), -1)
}

// targetLogit gathers logit[r, targets[r]] ([rows] float32) from the blocks,
// for targets [rows] int32 within the vocabulary.
func targetLogit(blocks []vocabBlock, targets *Node) *Node {
	var out *Node
	for _, b := range blocks {
		rows, words := b.logits.Shape().Dimensions[0], b.logits.Shape().Dimensions[1]
		g := targets.Graph()
		local := Sub(targets, Scalar(g, dtypes.Int32, b.start))
		inBlock := LogicalAnd(GreaterOrEqual(local, ScalarZero(g, dtypes.Int32)), LessThan(local, Scalar(g, dtypes.Int32, words)))
		local = MinScalar(MaxScalar(local, 0), words-1)
		flat := Add(MulScalar(Iota(g, shapes.Make(dtypes.Int32, rows), 0), words), local)
		logit := Gather(Reshape(b.logits, rows*words), InsertAxes(flat, -1))
		if out == nil {
			out = logit
		} else {
			out = Where(inBlock, logit, out)
		}
	}
	return out
}

// logNormaliser is blocksNormaliser of logits [rows, vocab] held as one block.
func logNormaliser(logits *Node) *Node {
	return blocksNormaliser([]vocabBlock{{0, logits}})
}

// blocksLogSoftmax is the log-softmax [rows, vocab] (float32) of the
// blocks' logits: each logit less the float64 log-normaliser
// (blocksNormaliser), rounded to float32 once.
func blocksLogSoftmax(blocks []vocabBlock) *Node {
	norm := InsertAxes(blocksNormaliser(blocks), -1)
	return concatenateBlocks(blocks, func(b vocabBlock) *Node {
		return ConvertDType(Sub(ConvertDType(b.logits, dtypes.Float64), norm), dtypes.Float32)
	})
}

// rotaryTables returns cos and sin [positions, rotary_dims] for positions
// 0..positions-1, computed in float64 and rounded to float32 like the
// reference: angle(t, j) = t / base^(2(j mod rotary_dims/2) / rotary_dims).
func rotaryTables(cfg Config, positions int) (cos, sin []float32) {
	dims := cfg.RotaryDims()
	cos = make([]float32, positions*dims)
	sin = make([]float32, positions*dims)
	half := dims / 2
	for t := range positions {
		for j := range dims {
			invFreq := 1 / math.Pow(cfg.RotaryEmbBase, float64(2*(j%half))/float64(dims))
			angle := float64(t) * invFreq
			cos[t*dims+j] = float32(math.Cos(angle))
			sin[t*dims+j] = float32(math.Sin(angle))
		}
	}
	return cos, sin
}
