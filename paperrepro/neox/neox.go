package neox

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// Model is a loaded GPT-NeoX checkpoint ready to score token sequences. Its
// methods are safe for concurrent use.
type Model struct {
	cfg         Config
	backend     backends.Backend
	backendName string

	// params are the graph's constant inputs, in the order of paramNames:
	// the checkpoint weights (weightSpecs) and the rotary cos/sin tables.
	params     []*tensors.Tensor
	paramNames []string

	bitsExec, logProbsExec *Exec

	stepsMu sync.Mutex
	steps   map[[2]int]*Exec // compiled decoder steps by (batch, maxLen)

	closeOnce sync.Once
}

// Rotary tables are graph parameters named like weights.
const (
	rotaryCosName = "rotary.cos"
	rotarySinName = "rotary.sin"
)

// Load reads a Hugging Face GPT-NeoX checkpoint folder: config.json plus
// model.safetensors, a sharded model.safetensors.index.json, or
// pytorch_model.bin. Weights stored as F32, F16 or BF16 become float32.
func Load(dir string) (_ *Model, err error) {
	defer panics.Recover(&err, "loading %s", dir)
	cfg, err := ReadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	ckpt, err := openCheckpoint(dir)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	defer func() { _ = ckpt.Close() }()
	choice, err := sharedBackend()
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	m, err := newModel(cfg, choice, ckpt)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	return m, nil
}

// newModel checks ckpt against cfg and moves its weights onto the backend one
// tensor at a time, converting straight into the backend's buffer where the
// backend shares memory with Go, so loading holds one float32 copy at most.
func newModel(cfg Config, choice *backendChoice, ckpt checkpoint) (_ *Model, err error) {
	specs := weightSpecs(cfg)
	if err := checkTensors(ckpt, specs, cfg); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, backend: choice.backend, backendName: choice.name}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	for _, spec := range specs {
		if spec.Name == "embed_out.weight" {
			if err := m.addOutputBlocks(ckpt, spec); err != nil {
				return nil, err
			}
			continue
		}
		t, err := m.newTensor(spec.Shape, func(dst []float32) error { return ckpt.ReadFloat32(spec.Name, dst) })
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", spec.Name, err)
		}
		m.params = append(m.params, t)
		m.paramNames = append(m.paramNames, spec.Name)
	}
	if dims := cfg.RotaryDims(); dims > 0 {
		// Padded batches may run past max_position_embeddings up to the bucket end.
		positions := bucketLen(cfg.MaxPositionEmbeddings)
		cos, sin := rotaryTables(cfg, positions)
		for _, table := range []struct {
			name   string
			values []float32
		}{{rotaryCosName, cos}, {rotarySinName, sin}} {
			t, err := m.newTensor([]int{positions, dims}, func(dst []float32) error { copy(dst, table.values); return nil })
			if err != nil {
				return nil, fmt.Errorf("rotary table: %w", err)
			}
			m.params = append(m.params, t)
			m.paramNames = append(m.paramNames, table.name)
		}
	}
	// One graph is compiled per (batch, bucketed length); GoMLX's default cap
	// of 32 would turn the 33rd shape into an error.
	if m.bitsExec, err = NewExec(m.backend, m.tokenBitsGraph); err != nil {
		return nil, err
	}
	m.bitsExec.SetMaxCache(-1)
	if m.logProbsExec, err = NewExec(m.backend, m.logProbsGraph); err != nil {
		return nil, err
	}
	m.logProbsExec.SetMaxCache(-1)
	return m, nil
}

