package neox

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// NewRandom makes a model of shape cfg with seeded random weights, of a
// trained model's magnitudes (layer-norm weights near 1, biases about 0.02,
// a matrix's entries about 8 over its input width, small enough that the
// activations stay finite through every layer): for measuring speed and
// memory on a shape without its checkpoint (`paperrepro bench`). Its
// predictions mean nothing.
func NewRandom(cfg Config, seed uint64, opts Options) (_ *Model, err error) {
	defer panics.Recover(&err, "random model")
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("random model: %w", err)
	}
	choice, err := sharedBackend()
	if err != nil {
		return nil, err
	}
	return newModel(cfg, choice, newRandomCheckpoint(cfg, seed), opts)
}

// randomCheckpoint is an in-memory checkpoint of random weights for a
// shape: each tensor is generated when read, from the seed and its name.
type randomCheckpoint struct {
	specs map[string]weightSpec
	seed  uint64
}

func newRandomCheckpoint(cfg Config, seed uint64) *randomCheckpoint {
	c := &randomCheckpoint{specs: map[string]weightSpec{}, seed: seed}
	for _, s := range weightSpecs(cfg) {
		c.specs[s.Name] = s
	}
	return c
}

func (c *randomCheckpoint) Tensors() map[string]storedTensor {
	out := map[string]storedTensor{}
	for name, s := range c.specs {
		out[name] = storedTensor{DType: "F32", Shape: s.Shape, File: "random"}
	}
	return out
}

func (c *randomCheckpoint) ReadFloat32(name string, dst []float32) error {
	s, ok := c.specs[name]
	if !ok {
		return fmt.Errorf("no tensor %q", name)
	}
	name64 := fnv.New64a()
	name64.Write([]byte(name))
	rng := rand.New(rand.NewPCG(c.seed, name64.Sum64())) // each tensor its own stream
	scale := 0.02
	if len(s.Shape) == 2 {
		scale = 1 / float64(s.Shape[1]) * 8
	}
	for i := range dst {
		dst[i] = float32(rng.NormFloat64() * scale)
	}
	if len(s.Shape) == 1 && strings.HasSuffix(name, ".weight") {
		for i := range dst {
			dst[i]++
		}
	}
	return nil
}

func (c *randomCheckpoint) Close() error { return nil }
