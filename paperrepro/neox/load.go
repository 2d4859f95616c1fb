package neox

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// Model is a loaded GPT-NeoX checkpoint ready to score token sequences. Its
// methods are safe for concurrent use.
type Model struct {
	cfg         Config
	dtype       dtypes.DType // of the weights and activations
	backend     compute.Backend
	backendName string

	// The graph's constant inputs, passed to every execution in this order
	// (see weightsOf): the checkpoint's weights in weightSpecs order except
	// embed_out, by name in weightNames; the rotary cos and sin tables (none
	// when no dimension rotates); embed_out in the row blocks of outputBlocks.
	weights      []*tensors.Tensor
	weightNames  []string
	rotary       []*tensors.Tensor
	output       []*tensors.Tensor
	outputBlocks []span

	// free is the memory the backend had left once the weights were
	// loaded, which bounds the sequences per execution; 0 when unknown.
	free int64

	bitsExec *Exec

	logProbsMu   sync.Mutex
	logProbsExec *Exec // NextTokenLogProbs' graph, compiled on its first call

	stepsMu sync.Mutex
	steps   map[decoderGraph]*Exec // the decoders' compiled graphs

	closeOnce sync.Once
	closed    atomic.Bool
}

// Options are the settings of LoadWith; the zero value gives Load's defaults.
type Options struct {
	// DType is the compute dtype of the weights and activations, one of
	// ComputeDTypes: "float32" (the default when empty), "bfloat16" or
	// "float16". Layer norms and attention softmaxes still run in float32
	// and the log-normalisers in float64.
	DType string
}

// ComputeDTypes are the compute dtypes Options.DType accepts, by the names
// that the command line's -dtype flag and the result files use.
var ComputeDTypes = map[string]dtypes.DType{
	"float32":  dtypes.Float32,
	"bfloat16": dtypes.BFloat16,
	"float16":  dtypes.Float16,
}

// CheckDType returns the compute dtype named name ("" is float32), or an
// error listing the names there are.
func CheckDType(name string) (string, error) {
	if name == "" {
		return "float32", nil
	}
	if _, ok := ComputeDTypes[name]; !ok {
		return "", fmt.Errorf("unknown compute dtype %q: want float32, bfloat16 or float16", name)
	}
	return name, nil
}

// Load reads a Hugging Face GPT-NeoX checkpoint folder: config.json plus
// model.safetensors, model.safetensors.index.json with its shards,
// pytorch_model.bin, or pytorch_model.bin.index.json with its shards.
// Weights stored as F32, F16 or BF16 become float32.
func Load(dir string) (*Model, error) {
	return LoadWith(dir, Options{})
}

// LoadWith is Load with options: weights stored in any of F32, F16 or BF16
// are converted to the compute dtype.
func LoadWith(dir string, opts Options) (_ *Model, err error) {
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
	m, err := newModel(cfg, choice, ckpt, opts)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	return m, nil
}

// newModel checks ckpt against cfg and moves its weights onto the backend one
// tensor at a time, converting straight into the backend's buffer where the
// backend shares memory with Go, so loading holds one float32 copy at most
// (embed_out aside, see addOutputLayer).
func newModel(cfg Config, choice *backendChoice, ckpt checkpoint, opts Options) (_ *Model, err error) {
	dtypeName, err := CheckDType(opts.DType)
	if err != nil {
		return nil, err
	}
	dtype := ComputeDTypes[dtypeName]
	if !choice.backend.Capabilities().DTypes[dtype] {
		return nil, fmt.Errorf("backend %s cannot compute in %s: use another compute dtype (bfloat16 or float32 on the pure-Go backend) or an XLA backend", choice.name, dtypeName)
	}
	specs := weightSpecs(cfg)
	if err := checkTensors(ckpt, specs, cfg); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, dtype: dtype, backend: choice.backend, backendName: choice.name}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	for _, spec := range specs {
		if spec.Name == outputLayerName {
			if err := m.addOutputLayer(ckpt, spec); err != nil {
				return nil, err
			}
			continue
		}
		t, err := m.newTensor(heldWeight(ckpt, spec))
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", spec.Name, err)
		}
		m.weights = append(m.weights, t)
		m.weightNames = append(m.weightNames, spec.Name)
	}
	if dims := cfg.RotaryDims(); dims > 0 {
		// Padded batches may run past max_position_embeddings up to the bucket end.
		positions := bucketLen(cfg.MaxPositionEmbeddings)
		cos, sin := rotaryTables(cfg, positions)
		for _, table := range [][]float32{cos, sin} {
			t, err := m.newTensor([]int{positions, dims}, func(dst []float32) error { copy(dst, table); return nil })
			if err != nil {
				return nil, fmt.Errorf("rotary table: %w", err)
			}
			m.rotary = append(m.rotary, t)
		}
	}
	if mem, err := AvailableMemory(m.backendName); err == nil {
		m.free = mem.Bytes
		if onGPU(m.backendName) { // read before any weights were on the GPU
			m.free -= WeightBytes(cfg, m.DType())
		}
	}
	// One graph is compiled per (batch, bucketed length); GoMLX's default cap
	// of 32 would turn the 33rd shape into an error.
	if m.bitsExec, err = NewExec(m.backend, m.tokenBitsGraph); err != nil {
		return nil, err
	}
	m.bitsExec.SetMaxCache(-1)
	return m, nil
}

// outputLayerName is embed_out's name in the checkpoint.
const outputLayerName = "embed_out.weight"