// addOutputBlocks adds embed_out as blocks of outputBlockRows words (see
// graphWeights.logits). The whole tensor is read once into a temporary
// buffer, so loading briefly holds embed_out twice.
func (m *Model) addOutputBlocks(ckpt checkpoint, spec weightSpec) error {
	vocab, hidden := spec.Shape[0], spec.Shape[1]
	all := make([]float32, vocab*hidden)
	if err := ckpt.ReadFloat32(spec.Name, all); err != nil {
		return fmt.Errorf("tensor %q: %w", spec.Name, err)
	}
	for i, name := range outputBlockNames(vocab) {
		start := i * outputBlockRows
		rows := min(outputBlockRows, vocab-start)
		t, err := m.newTensor([]int{rows, hidden}, func(dst []float32) error {
			copy(dst, all[start*hidden:(start+rows)*hidden])
			return nil
		})
		if err != nil {
			return fmt.Errorf("tensor %q: %w", spec.Name, err)
		}
		m.params = append(m.params, t)
		m.paramNames = append(m.paramNames, name)
	}
	return nil
}

// newTensor makes a float32 tensor of shape on the backend, filled by fill.
func (m *Model) newTensor(dims []int, fill func(dst []float32) error) (*tensors.Tensor, error) {
	shape := shapes.Make(dtypes.Float32, dims...)
	if m.backend.HasSharedBuffers() {
		buf, flat, err := m.backend.NewSharedBuffer(0, shape)
		if err != nil {
			return nil, err
		}
		if err := fill(flat.([]float32)); err != nil {
			_ = m.backend.BufferFinalize(buf)
			return nil, err
		}
		return tensors.FromBuffer(m.backend, buf)
	}
	t := tensors.FromShape(shape)
	var fillErr error
	tensors.MustMutableFlatData(t, func(flat []float32) { fillErr = fill(flat) })
	if fillErr != nil {
		return nil, fillErr
	}
	if err := t.MaterializeOnDevice(m.backend, false, 0); err != nil {
		return nil, err
	}
	t.FinalizeLocal()
	return t, nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Backend names the GoMLX backend running the model: "go" (pure Go) or
// "xla:<plugin>".
func (m *Model) Backend() string { return m.backendName }

// Close frees the model's weights and compiled graphs. It is safe to call twice.
func (m *Model) Close() {
	m.closeOnce.Do(func() {
		m.stepsMu.Lock()
		execs := []*Exec{m.bitsExec, m.logProbsExec}
		for _, e := range m.steps {
			execs = append(execs, e)
		}
		m.steps = nil
		m.stepsMu.Unlock()
		for _, e := range execs {
			if e != nil {
				e.Finalize()
			}
		}
		for _, t := range m.params {
			t.FinalizeAll()
		}
		m.params = nil
	})
}

// weightsOf maps the parameter nodes (in paramNames order) to their names.
func (m *Model) weightsOf(nodes []*Node) graphWeights {
	w := graphWeights{cfg: m.cfg, nodes: make(map[string]*Node, len(nodes))}
	for i, name := range m.paramNames {
		w.nodes[name] = nodes[i]
	}
	return w
}

// rotaryRows returns cos and sin [seq, rotary_dims] for positions 0..seq-1,
// or nils when no dimensions rotate.
func (w graphWeights) rotaryRows(seq int) (cos, sin *Node) {
	if w.nodes[rotaryCosName] == nil {
		return nil, nil
	}
	rows := AxisRange(0, seq)
	return Slice(w.nodes[rotaryCosName], rows), Slice(w.nodes[rotarySinName], rows)
}

// fullPass runs the causal forward pass on ids [batch, seq] and returns the
// final hidden states [batch, seq, hidden_size].
func (w graphWeights) fullPass(ids *Node) *Node {
	cos, sin := w.rotaryRows(ids.Shape().Dimensions[1])
	return w.hiddenStates(ids, cos, sin, func(_ int, q, k, v *Node) *Node { return causalAttention(q, k, v) })
}

// outputRowsPerChunk bounds the rows of the [rows, vocab] logits block that
// the output layer materialises at once (in float32 and float64).
const outputRowsPerChunk = 512

// byOutputChunks applies the output layer to hidden states h [rows, hidden]
// in blocks of outputRowsPerChunk rows: fn gets the block's logits [n, vocab]
// (float32) and its first row, and the blocks' results are concatenated.
func (w graphWeights) byOutputChunks(h *Node, fn func(logits *Node, start int) *Node) *Node {
	rows := h.Shape().Dimensions[0]
	var parts []*Node
	for start := 0; start < rows; start += outputRowsPerChunk {
		end := min(start+outputRowsPerChunk, rows)
		parts = append(parts, fn(w.logits(Slice(h, AxisRange(start, end))), start))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 0)
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

// tokenBitsGraph: inputs ids, targets [batch, seq] int32, then the params;
// output [batch, seq] float64, -ln p(targets[b,t] | ids[b,:t+1]). Of each
// logits block only the log-normaliser and the target's logit are kept.
func (m *Model) tokenBitsGraph(inputs []*Node) *Node {
	ids, targets := inputs[0], inputs[1]
	w := m.weightsOf(inputs[2:])
	batch, seq := ids.Shape().Dimensions[0], ids.Shape().Dimensions[1]
	h := Reshape(w.fullPass(ids), batch*seq, m.cfg.HiddenSize)
	targets = Reshape(targets, batch*seq)
	nll := w.byOutputChunks(h, func(logits *Node, start int) *Node {
		rows, vocab := logits.Shape().Dimensions[0], logits.Shape().Dimensions[1]
		flatIndex := Add(MulScalar(Iota(logits.Graph(), shapes.Make(dtypes.Int32, rows), 0), vocab), Slice(targets, AxisRange(start, start+rows)))
		target := Gather(Reshape(logits, rows*vocab), InsertAxes(flatIndex, -1))
		return Sub(logNormaliser(logits), ConvertDType(target, dtypes.Float64))
	})
	return Reshape(nll, batch, seq)
}

// logProbsGraph: input ids [batch, seq] int32, then the params; output
// [batch, seq, vocab] float32 natural-log next-token distributions
// (normalised in float64, see logNormaliser).
func (m *Model) logProbsGraph(inputs []*Node) *Node {
	w := m.weightsOf(inputs[1:])
	batch, seq := inputs[0].Shape().Dimensions[0], inputs[0].Shape().Dimensions[1]
	h := Reshape(w.fullPass(inputs[0]), batch*seq, m.cfg.HiddenSize)
	logp := w.byOutputChunks(h, logSoftmax64)
	return Reshape(logp, batch, seq, m.cfg.VocabSize)
}

// logSoftmax64 is the log-softmax of logits [rows, vocab] computed in
// float64 and rounded to float32; start is unused (byOutputChunks' signature).
func logSoftmax64(logits *Node, _ int) *Node {
	norm := InsertAxes(logNormaliser(logits), -1)
	return ConvertDType(Sub(ConvertDType(logits, dtypes.Float64), norm), dtypes.Float32)
}

// TokenBits returns out[b][t-1] = -log2 p(seqs[b][t] | seqs[b][:t]) for
// t = 1..len(seqs[b])-1: the ideal code length of each token after the first.
// Sequences may differ in length; they are padded at the end and batched.
func (m *Model) TokenBits(seqs [][]int) (_ [][]float64, err error) {
	defer panics.Recover(&err, "TokenBits")
	if err := m.checkSeqs(seqs); err != nil {
		return nil, err
	}
	out := make([][]float64, len(seqs))
	for _, group := range batchGroups(seqs) {
		ids, seq := padded(seqs[group.start:group.end], 0)
		targets, _ := padded(seqs[group.start:group.end], 1)
		batch := group.end - group.start
		nll, err := m.bitsExec.Exec1(append([]any{
			tensors.FromFlatDataAndDimensions(ids, batch, seq),
			tensors.FromFlatDataAndDimensions(targets, batch, seq),
		}, m.paramArgs()...)...)
		if err != nil {
			return nil, fmt.Errorf("TokenBits: %w", err)
		}
		flat := tensors.MustCopyFlatData[float64](nll)
		nll.FinalizeAll()
		for b := range batch {
			s := seqs[group.start+b]
			bits := make([]float64, len(s)-1)
			for t := range bits {
				bits[t] = flat[b*seq+t] / math.Ln2
			}
			out[group.start+b] = bits
		}
	}
	return out, nil
}

// NextTokenLogProbs returns out[b][t], the natural-log distribution (length
// vocab_size) of the token after seqs[b][:t+1], for every position t.
func (m *Model) NextTokenLogProbs(seqs [][]int) (_ [][][]float32, err error) {
	defer panics.Recover(&err, "NextTokenLogProbs")
	if err := m.checkSeqs(seqs); err != nil {
		return nil, err
	}
	vocab := m.cfg.VocabSize
	out := make([][][]float32, len(seqs))
	for _, group := range batchGroups(seqs) {
		ids, seq := padded(seqs[group.start:group.end], 0)
		batch := group.end - group.start
		logp, err := m.logProbsExec.Exec1(append([]any{tensors.FromFlatDataAndDimensions(ids, batch, seq)}, m.paramArgs()...)...)
		if err != nil {
			return nil, fmt.Errorf("NextTokenLogProbs: %w", err)
		}
		flat := tensors.MustCopyFlatData[float32](logp)
		logp.FinalizeAll()
		for b := range batch {
			n := len(seqs[group.start+b])
			dists := make([][]float32, n)
			for t := range n {
				start := (b*seq + t) * vocab
				dists[t] = flat[start : start+vocab : start+vocab]
			}
			out[group.start+b] = dists
		}
	}
	return out, nil
}

func (m *Model) paramArgs() []any {
	args := make([]any, len(m.params))
	for i, t := range m.params {
		args[i] = t
	}
	return args
}

// checkSeqs rejects what the forward pass cannot score: empty sequences,
// sequences longer than max_position_embeddings, ids outside the vocabulary.
func (m *Model) checkSeqs(seqs [][]int) error {
	if m.params == nil {
		return errors.New("model is closed")
	}
	for b, s := range seqs {
		if len(s) == 0 {
			return fmt.Errorf("sequence %d is empty", b)
		}
		if len(s) > m.cfg.MaxPositionEmbeddings {
			return fmt.Errorf("sequence %d has %d tokens, more than max_position_embeddings %d", b, len(s), m.cfg.MaxPositionEmbeddings)
		}
		for t, id := range s {
			if id < 0 || id >= m.cfg.VocabSize {
				return fmt.Errorf("sequence %d, position %d: token id %d outside the vocabulary [0, %d)", b, t, id, m.cfg.VocabSize)
			}
		}
	}
	return nil
}

// seqBucket is the granularity of padded lengths: one compiled graph serves
// every length in a bucket.
const seqBucket = 32

// maxTokensPerCall bounds batch x padded length of one graph execution, to
// bound activation memory (attention scores grow with its square).
const maxTokensPerCall = 4096

type span struct{ start, end int }

// batchGroups splits seqs into consecutive groups whose padded size stays
// within maxTokensPerCall (a longer sequence gets a group of its own).
func batchGroups(seqs [][]int) []span {
	var groups []span
	start, longest := 0, 0
	for i, s := range seqs {
		l := max(longest, bucketLen(len(s)))
		if i > start && l*(i-start+1) > maxTokensPerCall {
			groups = append(groups, span{start, i})
			start, l = i, bucketLen(len(s))
		}
		longest = l
	}
	if start < len(seqs) {
		groups = append(groups, span{start, len(seqs)})
	}
	return groups
}

func bucketLen(n int) int { return (n + seqBucket - 1) / seqBucket * seqBucket }

// padded lays seqs out as a [len(seqs), seq] int32 array, shifted left by
// shift positions (shift 1 gives each position's next token), with zeros
// after each sequence's end; seq is the bucketed longest length.
func padded(seqs [][]int, shift int) ([]int32, int) {
	longest := 0
	for _, s := range seqs {
		longest = max(longest, len(s))
	}
	seq := bucketLen(longest)
	flat := make([]int32, len(seqs)*seq)
	for b, s := range seqs {
		for t := shift; t < len(s); t++ {
			flat[b*seq+t-shift] = int32(s[t])
		}
	}
	return flat, seq
}
