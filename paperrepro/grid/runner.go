package grid

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Engine turns checkpoints into Sessions that score chunks under one
// protocol. NewEngine builds the real one (tokenizer, neox model, protocol);
// tests may use stand-ins.
type Engine interface {
	// Protocol names the protocol and its options, as results record them.
	Protocol() ProtocolInfo
	// Open loads a checkpoint.
	Open(ckpt *hub.Checkpoint) (Session, error)
}

// Session scores chunks with one loaded checkpoint.
type Session interface {
	// Backend names the compute backend, e.g. "go" or "xla:cuda".
	Backend() string
	// Params is the model's parameter count, used for models whose name
	// states no nominal size.
	Params() float64
	// Score runs the protocol on chunks, returning one result per chunk in
	// order (Index and Seconds are filled in by the grid).
	Score(chunks [][]byte) ([]ChunkResult, error)
	// Close frees the model.
	Close() error
}

// Checkpoint is one model x step position of the grid and where its weights
// come from: a hub repository at a revision, or a local folder.
type Checkpoint struct {
	// Model is the name in the tables, e.g. "pythia-70m".
	Model string
	// Step is the training step, the tables' column.
	Step int
	// Repo and Revision locate it on the hub, e.g. EleutherAI/pythia-70m
	// at step1000.
	Repo, Revision string
	// Dir, when set, is a local checkpoint folder used instead of the hub.
	Dir string
}

// String names the checkpoint in progress lines and errors, e.g. "pythia-70m step 1000".
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s step %d", c.Model, c.Step)
}

// ParseStep reads the training step from a Pythia revision name: 1000 for
// "step1000".
func ParseStep(revision string) (int, error) {
	digits, ok := strings.CutPrefix(revision, "step")
	step, err := strconv.Atoi(digits)
	if !ok || err != nil || step < 0 {
		return 0, fmt.Errorf("revision %q is not a Pythia step branch like step1000 (give the step explicitly)", revision)
	}
	return step, nil
}

// Runner runs grids. Sources are the modalities, each with the chunks every
// checkpoint compresses.
type Runner struct {
	// Hub fetches checkpoints given by repository and revision.
	Hub *hub.Client
	// Engine scores chunks.
	Engine Engine
	// Sources are the modalities' chunks.
	Sources []datasets.Source
	// Out is the output folder.
	Out string
	// BatchSize is how many chunks go to the model at once (default 1).
	// Larger batches are faster per chunk on a GPU; a killed run loses at
	// most one batch.
	BatchSize int
	// Progress receives the progress bar and one line per finished cell;
	// nil shows nothing.
	Progress io.Writer
}

// Summary is the outcome of a run.
type Summary struct {
	// Cells holds every cell of the grid, computed now or read back from an
	// earlier run, in checkpoint then source order.
	Cells []*CellResult
	// Computed and Reused count cells computed by this run and cells it
	// found finished.
	Computed, Reused int
	// Tokens and Seconds total the chunks scored by this run (resumed
	// chunks of a partial cell included), for its throughput.
	Tokens  int
	Seconds float64
}

// TokensPerSecond is the run's scoring throughput.
func (s *Summary) TokensPerSecond() float64 {
	if s.Seconds == 0 {
		return 0
	}
	return float64(s.Tokens) / s.Seconds
}

// cellPlan is one cell still to compute.
type cellPlan struct {
	source datasets.Source
	path   string
	slot   int // index in Summary.Cells
}

// Run computes every cell of checkpoints x r.Sources that has no result file
// yet under r.Out, and returns all cells. A cancelled context stops it after
// the current batch; run it again to continue.
func (r *Runner) Run(ctx context.Context, checkpoints []Checkpoint) (*Summary, error) {
	if r.Engine == nil || len(r.Sources) == 0 || len(checkpoints) == 0 {
		return nil, errors.New("grid: a run needs an engine, at least one modality and at least one checkpoint")
	}
	protocol := r.Engine.Protocol()
	fingerprints := make([]string, len(r.Sources))
	for i, src := range r.Sources {
		fp, err := fingerprintOf(protocol, src.Provenance())
		if err != nil {
			return nil, err
		}
		fingerprints[i] = fp
	}
	summary := &Summary{Cells: make([]*CellResult, len(checkpoints)*len(r.Sources))}
	plans := make([][]cellPlan, len(checkpoints))
	total := 0
	for ci, ck := range checkpoints {
		for si, src := range r.Sources {
			slot := ci*len(r.Sources) + si
			path := cellPath(r.Out, protocol, ck.Model, ck.Step, src.Modality())
			done, err := finishedCell(path, fingerprints[si])
			if err != nil {
				return nil, err
			}
			if done != nil {
				summary.Cells[slot] = done
				summary.Reused++
				continue
			}
			plans[ci] = append(plans[ci], cellPlan{source: src, path: path, slot: slot})
			total += src.NumChunks() - countPartial(path+".partial", fingerprints[si])
		}
	}
	bar := newProgress(r.Progress, total)
	defer bar.finish()
	for ci, ck := range checkpoints {
		if len(plans[ci]) == 0 {
			continue
		}
		if err := r.runCheckpoint(ctx, ck, protocol, plans[ci], summary, bar); err != nil {
			return summary, err
		}
	}
	return summary, nil
}

