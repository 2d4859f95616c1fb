package results

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// CellFileExt is the extension of a result file; a cell still being computed
// sits beside it as <modality>.json.partial.
const CellFileExt = ".json"

// Cell is one cell of the grid - one checkpoint compressing one modality's
// chunks under one protocol - with everything needed to trust or redo it. It
// is the JSON of a result file, which package grid writes.
type Cell struct {
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
	// Tokenizer identifies the tokenizer.json the chunks were tokenized with.
	Tokenizer TokenizerInfo `json:"tokenizer"`
	// Backend is the GoMLX backend that computed the cell.
	Backend string `json:"backend"`
	// Engine names the software that computed the model's floats with its
	// versions (neox.Model.Engine), e.g. "gomlx v0.28.16, compute v0.1.14,
	// go-xla v0.4.13"; empty in cells written before it was recorded.
	Engine string `json:"engine,omitempty"`
	// Protocol is the protocol and its options.
	Protocol ProtocolInfo `json:"protocol"`
	// Data is where the chunks came from: files, their sha256, the rule.
	Data datasets.Provenance `json:"data"`
	// Fingerprint digests everything above that shapes the numbers (weights,
	// config.json, tokenizer, backend and engine, protocol and its options
	// and compute dtype, data), not the machine-specific paths; a finished
	// cell is reused only by a run with the same fingerprint.
	Fingerprint string `json:"fingerprint"`

	// Computed is the day the cell was finished, as YYYY-MM-DD in UTC
	// (WriteCell stamps it); empty in cells written before it was recorded.
	// It is not part of the fingerprint: it changes no number.
	Computed string `json:"computed,omitempty"`

	// WallSeconds is the time spent scoring the chunks (loading the model
	// excluded), summed over the runs that computed them; TokensPerSecond
	// is Tokens over it.
	WallSeconds     float64 `json:"wall_seconds"`
	TokensPerSecond float64 `json:"tokens_per_second"`

	// PerChunk holds every chunk's result, in chunk order.
	PerChunk []ChunkResult `json:"per_chunk"`
}

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
// sha256 of the weights and of config.json either way.
type CheckpointInfo struct {
	Repo          string `json:"repo,omitempty"`
	Revision      string `json:"revision,omitempty"`
	Commit        string `json:"commit,omitempty"`
	Dir           string `json:"dir,omitempty"`
	WeightsSHA256 string `json:"weights_sha256"`
	// ConfigSHA256 is the sha256 of the checkpoint's config.json, which
	// shapes the model as much as its weights (layer_norm_eps, rotary_pct);
	// empty in cells written before it was recorded.
	ConfigSHA256 string `json:"config_sha256,omitempty"`
}

// TokenizerInfo identifies a tokenizer.json: where it was read from and the
// sha256 of its bytes.
type TokenizerInfo struct {
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256"`
}

// ProtocolInfo names the protocol a cell was computed with.
type ProtocolInfo struct {
	// Name is "seed" or "lossless".
	Name string `json:"name"`
	// Options are the protocol's settings, e.g. {"float16": true}; for the
	// lossless protocol also the batch size, which shapes the model's floats.
	Options map[string]any `json:"options,omitempty"`
	// ComputeDType is the dtype the model computed in, e.g. "float32".
	ComputeDType string `json:"compute_dtype,omitempty"`
}

// Label is the protocol's folder name under a run's output folder: the
// name, then each true boolean option ("seed+float16").
func (p ProtocolInfo) Label() string {
	label := p.Name
	keys := make([]string, 0, len(p.Options))
	for k := range p.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if v, ok := p.Options[key].(bool); ok && v {
			label += "+" + key
		}
	}
	return label
}

// Name names the cell in messages: "pythia-70m step 1000 text".
func (c *Cell) Name() string {
	return fmt.Sprintf("%s step %d %s", c.Model, c.Step, c.Modality)
}

// Row is the cell's entry in its modality's table.
func (c *Cell) Row() Row {
	return Row{Model: c.Model, Params: c.Params, Step: c.Step, CR: c.CR}
}

// ComputedLayout is the layout of Cell.Computed.
const ComputedLayout = "2006-01-02"

