package neox

import (
	"math"
	"strconv"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified, as in GoMLX's own examples.
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
// log-normalisers in float64. The weights arrive as graph parameters
// (Model.weightsOf).

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
	x := Gather(w.get("gpt_neox.embed_in.weight"), InsertAxes(ids, -1))
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
	qkv := w.linear(x, layerName(i, "attention.query_key_value"))
	qkv = Reshape(qkv, batch, seq, heads, 3, headSize)
	q := Squeeze(SliceAxis(qkv, 3, AxisElem(0)), 3)
	k := Squeeze(SliceAxis(qkv, 3, AxisElem(1)), 3)
	v := Squeeze(SliceAxis(qkv, 3, AxisElem(2)), 3)
	q, k = rotary(q, cos, sin), rotary(k, cos, sin)
	context := attend(i, q, k, v)
	return w.linear(Reshape(context, batch, seq, cfg.HiddenSize), layerName(i, "attention.dense"))
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

// causalAttention attends each query position to itself and the positions
// before it. Padding sits after the real tokens, so the causal mask already
// keeps it out of every real position's context.
func causalAttention(q, k, v *Node) *Node {
	seq := q.Shape().Dimensions[1]
	scores := attentionScores(q, k) // [batch, heads, seq(query), seq(key)]
	g := q.Graph()
	shape := shapes.Make(dtypes.Int32, 1, 1, seq, seq)
	allowed := GreaterOrEqual(Iota(g, shape, 2), Iota(g, shape, 3))
	return attentionContext(maskedSoftmax(scores, allowed), v)
}

// attentionScores is q.k / sqrt(head_size) for q [batch, seq, heads, head_size]
// and k [batch, keys, heads, head_size], shaped [batch, heads, seq, keys],
// in float32 whatever the dtype of q and k.
func attentionScores(q, k *Node) *Node {
	scores := toFloat32(DotGeneral(q, []int{3}, []int{0, 2}, k, []int{3}, []int{0, 2}))
	return MulScalar(scores, 1/sqrtFloat(q.Shape().Dimensions[3]))
}

// toFloat32 converts x to float32 unless it is already.
func toFloat32(x *Node) *Node {
	if x.DType() == dtypes.Float32 {
		return x
	}
	return ConvertDType(x, dtypes.Float32)
}

func sqrtFloat(n int) float64 { return math.Sqrt(float64(n)) }

// maskedSoftmax is the softmax over the last axis of scores where allowed
// (broadcast to the shape of scores) is true; disallowed keys get weight
// exactly zero, as with the reference's finfo.min fill.
func maskedSoftmax(scores, allowed *Node) *Node {
	allowed = BroadcastToShape(allowed, shapes.Make(dtypes.Bool, scores.Shape().Dimensions...))
	lowest := BroadcastToShape(Scalar(scores.Graph(), scores.DType(), -math.MaxFloat32), scores.Shape())
	scores = Where(allowed, scores, lowest)
	shifted := Sub(scores, ReduceAndKeep(scores, ReduceMax, -1))
	weights := Exp(shifted)
	return Div(weights, ReduceAndKeep(weights, ReduceSum, -1))
}

// attentionContext weights values v [batch, keys, heads, head_size] by
// probs [batch, heads, seq, keys] (float32, rounded to v's dtype) and
// returns [batch, seq, heads, head_size].
func attentionContext(probs, v *Node) *Node {
	if probs.DType() != v.DType() {
		probs = ConvertDType(probs, v.DType())
	}
	context := DotGeneral(probs, []int{3}, []int{0, 1}, v, []int{1}, []int{0, 2}) // [batch, heads, seq, head_size]
	return TransposeAllAxes(context, 0, 2, 1, 3)
}

// mlp is dense_h_to_4h -> hidden_act -> dense_4h_to_h.
func (w graphWeights) mlp(i int, x *Node) *Node {
	h := w.linear(x, layerName(i, "mlp.dense_h_to_4h"))
	h = activations[w.cfg.HiddenAct](h)
	return w.linear(h, layerName(i, "mlp.dense_4h_to_h"))
}

// activations are the supported hidden_act values.
var activations = map[string]func(x *Node) *Node{
	"gelu":              geluExact,
	"gelu_new":          geluTanh,
	"gelu_fast":         geluTanh,
	"gelu_pytorch_tanh": geluTanh,
}

// geluExact is x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default GELU.
func geluExact(x *Node) *Node {
	return Mul(MulScalar(x, 0.5), OnePlus(Erf(MulScalar(x, 1/math.Sqrt2))))
}

// geluTanh is the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
func geluTanh(x *Node) *Node {
	inner := MulScalar(Add(x, MulScalar(Mul(x, Square(x)), 0.044715)), math.Sqrt(2/math.Pi))
	return Mul(MulScalar(x, 0.5), OnePlus(Tanh(inner)))
}

// layerNorm normalises the last axis to zero mean and unit (biased) variance,
// then scales by name.weight and shifts by name.bias; in float32, and
// rounded back to x's dtype.
func (w graphWeights) layerNorm(x *Node, name string) *Node {
	xf := toFloat32(x)
	mean := ReduceAndKeep(xf, ReduceMean, -1)
	centred := Sub(xf, mean)
	variance := ReduceAndKeep(Square(centred), ReduceMean, -1)
	normed := Mul(centred, Rsqrt(AddScalar(variance, w.cfg.LayerNormEps)))
	y := Add(Mul(normed, ExpandLeftToRank(toFloat32(w.get(name+".weight")), x.Rank())), ExpandLeftToRank(toFloat32(w.get(name+".bias")), x.Rank()))
	if y.DType() != x.DType() {
		y = ConvertDType(y, x.DType())
	}
	return y
}

// linear is x @ name.weight^T + name.bias, with the weight kept in PyTorch's
// [out, in] layout; the bias is absent when attention_bias is false.
func (w graphWeights) linear(x *Node, name string) *Node {
	y := DotGeneral(x, []int{x.Rank() - 1}, nil, w.get(name+".weight"), []int{1}, nil)
	if b := w.get(name + ".bias"); b != nil {
		y = Add(y, ExpandLeftToRank(b, y.Rank()))
	}
	return y
}

// outputLayer is embed_out applied to hidden states [..., hidden_size]:
// the logits [..., vocab_size], float32. embed_out is held in row blocks (see
// outputLayerBlocks) whose products are concatenated; tied embeddings use
// embed_in.
func (w graphWeights) outputLayer(h *Node) *Node {
	if w.cfg.TieWordEmbeddings {
		return toFloat32(DotGeneral(h, []int{h.Rank() - 1}, nil, w.get("gpt_neox.embed_in.weight"), []int{1}, nil))
	}
	var parts []*Node
	for _, block := range w.outputBlocks {
		parts = append(parts, toFloat32(DotGeneral(h, []int{h.Rank() - 1}, nil, block, []int{1}, nil)))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, -1)
}

// logNormaliser is log sum_v exp(logits[r, v]) for logits [rows, vocab],
// [rows] in float64. The sum runs in float64, like the reference's
// log_softmax of float64 logits: a float32 sum over Pythia's 50,304 words
// comes out low by about 5e-5 (relative), biasing every token's bits.
func logNormaliser(logits *Node) *Node {
	top := ReduceAndKeep(logits, ReduceMax, -1)
	shifted := Sub(ConvertDType(logits, dtypes.Float64), ConvertDType(top, dtypes.Float64))
	return Add(Log(ReduceSum(Exp(shifted), -1)), ConvertDType(Squeeze(top, -1), dtypes.Float64))
}

// logSoftmax64 is the log-softmax of logits [rows, vocab], normalised in
// float64 (logNormaliser) and rounded to float32.
func logSoftmax64(logits *Node) *Node {
	norm := InsertAxes(logNormaliser(logits), -1)
	return ConvertDType(Sub(ConvertDType(logits, dtypes.Float64), norm), dtypes.Float32)
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
