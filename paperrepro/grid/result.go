package grid

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// ChunkResult is what a protocol measured on one chunk.
type ChunkResult struct {
	// Index is the chunk's number in its Source.
	Index int `json:"index"`
	// Tokens is how many tokens were scored (after any truncation).
	Tokens int `json:"tokens"`
	// Bits is the ideal code length, the sum of -log2 p over scored tokens.
	Bits float64 `json:"bits"`
	// CompressedBytes is the size of the real compressed stream (lossless
	// protocol only).
	CompressedBytes int `json:"compressed_bytes,omitempty"`
	// CR is the chunk's compression ratio: bits (seed) or compressed bits
	// (lossless) over 8 x chunk size.
	CR float64 `json:"compression_ratio"`
	// Dropped marks a chunk the protocol leaves out of the mean (the paper's
	// code dropped CR outside (0.01, 10)).
	Dropped bool `json:"dropped,omitempty"`
	// RoundTrip is true when the chunk was decompressed and compared equal
	// (lossless protocol only).
	RoundTrip bool `json:"round_trip,omitempty"`
	// Seconds is the wall time spent on the chunk (its share of its batch).
	Seconds float64 `json:"seconds"`
}

// CheckpointInfo identifies the weights a cell was computed with: a hub
// repository at a revision and its commit, or a local folder (Dir), and the
// weights' sha256 either way.
type CheckpointInfo struct {
	Repo          string `json:"repo,omitempty"`
	Revision      string `json:"revision,omitempty"`
	Commit        string `json:"commit,omitempty"`
	Dir           string `json:"dir,omitempty"`
	WeightsSHA256 string `json:"weights_sha256"`
}

// ProtocolInfo names the protocol a cell was computed with.
type ProtocolInfo struct {
	// Name is "seed" or "lossless".
	Name string `json:"name"`
	// Options are the protocol's settings, e.g. {"float16": true}.
	Options map[string]any `json:"options,omitempty"`
}

// Label is the protocol's folder name under the output folder: the name,
// then each true boolean option ("seed+float16").
func (p ProtocolInfo) Label() string {
	label := p.Name
	for _, key := range sortedKeys(p.Options) {
		if v, ok := p.Options[key].(bool); ok && v {
			label += "+" + key
		}
	}
	return label
}

// CellResult is one cell of the grid - one checkpoint compressing one
// modality's chunks under one protocol - with everything needed to trust
// or redo it. It is the JSON of a result file.
type CellResult struct {
	// Model is the model's name in the tables, e.g. "pythia-70m".
	Model string `json:"model"`
	// Params is the model size P: the nominal size a Pythia name states,
	// else the parameter count from its config.
	Params float64 `json:"params"`
	// Step is the training step S.
	Step int `json:"step"`
	// Modality is "text", "image" or "speech".
	Modality string `json:"modality"`

	// CR is the mean compression ratio over the chunks not dropped.
	CR float64 `json:"compression_ratio"`
	// Chunks counts the chunks scored, DroppedChunks those left out of CR.
	Chunks        int `json:"chunks"`
	DroppedChunks int `json:"dropped_chunks"`
	// Tokens and Bits total the chunks' tokens and ideal bits.
	Tokens int     `json:"tokens"`
	Bits   float64 `json:"bits"`
	// CompressedBytes sums the real streams (lossless protocol only).
	CompressedBytes int `json:"compressed_bytes,omitempty"`

	// Checkpoint identifies the weights; its WeightsSHA256 makes step
	// branches holding identical weights visible (EleutherAI/pythia#205).
	Checkpoint CheckpointInfo `json:"checkpoint"`
	// Backend is the GoMLX backend that computed the cell.
	Backend string `json:"backend"`
	// DType is the compute dtype of the model: float32, bfloat16 or float16.
	DType string `json:"dtype,omitempty"`
	// Protocol is the protocol and its options.
	Protocol ProtocolInfo `json:"protocol"`
	// Data is where the chunks came from: files, their sha256, the rule.
	Data datasets.Provenance `json:"data"`
	// Fingerprint digests the protocol, its options and the data (not the
	// machine-specific paths); a finished cell is reused only by a run with
	// the same fingerprint.
	Fingerprint string `json:"fingerprint"`

	// WallSeconds is the time spent scoring the chunks (loading the model
	// excluded), summed over the runs that computed them; TokensPerSecond
	// is Tokens over it.
	WallSeconds     float64 `json:"wall_seconds"`
	TokensPerSecond float64 `json:"tokens_per_second"`

	// PerChunk holds every chunk's result, in chunk order.
	PerChunk []ChunkResult `json:"per_chunk"`
}

// fingerprint digests what a cell's numbers depend on besides the weights:
// the protocol with its options and the data with its files' sums, but not
// where the data folder happens to be.
func fingerprint(protocol ProtocolInfo, data datasets.Provenance) (string, error) {
	data.Root = ""
	data.Files = append([]datasets.FileRecord(nil), data.Files...)
	for i := range data.Files {
		data.Files[i].Path = filepath.ToSlash(data.Files[i].Path)
	}
	blob, err := json.Marshal(struct {
		Protocol ProtocolInfo        `json:"protocol"`
		Data     datasets.Provenance `json:"data"`
	}{protocol, data})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(blob)
	return hex.EncodeToString(sum[:]), nil
}

// summarize fills the totals and the mean CR of a cell from its chunks.
func (c *CellResult) summarize() error {
	c.Chunks, c.DroppedChunks, c.Tokens, c.Bits, c.CompressedBytes = len(c.PerChunk), 0, 0, 0, 0
	sum, kept := 0.0, 0
	seconds := 0.0
	for _, r := range c.PerChunk {
		c.Tokens += r.Tokens
		c.Bits += r.Bits
		c.CompressedBytes += r.CompressedBytes
		seconds += r.Seconds
		if r.Dropped {
			c.DroppedChunks++
			continue
		}
		sum += r.CR
		kept++
	}
	if kept == 0 {
		return fmt.Errorf("%s: all %d chunks were dropped, so the cell has no compression ratio", c.name(), len(c.PerChunk))
	}
	c.CR = sum / float64(kept)
	c.WallSeconds = seconds
	if seconds > 0 {
		c.TokensPerSecond = float64(c.Tokens) / seconds
	}
	return nil
}

func (c *CellResult) name() string {
	return fmt.Sprintf("%s step %d %s", c.Model, c.Step, c.Modality)
}

// cellPath is where a cell's result file lives under out.
func cellPath(out string, protocol ProtocolInfo, model string, step int, modality string) string {
	return filepath.Join(out, protocol.Label(), model, fmt.Sprintf("step%d", step), modality+".json")
}

// writeResult writes a finished cell atomically.
func writeResult(path string, c *CellResult) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

// ReadResult reads one result file.
func ReadResult(path string) (*CellResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c CellResult
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("reading result %s: %w", path, err)
	}
	if c.Model == "" || c.Modality == "" || math.IsNaN(c.CR) || c.Chunks != len(c.PerChunk) {
		return nil, fmt.Errorf("reading result %s: not a complete cell (model %q, modality %q, %d of %d chunks)",
			path, c.Model, c.Modality, len(c.PerChunk), c.Chunks)
	}
	return &c, nil
}

// ReadDir reads every result file under dir (a run's output folder or one
// protocol's subfolder), in path order.
func ReadDir(dir string) ([]*CellResult, error) {
	var cells []*CellResult
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		c, err := ReadResult(path)
		if err != nil {
			return err
		}
		cells = append(cells, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading results under %s: %w", dir, err)
	}
	return cells, nil
}