// WriteCell writes a finished cell to path atomically (a reader never sees
// half a file), making its folder if needed. A cell that disagrees with
// itself (CheckConsistent), which ReadCell would refuse, is not written. A
// cell without a Computed day is stamped with today's.
func WriteCell(path string, c *Cell) error {
	if err := c.CheckConsistent(); err != nil {
		return fmt.Errorf("writing %s: %s: %w", path, c.Name(), err)
	}
	if c.Computed == "" {
		c.Computed = time.Now().UTC().Format(ComputedLayout)
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

// ReadCell reads one result file. A file that is not a complete, consistent
// cell is an error naming it.
func ReadCell(path string) (*Cell, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading result: %w", err)
	}
	c, err := DecodeCell(data)
	if err != nil {
		return nil, fmt.Errorf("reading result %s: %w", path, err)
	}
	return c, nil
}

// DecodeCell parses the JSON of a result file and checks that it is a
// complete cell: a model, step >= 1 and modality, a positive compression
// ratio, as many finite chunk results, numbered in order, as it announces,
// and consistent with them (CheckConsistent).
func DecodeCell(data []byte) (*Cell, error) {
	var c Cell
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("not a result cell: %w", err)
	}
	if c.Modality == "" {
		return nil, errors.New("field modality: empty")
	}
	if err := c.Row().validate(); err != nil {
		return nil, err
	}
	if c.Chunks != len(c.PerChunk) {
		return nil, fmt.Errorf("field chunks: %d, but per_chunk holds %d results (an incomplete cell)", c.Chunks, len(c.PerChunk))
	}
	for i, r := range c.PerChunk {
		if r.Index != i {
			return nil, fmt.Errorf("per_chunk[%d]: index %d, want %d", i, r.Index, i)
		}
		if math.IsNaN(r.CR) || math.IsInf(r.CR, 0) || math.IsNaN(r.Bits) || math.IsInf(r.Bits, 0) {
			return nil, fmt.Errorf("per_chunk[%d]: compression ratio %g, bits %g: not finite", i, r.CR, r.Bits)
		}
	}
	if err := c.CheckConsistent(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ReadCells reads every result file under dir (a run's output folder or one
// protocol's subfolder), in path order. Any file that does not read as a
// cell is an error naming it: a damaged cell is never skipped silently.
func ReadCells(dir string) ([]*Cell, error) {
	paths, err := cellFiles(dir)
	if err != nil {
		return nil, err
	}
	cells := make([]*Cell, 0, len(paths))
	for _, path := range paths {
		c, err := ReadCell(path)
		if err != nil {
			return nil, err
		}
		cells = append(cells, c)
	}
	return cells, nil
}

// cellFiles lists the result files under dir, in path order.
func cellFiles(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, CellFileExt) {
			paths = append(paths, path)
		}
		return nil
	})
	return paths, err
}

// CellTables turns cells into one Table per modality, in the order of
// Modalities (other modalities after them). Cells only make sense together
// when they were computed under one protocol on the same data: mixing
// protocols, or chunk counts and rules within a modality, is an error.
func CellTables(cells []*Cell) ([]Table, error) {
	byModality := map[string]*Table{}
	first := map[string]*Cell{}
	protocol := ""
	for _, c := range cells {
		if protocol == "" {
			protocol = c.Protocol.Label()
		} else if c.Protocol.Label() != protocol {
			return nil, fmt.Errorf("cells of protocols %s and %s (%s) cannot go in one table: read one protocol's folder", protocol, c.Protocol.Label(), c.Name())
		}
		if f, ok := first[c.Modality]; ok {
			if f.Data.Count != c.Data.Count || f.Data.Rule != c.Data.Rule || f.Data.ChunkSize != c.Data.ChunkSize {
				return nil, fmt.Errorf("%s has %d chunks of %d bytes (rule %s) but %s has %d of %d (rule %s): a table needs one configuration",
					f.Name(), f.Data.Count, f.Data.ChunkSize, f.Data.Rule, c.Name(), c.Data.Count, c.Data.ChunkSize, c.Data.Rule)
			}
		} else {
			first[c.Modality] = c
			byModality[c.Modality] = &Table{Modality: c.Modality}
		}
		t := byModality[c.Modality]
		t.Rows = append(t.Rows, c.Row())
	}
	tables := make([]Table, 0, len(byModality))
	for m, t := range byModality {
		t.Sort()
		t.Source = cellsSource(cells, m)
		tables = append(tables, *t)
	}
	sortByModality(tables)
	return tables, nil
}

// cellsSource is the Source of a table of modality's cells: "this project,
// computed" with the day (or first and last day) the cells were finished
// and the backends that computed them.
func cellsSource(cells []*Cell, modality string) string {
	var days, backends []string
	undated := false
	for _, c := range cells {
		if c.Modality != modality {
			continue
		}
		if c.Computed == "" {
			undated = true
		} else if !slices.Contains(days, c.Computed) {
			days = append(days, c.Computed)
		}
		if b := cmp.Or(c.Backend, "backend not recorded"); !slices.Contains(backends, b) {
			backends = append(backends, b)
		}
	}
	slices.Sort(days)
	slices.Sort(backends)
	when := "day not recorded"
	switch {
	case len(days) == 1:
		when = days[0]
	case len(days) > 1:
		when = days[0] + " to " + days[len(days)-1]
	}
	if undated && len(days) > 0 {
		when += " (some cells undated)"
	}
	return fmt.Sprintf("this project, computed %s, %s", when, strings.Join(backends, ", "))
}
