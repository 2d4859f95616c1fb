package grid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
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
	// Protocol names the protocol, its options and the compute dtype, as
	// results record them.
	Protocol() results.ProtocolInfo
	// Tokenizer chooses the tokenizer.json for a checkpoint and identifies
	// it by its sha256, without loading anything.
	Tokenizer(ckpt *hub.Checkpoint) (results.TokenizerInfo, error)
	// Open loads a checkpoint with the tokenizer Tokenizer chose.
	Open(ckpt *hub.Checkpoint, tokenizer results.TokenizerInfo) (Session, error)
}

// Session scores chunks with one loaded checkpoint.
type Session interface {
	// Backend names the compute backend, e.g. "go" or "xla:cuda".
	Backend() string
	// Engine names the software computing the model's floats with its
	// versions (neox.Model.Engine), e.g. "gomlx v0.28.16, compute v0.1.14,
	// go-xla v0.4.13": another version may round differently.
	Engine() string
	// Params is the model's parameter count, used for models whose name
	// states no nominal size.
	Params() float64
	// Score runs the protocol on chunks, returning one result per chunk in
	// order (Index and Seconds are filled in by the grid).
	Score(chunks [][]byte) ([]results.ChunkResult, error)
	// Close frees the model.
	Close() error
}

// Checkpoint is one model x step position of the grid and where its weights
// come from: a hub repository at a revision, or a local folder.
type Checkpoint struct {
	// Model is the name in the tables, e.g. "pythia-70m".
	Model string
	// Step is the training step, the tables' column; at least 1.
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

// Resolve returns the checkpoint's files on local disk: its local folder, or
// the hub checkpoint fetched into the cache with client.
func (c Checkpoint) Resolve(ctx context.Context, client *hub.Client) (*hub.Checkpoint, error) {
	if c.Dir != "" {
		return hub.LocalDir(c.Dir)
	}
	if client == nil {
		return nil, errors.New("no hub client to fetch it with")
	}
	return client.Fetch(ctx, c.Repo, c.Revision)
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
	// BatchSize is how many chunks go to the model at once (0 means 1).
	// Larger batches are faster per chunk on a GPU; a killed run loses at
	// most one batch. The lossless protocol codes a batch in lockstep, so
	// there it is part of the cells' setup.
	BatchSize int
	// Progress receives the progress bar and one line per finished cell;
	// nil shows nothing.
	Progress io.Writer
	// Shard is the share of the grid this run computes (AssignShards); the
	// zero Shard is all of it. Every cell is computed under its lock (see
	// lock.go), so runs may share one output folder.
	Shard Shard
	// StopBy, when set, is when the run must have stopped: a test's
	// deadline, a job's time limit. Before each batch, and before loading
	// a model, the run predicts when that step would end from the pace it
	// has timed, with a margin (see pacer); the batch is cut to what fits,
	// and when not even one chunk does, the run stops cleanly, as a
	// cancelled context stops it: finished batches are kept, and the error
	// wraps ErrStopBy. Each model's first batch is a single chunk, timed
	// to predict the next ones. Under the lossless protocol, whose batch is
	// part of the cells' setup, batches keep their size: the run stops
	// before one that would not fit.
	StopBy time.Time
	// now is the clock (tests set it); nil means time.Now.
	now func() time.Time
}

// Summary is the outcome of a run.
type Summary struct {
	// Cells holds every cell of the run's shard of the grid, computed now
	// or read back from an earlier run, in checkpoint then source order;
	// cells that another worker holds are left out.
	Cells []*results.Cell
	// Held lists the cells skipped because another live worker holds them.
	Held []*HeldError
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

// cellPlan is one cell still to compute: where its file goes and the setup
// it is computed with (the checkpoint's parts are filled in once it is
// resolved, the backend once it is loaded).
type cellPlan struct {
	source datasets.Source
	path   string
	slot   int // index in Summary.Cells
	setup  setup
	// toScore is the chunks the progress bar counts for the cell: those
	// its .partial file lacked when the folder was read.
	toScore int
}

// checkpointPlan is one checkpoint of the run: the cells to compute, the
// finished cells to reuse, and once resolved its files and tokenizer.
type checkpointPlan struct {
	checkpoint Checkpoint
	pending    []cellPlan
	reuse      []reusedCell
	resolved   *hub.Checkpoint
	tokenizer  results.TokenizerInfo
	weights    int64 // bytes of weights files, the pacer's measure of the model's cost
}

// cellName names one of the checkpoint's cells in messages, as
// results.Cell.Name does: "pythia-70m step 1000 text".
func (cp *checkpointPlan) cellName(plan cellPlan) string {
	return cp.checkpoint.String() + " " + plan.source.Modality()
}

// reusedCell is a finished cell found in the folder, and its place in
// Summary.Cells.
type reusedCell struct {
	path string
	cell *results.Cell
	slot int
}

// run is the state of one Run call.
type run struct {
	*Runner
	protocol results.ProtocolInfo
	folder   folderState
	backend  string // known once a checkpoint is loaded, as is engine
	engine   string
	summary  *Summary
	bar      *progress
	pace     pacer
	fresh    bool // the loaded checkpoint has scored no batch yet
}

// Run computes every cell of checkpoints x r.Sources (of r.Shard's share of
// them) that has no result file yet under r.Out, and returns those cells.
// Before any work it refuses a folder holding cells or .partial files made
// with another setup (another protocol, options, data, weights or
// tokenizer), naming what differs; the backend is compared once the first
// checkpoint is loaded. Each cell is computed under its lock: a cell another
// live worker holds is skipped and listed in Summary.Held. A cancelled
// context stops it after the current batch; run it again to continue.
func (r *Runner) Run(ctx context.Context, checkpoints []Checkpoint) (*Summary, error) {
	if r.Engine == nil || len(r.Sources) == 0 || len(checkpoints) == 0 {
		return nil, errors.New("grid: a run needs an engine, at least one modality and at least one checkpoint")
	}
	if r.BatchSize < 0 {
		return nil, fmt.Errorf("grid: batch size %d: want at least 1", r.BatchSize)
	}
	if r.Shard != (Shard{}) {
		if err := r.Shard.validate(); err != nil {
			return nil, fmt.Errorf("grid: %w", err)
		}
	}
	if err := CheckCheckpoints(checkpoints); err != nil {
		return nil, err
	}
	modalities := make([]string, len(r.Sources))
	for i, src := range r.Sources {
		modalities[i] = src.Modality()
	}
	if err := checkModalities(modalities); err != nil {
		return nil, err
	}
	st := &run{Runner: r, protocol: r.Engine.Protocol(), pace: pacer{stopBy: r.StopBy}}
	dir := filepath.Join(r.Out, st.protocol.Label())
	if st.protocol.Name == ProtocolLossless {
		st.protocol.Options = cloneOptions(st.protocol.Options)
		st.protocol.Options["batch_size"] = r.batchSize()
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	var err error
	if st.folder, err = scanFolder(dir); err != nil {
		return nil, err
	}
	runSetups := map[string]setup{}
	for _, src := range r.Sources {
		runSetups[src.Modality()] = setup{Protocol: st.protocol, Data: portableData(src.Provenance())}
	}
	if err := st.folder.checkRunPart(runSetups); err != nil {
		return nil, err
	}
	plans, total, err := st.plan(ctx, checkpoints, runSetups)
	if err != nil {
		return nil, err
	}
	st.summary = &Summary{Cells: make([]*results.Cell, len(checkpoints)*len(r.Sources))}
	for _, cp := range plans {
		for _, c := range cp.reuse {
			st.summary.Reused++
			st.summary.Cells[c.slot] = c.cell
		}
	}
	st.bar = newProgress(r.Progress, total)
	defer st.bar.finish()
	for _, cp := range plans {
		if len(cp.pending) == 0 {
			continue
		}
		if err = st.runCheckpoint(ctx, cp); err != nil {
			break
		}
	}
	st.summary.Cells = slices.DeleteFunc(st.summary.Cells, func(c *results.Cell) bool { return c == nil })
	return st.summary, err
}

func (r *Runner) batchSize() int { return max(r.BatchSize, 1) }

func (r *Runner) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// nextBatch is the size of the next step's batch for a cell with left
// chunks still to score, with a model of weights bytes: the run's batch, cut
// to what ends before StopBy (see Runner.StopBy), or an error wrapping
// ErrStopBy when nothing does.
func (st *run) nextBatch(s step, left int, weights int64) (int, error) {
	return st.pace.next(st.clock(), s, min(st.batchSize(), left), weights, st.protocol.Name == ProtocolLossless)
}

// CheckCheckpoints refuses what no table could hold: a step below 1, a
// checkpoint without a name, or one named twice; and a name that is a path
// (a folder of the output's, which a separator or ".." would leave).
func CheckCheckpoints(checkpoints []Checkpoint) error {
	seen := map[string]bool{}
	for _, ck := range checkpoints {
		if ck.Model == "" {
			return fmt.Errorf("grid: checkpoint %s/%s%s has no model name", ck.Repo, ck.Revision, ck.Dir)
		}
		if ck.Model == "." || ck.Model == ".." || strings.ContainsAny(ck.Model, `/\`) || !filepath.IsLocal(ck.Model) {
			return fmt.Errorf("grid: model name %q is a path: a model's name becomes one folder of the output, so it holds no / or \\ and is not . or ..", ck.Model)
		}
		if ck.Step < 1 {
			return fmt.Errorf("grid: %s: step %d: the scaling law needs a training step of at least 1 (S^-beta); "+
				"for a local checkpoint give its step with -step", ck.Model, ck.Step)
		}
		if seen[ck.String()] {
			return fmt.Errorf("grid: %s is named twice", ck)
		}
		seen[ck.String()] = true
	}
	return nil
}

// checkModalities refuses a modality named twice, whose cells would be
// counted twice.
func checkModalities(modalities []string) error {
	for i, m := range modalities {
		if slices.Contains(modalities[:i], m) {
			return fmt.Errorf("grid: modality %s is given twice: its cells would be counted twice", m)
		}
	}
	return nil
}

// checkWritable makes the output folder and checks that files can be
// written into it, so a run fails before any model work, not after.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	return atomicfile.CheckWritable(dir)
}

// plan sorts every cell of the run's shard into reused or pending.
// Checkpoints that already have such cells or .partial files in the folder
// are resolved now, so that a change of weights or tokenizer is refused
// before any work. It returns the plans and the number of chunks left to
// score.
func (st *run) plan(ctx context.Context, checkpoints []Checkpoint, runSetups map[string]setup) ([]*checkpointPlan, int, error) {
	var plans []*checkpointPlan
	total := 0
	mine := st.Shard.Cells(checkpoints, numChunks(st.Sources))
	for ci, ck := range checkpoints {
		cp := &checkpointPlan{checkpoint: ck}
		var partials []*partialFile
		for si, src := range st.Sources {
			path := cellPath(st.Out, st.protocol, ck.Model, ck.Step, src.Modality())
			slot := ci*len(st.Sources) + si
			if !mine[slot] {
				continue
			}
			if c, ok := st.folder.cells[path]; ok {
				cp.reuse = append(cp.reuse, reusedCell{path: path, cell: c, slot: slot})
				continue
			}
			plan := cellPlan{source: src, path: path, slot: slot, setup: runSetups[src.Modality()], toScore: src.NumChunks()}
			if p, ok := st.folder.partials[partialPath(path)]; ok {
				partials = append(partials, p)
				plan.toScore -= len(p.done)
			}
			cp.pending = append(cp.pending, plan)
			total += plan.toScore
		}
		if len(cp.reuse) > 0 || len(partials) > 0 {
			if err := st.resolve(ctx, cp); err != nil {
				return nil, 0, err
			}
			var records []recorded
			for _, c := range cp.reuse {
				records = append(records, recordedCell(c.path, c.cell))
			}
			for _, p := range partials {
				records = append(records, recordedPartial(p))
			}
			weights, config, tokenizer := cp.resolved.WeightsSHA256, cp.resolved.ConfigSHA256, cp.tokenizer.SHA256
			if err := refuseChanged(records, func(was setup) (setup, bool) { return was.withCheckpoint(weights, config, tokenizer), true }); err != nil {
				return nil, 0, err
			}
		}
		plans = append(plans, cp)
	}
	return plans, total, nil
}

// resolve fetches or finds the checkpoint's files and chooses its tokenizer.
func (st *run) resolve(ctx context.Context, cp *checkpointPlan) error {
	if cp.resolved != nil {
		return nil
	}
	ckpt, err := cp.checkpoint.Resolve(ctx, st.Hub)
	if err != nil {
		return fmt.Errorf("%s: %w", cp.checkpoint, err)
	}
	tok, err := st.Engine.Tokenizer(ckpt)
	if err != nil {
		return fmt.Errorf("%s: %w", cp.checkpoint, err)
	}
	cp.resolved, cp.tokenizer, cp.weights = ckpt, tok, weightsBytes(ckpt)
	return nil
}

// runCheckpoint computes one checkpoint's pending cells, each under its
// lock, and loads the checkpoint once a cell is left to compute.
func (st *run) runCheckpoint(ctx context.Context, cp *checkpointPlan) error {
	if err := st.resolve(ctx, cp); err != nil {
		return err
	}
	var session Session
	defer func() {
		if session != nil {
			session.Close()
		}
	}()
	for _, plan := range cp.pending {
		lock, err := st.takeCell(cp, plan)
		if err != nil {
			return err
		}
		if lock == nil {
			continue // another live worker's
		}
		err = st.computeLocked(ctx, cp, &session, plan)
		if rerr := lock.release(); err == nil && rerr != nil {
			err = fmt.Errorf("%s: %w", cp.cellName(plan), rerr)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// computeLocked computes a cell whose lock the run holds. What the folder
// held when the run began may be out of date by now - another worker may
// have finished the cell or saved more of its chunks - so the result file
// is read again here (a finished cell is reused, never rewritten), and
// computeCell reads the .partial file again. *session is the checkpoint,
// loaded on the first cell that needs it.
func (st *run) computeLocked(ctx context.Context, cp *checkpointPlan, session *Session, plan cellPlan) error {
	plan.setup = plan.setup.withCheckpoint(cp.resolved.WeightsSHA256, cp.resolved.ConfigSHA256, cp.tokenizer.SHA256)
	if st.backend != "" {
		plan.setup = plan.setup.withBackend(st.backend, st.engine)
	}
	if reused, err := st.finishedMeanwhile(plan); err != nil || reused {
		return err
	}
	if *session == nil {
		if _, err := st.nextBatch(stepLoad, plan.toScore, cp.weights); err != nil {
			return fmt.Errorf("%s: stopped before loading it (run again to continue): %w", cp.checkpoint, err)
		}
		began := st.clock()
		s, err := st.Engine.Open(cp.resolved, cp.tokenizer)
		if err != nil {
			return fmt.Errorf("%s: %w", cp.checkpoint, err)
		}
		st.pace.loaded(cp.weights, st.clock().Sub(began).Seconds())
		st.fresh = true
		*session = s
		if err := st.checkBackend(s.Backend(), s.Engine()); err != nil {
			return err
		}
	}
	backend := (*session).Backend()
	plan.setup = plan.setup.withBackend(backend, (*session).Engine())
	params, ok := results.NominalParams(cp.checkpoint.Model)
	if !ok {
		params = (*session).Params()
	}
	cell := &results.Cell{
		Model: cp.checkpoint.Model, Params: params, Step: cp.checkpoint.Step, Modality: plan.source.Modality(),
		Checkpoint: results.CheckpointInfo{Repo: cp.resolved.Repo, Revision: cp.resolved.Revision, Commit: cp.resolved.Commit,
			WeightsSHA256: cp.resolved.WeightsSHA256, ConfigSHA256: cp.resolved.ConfigSHA256},
		Tokenizer: cp.tokenizer,
		Backend:   backend,
		Engine:    plan.setup.Engine,
		Protocol:  st.protocol,
		Data:      plan.source.Provenance(),
	}
	if cp.resolved.Repo == "" {
		cell.Checkpoint.Dir = cp.resolved.Dir
	}
	if err := st.computeCell(ctx, *session, plan, cell, cp.weights); err != nil {
		return err
	}
	st.summary.Cells[plan.slot] = cell
	st.summary.Computed++
	st.report("%s: CR %.4f over %d chunks (%d dropped), %d tokens, %.0f tokens/s -> %s",
		cell.Name(), cell.CR, cell.Chunks, cell.DroppedChunks, cell.Tokens, cell.TokensPerSecond, plan.path)
	return nil
}

// finishedMeanwhile reads a planned cell's result file, which another
// worker may have written since the run read the folder. A finished cell of
// the run's setup goes into the summary as reused; one of another setup is
// an error, as it would have been had it been there before. It returns
// false when the cell is still to compute. Before the run has loaded a
// checkpoint, plan.setup.Backend is empty and the backend is not compared.
func (st *run) finishedMeanwhile(plan cellPlan) (reused bool, err error) {
	c, err := results.ReadCell(plan.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w (remove it to compute the cell again)", err)
	}
	was := setupOf(c)
	now := plan.setup
	if now.Backend == "" {
		now = now.withBackend(was.Backend, was.Engine)
	}
	if err := mismatch(recorded{plan.path, was, false}, now); err != nil {
		return false, err
	}
	st.summary.Cells[plan.slot] = c
	st.summary.Reused++
	st.bar.drop(plan.toScore)
	return true, nil
}

// checkBackend refuses to add cells computed on another backend, or by
// another engine, than the folder's finished and partial cells:
// floating-point results differ between them.
func (st *run) checkBackend(backend, engine string) error {
	if st.backend != "" {
		return nil
	}
	st.backend, st.engine = backend, engine
	return refuseChanged(st.folder.records(), func(was setup) (setup, bool) { return was.withBackend(backend, engine), true })
}

// computeCell scores a cell's chunks batch by batch with a loaded
// checkpoint of weights bytes, appending each batch to the cell's .partial
// file (resuming one left by an earlier run of the same setup), then writes
// the result file and removes the partial. cell arrives with its identity
// and provenance filled in; computeCell adds the chunk results and totals.
func (st *run) computeCell(ctx context.Context, session Session, plan cellPlan, cell *results.Cell, weights int64) error {
	fp, err := plan.setup.fingerprint()
	if err != nil {
		return err
	}
	cell.Fingerprint = fp
	header := partialHeader{Fingerprint: fp, Setup: plan.setup}
	path := partialPath(plan.path)
	var done []results.ChunkResult
	switch existing, err := readPartial(path); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case existing.header.Fingerprint != fp:
		if err := mismatch(recordedPartial(existing), plan.setup); err != nil {
			return err
		}
		return anotherPartialSetup(path, []string{"fingerprint " + short(existing.header.Fingerprint) + " there, " + short(fp) + " now"})
	default:
		done = existing.done
	}
	partial, err := startPartial(path, header, done)
	if err != nil {
		return fmt.Errorf("%s: %w", cell.Name(), err)
	}
	defer partial.Close()
	n := plan.source.NumChunks()
	st.bar.drop(plan.toScore - (n - len(done))) // another worker may have saved chunks since the folder was read
	st.bar.describe(cell.Name())
	for start, end := len(done), 0; start < n; start = end {
		next := stepBatch
		if st.fresh {
			next = stepFirst
		}
		batch, err := st.nextBatch(next, n-start, weights)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%s: stopped after %d of %d chunks (kept in %s; run again to continue): %w", cell.Name(), start, n, path, err)
		}
		end = start + batch
		chunks := make([][]byte, 0, end-start)
		for i := start; i < end; i++ {
			chunk, err := plan.source.Chunk(i)
			if err != nil {
				return fmt.Errorf("%s: %w", cell.Name(), err)
			}
			chunks = append(chunks, chunk)
		}
		began := st.clock()
		scored, err := session.Score(chunks)
		if err != nil {
			return fmt.Errorf("%s: chunks %d-%d: %w", cell.Name(), start, end-1, err)
		}
		if len(scored) != len(chunks) {
			return fmt.Errorf("%s: chunks %d-%d: the protocol returned %d results for %d chunks", cell.Name(), start, end-1, len(scored), len(chunks))
		}
		seconds := st.clock().Sub(began).Seconds()
		var lines bytes.Buffer
		tokens := 0
		for k := range scored {
			scored[k].Index = start + k
			scored[k].Seconds = seconds / float64(len(scored))
			if err := checkFinite(scored[k]); err != nil {
				return fmt.Errorf("%s: chunk %d: %w", cell.Name(), start+k, err)
			}
			tokens += scored[k].Tokens
			line, err := json.Marshal(scored[k])
			if err != nil {
				return fmt.Errorf("%s: chunk %d: %w", cell.Name(), start+k, err)
			}
			lines.Write(append(line, '\n'))
		}
		if _, err := partial.Write(lines.Bytes()); err != nil {
			return fmt.Errorf("%s: saving progress to %s: %w", cell.Name(), path, err)
		}
		done = append(done, scored...)
		st.pace.batchDone(len(scored), weights, seconds, st.fresh)
		st.fresh = false
		st.summary.Tokens += tokens
		st.summary.Seconds += seconds
		st.bar.add(len(scored), tokens, seconds)
	}
	cell.PerChunk = done
	if err := cell.Summarize(); err != nil {
		return err
	}
	if err := results.WriteCell(plan.path, cell); err != nil {
		return err
	}
	partial.Close()
	return os.Remove(path)
}

// checkFinite refuses a chunk result with a NaN or infinite cost, which
// finite weights cannot give: it is caught here, before it reaches a file.
func checkFinite(r results.ChunkResult) error {
	if math.IsNaN(r.Bits) || math.IsInf(r.Bits, 0) || math.IsNaN(r.CR) || math.IsInf(r.CR, 0) {
		return fmt.Errorf("the model gave a non-finite cost (%g bits): its log-probabilities overflowed or its weights hold NaN or Inf", r.Bits)
	}
	return nil
}

// mismatch is the error for a cell or .partial file r whose setup is not
// now: one of an earlier version, or of another setup, naming what
// differs; nil when they are the same.
func mismatch(r recorded, now setup) error {
	if r.setup.fromEarlierVersion() {
		return earlierVersion(r.path, r.partial)
	}
	diffs := differences(r.setup, now)
	switch {
	case len(diffs) == 0:
		return nil
	case r.partial:
		return anotherPartialSetup(r.path, diffs)
	}
	return anotherSetup(r.path, diffs)
}

// earlierVersion is the error for a cell or .partial file written before a
// cell's setup recorded config.json and the engine (issue 25).
func earlierVersion(path string, partial bool) error {
	again := "remove the file to compute the cell again"
	if partial {
		again = "remove the file to start the cell over"
	}
	return fmt.Errorf("%s was written by an earlier paperrepro, which did not record the model's config.json or the engine that computed it, so this run cannot tell whether it was computed as this run would: use another -out for this run (the folder's cells still read with tables, fit and figures), or %s",
		path, again)
}

// anotherSetup is the error for a finished cell made with another setup.
func anotherSetup(path string, diffs []string) error {
	return fmt.Errorf("%s was computed with another setup (%s): a folder holds one configuration, so use another output folder, or remove the file to recompute it",
		path, strings.Join(diffs, "; "))
}

// anotherPartialSetup is the error for a .partial file of another setup,
// which is kept: it may be another run's unfinished work.
func anotherPartialSetup(path string, diffs []string) error {
	return fmt.Errorf("%s holds chunks computed with another setup (%s): it is left as it is; finish that run with its own settings, use another output folder, or remove the file to start the cell over",
		path, strings.Join(diffs, "; "))
}

func cloneOptions(options map[string]any) map[string]any {
	out := make(map[string]any, len(options)+1)
	for k, v := range options {
		out[k] = v
	}
	return out
}