// runCheckpoint loads one checkpoint and computes its pending cells.
func (r *Runner) runCheckpoint(ctx context.Context, ck Checkpoint, protocol ProtocolInfo, plans []cellPlan, summary *Summary, bar *progress) error {
	ckpt, err := r.checkpoint(ctx, ck)
	if err != nil {
		return fmt.Errorf("%s: %w", ck, err)
	}
	session, err := r.Engine.Open(ckpt)
	if err != nil {
		return fmt.Errorf("%s: loading %s: %w", ck, ckpt.Dir, err)
	}
	defer session.Close()
	params, ok := results.NominalParams(ck.Model)
	if !ok {
		params = session.Params()
	}
	for _, plan := range plans {
		cell := &CellResult{
			Model: ck.Model, Params: params, Step: ck.Step, Modality: plan.source.Modality(),
			Checkpoint: CheckpointInfo{Repo: ckpt.Repo, Revision: ckpt.Revision, Commit: ckpt.Commit, WeightsSHA256: ckpt.WeightsSHA256},
			Backend:    session.Backend(),
			Protocol:   protocol,
			Data:       plan.source.Provenance(),
		}
		if ckpt.Repo == "" {
			cell.Checkpoint.Dir = ckpt.Dir
		}
		if d, ok := session.(interface{ DType() string }); ok {
			cell.DType = d.DType()
		}
		if cell.Fingerprint, err = fingerprintOf(protocol, cell.Data); err != nil {
			return err
		}
		if err := r.runCell(ctx, session, plan, cell, bar, summary); err != nil {
			return err
		}
		summary.Cells[plan.slot] = cell
		summary.Computed++
		if r.Progress != nil {
			bar.clear()
			fmt.Fprintf(r.Progress, "%s: CR %.4f over %d chunks (%d dropped), %d tokens, %.0f tokens/s -> %s\n",
				cell.name(), cell.CR, cell.Chunks, cell.DroppedChunks, cell.Tokens, cell.TokensPerSecond, plan.path)
		}
	}
	return nil
}

// checkpoint fetches or describes the checkpoint's weights.
func (r *Runner) checkpoint(ctx context.Context, ck Checkpoint) (*hub.Checkpoint, error) {
	if ck.Dir != "" {
		return hub.LocalDir(ck.Dir)
	}
	if r.Hub == nil {
		return nil, errors.New("no hub client to fetch it with")
	}
	return r.Hub.Fetch(ctx, ck.Repo, ck.Revision)
}