// outputLayerBlocks decides how embed_out [vocab, hidden] is held: as row
// blocks of outputBlockRows words on GoMLX's pure-Go backend, as one block
// elsewhere. The blocks are a performance measure for the pure-Go backend
// alone: it copies both operands of a large matrix product into its blocked
// layout on every call but multiplies small ones in place, so with 4096-word
// blocks a decoder step for up to 4 streams stays small instead of
// re-copying all of embed_out (100 MB for Pythia-70m) for every token. The
// logits are the blocks' products concatenated (Model.outputLayer), the same
// numbers as one product.
func outputLayerBlocks(backendName string, vocab int) []span {
	rows := vocab
	if backendName == gobackend.BackendName {
		rows = outputBlockRows
	}
	var blocks []span
	for start := 0; start < vocab; start += rows {
		blocks = append(blocks, span{start, min(start+rows, vocab)})
	}
	return blocks
}

// outputBlockRows is the number of words per embed_out block on the pure-Go
// backend (see outputLayerBlocks).
const outputBlockRows = 4096

// addOutputLayer adds embed_out in the blocks outputLayerBlocks chooses.
// The whole tensor is read once into a temporary buffer, so loading briefly
// holds embed_out twice.
func (m *Model) addOutputLayer(ckpt checkpoint, spec weightSpec) error {
	vocab, hidden := spec.Shape[0], spec.Shape[1]
	all := make([]float32, vocab*hidden)
	if err := ckpt.ReadFloat32(spec.Name, all); err != nil {
		return fmt.Errorf("tensor %q: %w", spec.Name, err)
	}
	m.outputBlocks = outputLayerBlocks(m.backendName, vocab)
	for _, block := range m.outputBlocks {
		t, err := m.newTensor(heldOutputBlock(all, hidden, block))
		if err != nil {
			return fmt.Errorf("tensor %q: %w", spec.Name, err)
		}
		m.output = append(m.output, t)
	}
	return nil
}

// newTensor makes a tensor of shape dims in the model's dtype on the
// backend, filled by fill with float32 values.
func (m *Model) newTensor(dims []int, fill func(dst []float32) error) (*tensors.Tensor, error) {
	if m.dtype != dtypes.Float32 {
		return m.newConvertedTensor(dims, fill)
	}
	shape := shapes.Make(dtypes.Float32, dims...)
	if m.backend.HasSharedBuffers() {
		buf, flat, err := m.backend.NewSharedBuffer(0, shape)
		if err != nil {
			return nil, err
		}
		if err := fill(flat.([]float32)); err != nil {
			buf.Finalize()
			return nil, err
		}
		return tensors.FromBuffer(buf)
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

// newConvertedTensor is newTensor for a 16-bit dtype: the float32 values are
// rounded to it on the host, one tensor at a time.
func (m *Model) newConvertedTensor(dims []int, fill func(dst []float32) error) (*tensors.Tensor, error) {
	shape := shapes.Make(m.dtype, dims...)
	values := make([]float32, shape.Size())
	if err := fill(values); err != nil {
		return nil, err
	}
	t := tensors.FromShape(shape)
	switch m.dtype {
	case dtypes.BFloat16:
		tensors.MustMutableFlatData(t, func(flat []bfloat16.BFloat16) {
			for i, v := range values {
				flat[i] = bfloat16.FromFloat32(v)
			}
		})
	case dtypes.Float16:
		tensors.MustMutableFlatData(t, func(flat []float16.Float16) {
			for i, v := range values {
				flat[i] = float16.FromFloat32(v)
			}
		})
	default:
		return nil, fmt.Errorf("no conversion from float32 to %s", m.dtype)
	}
	if err := t.MaterializeOnDevice(m.backend, false, 0); err != nil {
		return nil, err
	}
	t.FinalizeLocal()
	return t, nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// DType names the compute dtype: "float32", "bfloat16" or "float16".
func (m *Model) DType() string {
	for name, d := range ComputeDTypes {
		if d == m.dtype {
			return name
		}
	}
	return m.dtype.String()
}

// Backend names the GoMLX backend running the model: "go" (pure Go) or
// "xla:<plugin>".
func (m *Model) Backend() string { return m.backendName }

// Close frees the model's weights and compiled graphs. It is safe to call twice.
func (m *Model) Close() {
	m.closeOnce.Do(func() {
		m.logProbsMu.Lock()
		m.stepsMu.Lock()
		execs := []*Exec{m.bitsExec, m.logProbsExec}
		for _, e := range m.steps {
			execs = append(execs, e)
		}
		m.steps = nil
		m.closed.Store(true)
		m.stepsMu.Unlock()
		m.logProbsMu.Unlock()
		for _, e := range execs {
			if e != nil {
				e.Finalize()
			}
		}
		for _, group := range [][]*tensors.Tensor{m.weights, m.rotary, m.output} {
			for _, t := range group {
				t.FinalizeAll()
			}
		}
		m.weights, m.rotary, m.output = nil, nil, nil
	})
}

// paramArgs are the graph's constant inputs in the order weightsOf reads them.
func (m *Model) paramArgs() []any {
	var args []any
	for _, group := range [][]*tensors.Tensor{m.weights, m.rotary, m.output} {
		for _, t := range group {
			args = append(args, t)
		}
	}
	return args
}

// weightsOf maps the parameter nodes (paramArgs' order) to the weights the
// graph functions use.
func (m *Model) weightsOf(nodes []*Node) graphWeights {
	w := graphWeights{cfg: m.cfg, nodes: make(map[string]*Node, len(m.weightNames)), outputRows: outputRows(m.backendName)}
	for i, name := range m.weightNames {
		w.nodes[name] = nodes[i]
	}
	nodes = nodes[len(m.weightNames):]
	if len(m.rotary) == 2 {
		w.rotaryCos, w.rotarySin = nodes[0], nodes[1]
	}
	w.outputBlocks = nodes[len(m.rotary):]
	return w
}