// runCell scores a cell's chunks batch by batch, appending each batch to the
// cell's .partial file, then writes the result file and removes the partial.
func (r *Runner) runCell(ctx context.Context, session Session, plan cellPlan, cell *CellResult, bar *progress, summary *Summary) error {
	partialPath := plan.path + ".partial"
	header := partialHeader{Fingerprint: cell.Fingerprint, WeightsSHA256: cell.Checkpoint.WeightsSHA256}
	done := readPartial(partialPath, header)
	partial, err := startPartial(partialPath, header, done)
	if err != nil {
		return fmt.Errorf("%s: %w", cell.name(), err)
	}
	defer partial.Close()
	batch := max(r.BatchSize, 1)
	n := plan.source.NumChunks()
	bar.describe(cell.name())
	for start := len(done); start < n; start += batch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: stopped after %d of %d chunks (kept in %s; run again to continue): %w", cell.name(), start, n, partialPath, err)
		}
		end := min(start+batch, n)
		chunks := make([][]byte, 0, end-start)
		for i := start; i < end; i++ {
			chunk, err := plan.source.Chunk(i)
			if err != nil {
				return fmt.Errorf("%s: %w", cell.name(), err)
			}
			chunks = append(chunks, chunk)
		}
		began := time.Now()
		scored, err := session.Score(chunks)
		if err != nil {
			return fmt.Errorf("%s: chunks %d-%d: %w", cell.name(), start, end-1, err)
		}
		if len(scored) != len(chunks) {
			return fmt.Errorf("%s: chunks %d-%d: the protocol returned %d results for %d chunks", cell.name(), start, end-1, len(scored), len(chunks))
		}
		seconds := time.Since(began).Seconds()
		var lines bytes.Buffer
		tokens := 0
		for k := range scored {
			scored[k].Index = start + k
			scored[k].Seconds = seconds / float64(len(scored))
			tokens += scored[k].Tokens
			line, err := json.Marshal(scored[k])
			if err != nil {
				return fmt.Errorf("%s: chunk %d: %w", cell.name(), start+k, err)
			}
			lines.Write(append(line, '\n'))
		}
		if _, err := partial.Write(lines.Bytes()); err != nil {
			return fmt.Errorf("%s: saving progress to %s: %w", cell.name(), partialPath, err)
		}
		done = append(done, scored...)
		summary.Tokens += tokens
		summary.Seconds += seconds
		bar.add(len(scored), tokens, seconds)
	}
	cell.PerChunk = done
	if err := cell.summarize(); err != nil {
		return err
	}
	if err := writeResult(plan.path, cell); err != nil {
		return err
	}
	partial.Close()
	return os.Remove(partialPath)
}

// partialHeader is the first line of a .partial file: what its chunk results
// were computed with, so a resumed run only reuses matching ones.
type partialHeader struct {
	Fingerprint   string `json:"fingerprint"`
	WeightsSHA256 string `json:"weights_sha256"`
}

// readPartial returns the chunk results saved by an interrupted run of the
// same cell: the complete lines numbered 0, 1, 2, ... after a matching
// header. Anything else (another protocol or checkpoint, a torn last line)
// is not reused.
func readPartial(path string, want partialHeader) []ChunkResult {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<16), 1<<20)
	var header partialHeader
	if !scanner.Scan() || json.Unmarshal(scanner.Bytes(), &header) != nil || header != want {
		return nil
	}
	var done []ChunkResult
	for scanner.Scan() {
		var r ChunkResult
		if json.Unmarshal(scanner.Bytes(), &r) != nil || r.Index != len(done) {
			break
		}
		done = append(done, r)
	}
	return done
}

// countPartial is how many chunks a cell's partial file already holds for a
// fingerprint, whatever its weights - for sizing the progress bar before the
// checkpoint is fetched.
func countPartial(path, fingerprint string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	var header partialHeader
	line, _ := bufio.NewReader(f).ReadBytes('\n')
	f.Close()
	if json.Unmarshal(line, &header) != nil || header.Fingerprint != fingerprint {
		return 0
	}
	return len(readPartial(path, header))
}

// startPartial rewrites the partial file with its header and the reused
// results (dropping whatever followed them) and opens it for appending.
func startPartial(path string, header partialHeader, done []ChunkResult) (*os.File, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(header); err != nil {
		return nil, err
	}
	for _, r := range done {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
}

// finishedCell returns the cell stored at path when it exists and was made
// with the same protocol and data, nil when there is none, and an error when
// there is one made differently - a run never silently mixes the two.
func finishedCell(path, fingerprint string) (*CellResult, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	cell, err := ReadResult(path)
	if err != nil {
		return nil, fmt.Errorf("%w (remove it to compute the cell again)", err)
	}
	if cell.Fingerprint != fingerprint {
		return nil, fmt.Errorf("%s was computed with other data or protocol options (%d chunks of %s, protocol %s): use another output folder, or remove it to recompute",
			path, cell.Chunks, cell.Data.Rule, cell.Protocol.Label())
	}
	return cell, nil
}

// fingerprintOf wraps fingerprint with an error for unmarshalable options.
func fingerprintOf(protocol ProtocolInfo, data datasets.Provenance) (string, error) {
	fp, err := fingerprint(protocol, data)
	if err != nil {
		return "", fmt.Errorf("grid: recording the provenance of %s data under protocol %s: %w", data.Modality, protocol.Label(), err)
	}
	return fp, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
