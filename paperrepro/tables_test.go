package paperrepro

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Flags of TestTable2-4. Computing a cell means scoring 2048 chunks with a
// Pythia model: `paperrepro bench` gives the time it takes on a machine. `make reproduce`
// computes them all once, and these tests then only read its results; else
// they compute what the deadline of `go test` (-timeout, 10 minutes by
// default) allows, keep it, and resume there on the next run.
var (
	tablesResults = flag.String("tables.results", "", "results folder of our Table 2-4 cells, as `make reproduce RESULTS=...` and `paperrepro run -out` name it, relative to the repository root: the cells are read from, and computed into, its seed+float16/ (default: results for 2048 chunks, results/<N>chunks for N chunks)")
	tablesChunks  = flag.Int("tables.chunks", datasets.DefaultCount, "chunks per modality of our cells (-short: at most 64)")
	tablesData    = flag.String("tables.data", "", "data folder for computing cells, relative to the repository root (default: $PAPERREPRO_DATA, else ~/.cache/paperrepro/data)")
	tablesBatch   = flag.Int("tables.batch", 0, "chunks per forward pass when computing cells (default: chosen from memory as `paperrepro run` does: as many as fit, at most 8 on a CPU and 256 on a GPU)")
)

// paperProtocol is the protocol Tables 2-4 are checked with, `make
// reproduce`'s: the paper's scoring with its float16 softmax output. Its
// cells are in the seed+float16/ folder of a results folder.
var paperProtocol = grid.EngineOptions{Protocol: grid.ProtocolSeed, Float16: true}

// tablesReserve is the time kept free at the end of the test's deadline
// once the grid has stopped: writing the last cell, comparing and
// reporting, and a compilation the backend may do on a batch shape it has
// not timed.
const tablesReserve = 5 * time.Second

// TestTable2 checks the paper's Table 2 (enwik8 text) cell by cell.
func TestTable2(t *testing.T) { testPaperTable(t, datasets.Text) }

// TestTable3 checks the paper's Table 3 (ImageNet patches).
func TestTable3(t *testing.T) { testPaperTable(t, datasets.Image) }

// TestTable4 checks the paper's Table 4 (LibriSpeech).
func TestTable4(t *testing.T) { testPaperTable(t, datasets.Speech) }

// testPaperTable compares each of the paper's 25 cells of modality with
// ours: read from the results folder when computed there, else computed now
// when the checkpoint is in the local Hugging Face cache (never downloaded),
// else left out with the command that fetches it. Cells compared must be
// within results.PaperTolerance.
//
// Until every cell is compared the test skips, saying what was compared
// and what remains - even under CI=true: a missing multi-gigabyte download
// is not a failure of the code, and TestMiniGrid and TestTableCheck* prove
// the same code path on the tiny checkpoints.
func testPaperTable(t *testing.T, modality string) {
	paper, err := results.LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	theirs, ok := paper.Table(modality)
	if !ok {
		t.Fatalf("the paper has no %s table in expected/", modality)
	}
	chunks := *tablesChunks
	if testing.Short() {
		chunks = min(chunks, 64)
	}
	if chunks < 1 || *tablesBatch < 0 {
		t.Fatalf("-tables.chunks %d, -tables.batch %d: want at least 1 chunk, and a batch of at least 1 (0: chosen from memory)", chunks, *tablesBatch)
	}
	repo := testenv.RepoRoot(t)
	root := resultsRoot(repo, *tablesResults, chunks)
	checkTable(t, tableCheck{
		modality:  modality,
		protocol:  paperProtocol,
		expected:  theirs,
		against:   "the paper",
		tolerance: results.PaperTolerance(modality),
		chunks:    chunks,
		results:   root,
		dataDir:   fromRepo(repo, *tablesData),
		batch:     *tablesBatch,
		rerun:     rerunCommand(t.Name()),
		reproduce: reproduceCommand(repo, root, chunks),
	})
}

// resultsRoot is the results folder of cells of chunks chunks: the one
// given, else the repository's results/ for the paper's 2048 chunks, else
// results/<N>chunks, so that cells of another chunk count are kept but
// never mixed with the paper-sized ones - the folders `make reproduce
// CHUNKS=N` writes to.
func resultsRoot(repo, given string, chunks int) string {
	switch {
	case given != "":
		return fromRepo(repo, given)
	case chunks == datasets.DefaultCount:
		return filepath.Join(repo, "results")
	}
	return filepath.Join(repo, "results", fmt.Sprintf("%dchunks", chunks))
}

// fromRepo resolves a folder given on the go test command line, which runs
// the test in its package's folder, against the repository root, where the
// reader typed it; "" stays "".
func fromRepo(repo, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(repo, path)
}

// rerunCommand is the go test command that runs test again with this
// run's -short and -tables.* flags.
func rerunCommand(test string) string {
	args := []string{"go test ./paperrepro -run '^" + test + "$' -v"}
	if testing.Short() {
		args = append(args, "-short")
	}
	flag.Visit(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "tables.") {
			args = append(args, shellArg("-"+f.Name+"="+f.Value.String()))
		}
	})
	return strings.Join(args, " ")
}

// reproduceCommand is the make command that computes every cell of chunks
// chunks into root; the Makefile's RESULTS folder is resultsRoot's default.
func reproduceCommand(repo, root string, chunks int) string {
	cmd := "make reproduce"
	if chunks != datasets.DefaultCount {
		cmd += fmt.Sprintf(" CHUNKS=%d", chunks)
	}
	if root == resultsRoot(repo, "", chunks) {
		return cmd
	}
	if rel, err := filepath.Rel(repo, root); err == nil && !strings.HasPrefix(rel, "..") {
		root = rel
	}
	return cmd + " " + shellArg("RESULTS="+root)
}

// shellArg quotes s for a shell when it needs quoting.
func shellArg(s string) string {
	if strings.ContainsAny(s, " \t'\"$\\*?") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// tableCheck is one check of a table of compression ratios against
// expected ones: the paper's Table 2, 3 or 4 (TestTable2-4), or the tiny
// checkpoints' reference numbers (TestTableCheck*), by the same code.
type tableCheck struct {
	modality string
	// protocol is the engine's protocol and options; the tokenizer and
	// the batch are chosen as `paperrepro run` chooses them.
	protocol  grid.EngineOptions
	expected  results.Table // the cells to compare with, by model and step
	against   string        // names expected in messages: "the paper"
	tolerance float64
	chunks    int
	// results is the results folder: cells are read from, and computed
	// into, its protocol's subfolder (seed+float16 for the paper's).
	results string
	// dataDir is the data folder ("": $PAPERREPRO_DATA, else the default).
	dataDir string
	// batch is the chunks per forward pass (0: chosen from memory).
	batch int
	// rerun and reproduce are the commands that finish the check, for
	// messages.
	rerun, reproduce string
}

// tableOutcome is what a check found.
type tableOutcome struct {
	folder     string // the protocol folder the cells are in
	comparison string // the comparison table, printed
	compared   int
	within     int
	// summary is the grid run of the cells computed now; nil when none
	// needed computing.
	summary *grid.Summary
	plan    string // the backend and batch they were computed with
	// stopped is the grid's error when it stopped before the test's
	// deadline, with what it kept.
	stopped error
	// notCached counts the cells with neither a result nor a cached
	// checkpoint, and fetch lists the commands that fetch them.
	notCached int
	fetch     []string
	hubCache  string
}

// unavailableError reports what the check needs and lacks, which is no
// failure of the code: the data for cached checkpoints, or a results folder
// of this check's chunk count.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }

// checkTable runs c within the test's deadline and reports: the comparison
// in the log, a failure for a cell out of tolerance, a skip while cells
// remain to compare.
func checkTable(t *testing.T, c tableCheck) {
	var progress io.Writer
	if testing.Verbose() {
		progress = os.Stderr
	}
	out, err := c.run(stopByOf(t), progress)
	var unavailable *unavailableError
	if errors.As(err, &unavailable) {
		testenv.Unavailable(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	log, failure, skip := out.verdict(c)
	t.Log(log)
	if failure != "" {
		t.Error(failure)
	} else if skip != "" {
		t.Skip(skip)
	}
}

// stopByOf is when a check's grid must have stopped: the test's deadline
// (go test -timeout) less tablesReserve; zero without a deadline.
func stopByOf(t *testing.T) time.Time {
	if deadline, ok := t.Deadline(); ok {
		return deadline.Add(-tablesReserve)
	}
	return time.Time{}
}

// run compares our cells with c.expected: those in the results folder, and
// those it computes there from checkpoints in the Hugging Face cache
// (HF_HUB_CACHE or HF_HOME, never downloaded) until stopBy, when set.
func (c tableCheck) run(stopBy time.Time, progress io.Writer) (tableOutcome, error) {
	out := tableOutcome{}
	engine, err := grid.NewEngine(c.protocol)
	if err != nil {
		return out, err
	}
	out.folder = filepath.Join(c.results, engine.Protocol().Label())
	ours, err := ourCells(out.folder, c.modality, c.chunks)
	if err != nil {
		return out, err
	}
	client := hub.NewFromEnv()
	client.Offline = true
	out.hubCache = client.CacheDir
	var toCompute []grid.Checkpoint
	var cached []*hub.Checkpoint
	notCached := map[string][]string{} // repository -> revisions
	var repos []string
	for _, row := range c.expected.Rows {
		if _, ok := ours.CR(row.Model, row.Step); ok {
			continue
		}
		repo, rev := "EleutherAI/"+row.Model, fmt.Sprintf("step%d", row.Step)
		ckpt, err := client.Cached(repo, rev)
		if err != nil {
			if !errors.Is(err, hub.ErrNotCached) {
				return out, err
			}
			if len(notCached[repo]) == 0 {
				repos = append(repos, repo)
			}
			notCached[repo] = append(notCached[repo], rev)
			out.notCached++
			continue
		}
		toCompute = append(toCompute, grid.Checkpoint{Model: row.Model, Step: row.Step, Repo: repo, Revision: rev})
		cached = append(cached, ckpt)
	}
	for _, repo := range repos {
		out.fetch = append(out.fetch, hub.FetchCommand(repo, strings.Join(notCached[repo], ",")))
	}
	if len(toCompute) > 0 {
		if out.summary, out.plan, err = c.compute(client, toCompute, cached, stopBy, progress); errors.Is(err, grid.ErrStopBy) {
			out.stopped = err
		} else if err != nil {
			return out, err
		}
		if len(out.summary.Cells) > 0 {
			computed, err := results.CellTables(out.summary.Cells)
			if err != nil {
				return out, fmt.Errorf("the cells computed now: %w", err)
			}
			ours.Rows = append(ours.Rows, computed[0].Rows...)
		}
	}
	var report strings.Builder
	out.compared, out.within = results.PrintComparison(&report, c.modality, results.Compare(c.expected, ours), c.tolerance)
	out.comparison = report.String()
	return out, nil
}

// compute runs the grid on the cached checkpoints, under the check's
// protocol with the tokenizer and the batch `paperrepro run` would choose,
// into the results folder, stopping by stopBy.
func (c tableCheck) compute(client *hub.Client, cks []grid.Checkpoint, cached []*hub.Checkpoint, stopBy time.Time, progress io.Writer) (*grid.Summary, string, error) {
	dataDir, err := datasets.ResolveDataDir(c.dataDir)
	if err != nil {
		return nil, "", err
	}
	src, err := datasets.Open(c.modality, dataDir, datasets.Options{Count: c.chunks})
	if err != nil {
		return nil, "", &unavailableError{fmt.Errorf("%d checkpoints are cached but the %s data is not: %w (set -tables.data or $%s; `make reproduce` or `paperrepro fetch-data` fetches the data)",
			len(cks), c.modality, err, datasets.EnvDataDir)}
	}
	var cfgs []neox.Config
	for _, ckpt := range cached {
		cfg, err := neox.ReadConfig(filepath.Join(ckpt.Dir, "config.json"))
		if err != nil {
			return nil, "", err
		}
		cfgs = append(cfgs, cfg)
	}
	opts := c.protocol
	opts.FallbackTokenizer = dataTokenizer(dataDir)
	dtype, err := neox.CheckDType(opts.DType)
	if err != nil {
		return nil, "", err
	}
	plan, err := neox.ChooseBatch(cfgs, dtype, grid.WorkloadOf(opts.Protocol), c.batch)
	if err != nil {
		return nil, "", batchError(err)
	}
	opts.Batch = plan.Batch
	engine, err := grid.NewEngine(opts)
	if err != nil {
		return nil, "", err
	}
	runner := &grid.Runner{Hub: client, Engine: engine, Sources: []datasets.Source{src}, Out: c.results,
		BatchSize: plan.Batch, Progress: progress, StopBy: stopBy}
	how := fmt.Sprintf("backend %s, %s, batch %d", plan.Backend, dtype, plan.Batch)
	if plan.Max > 0 {
		how += fmt.Sprintf(" (up to %d fit in %s)", plan.Max, plan.Memory)
	}
	summary, err := runner.Run(context.Background(), cks)
	return summary, how, batchError(err)
}

// batchError names -tables.batch in an error about a batch too large for
// memory; other errors pass through.
func batchError(err error) error {
	var big *neox.BatchTooLargeError
	if errors.As(err, &big) && big.Max > 0 {
		return fmt.Errorf("%w: give -tables.batch=%d or less", err, big.Max)
	}
	return err
}

// dataTokenizer is the data folder's copy of Pythia's tokenizer.json, for
// checkpoints that come without one, as `paperrepro run` uses it; "" when
// there is none.
func dataTokenizer(dataDir string) string {
	path := filepath.Join(dataDir, "tokenizer", "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}

// ourCells reads our cells of modality from a protocol folder; a folder
// that does not exist holds none. Cells of another chunk count make the
// folder unavailable to this check: they cannot be compared as its cells,
// and no cell of its count can be added beside them.
func ourCells(dir, modality string, chunks int) (results.Table, error) {
	table := results.Table{Modality: modality}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return table, nil
	}
	cells, err := results.ReadCells(dir)
	if err != nil {
		return table, err
	}
	var mine []*results.Cell
	for _, c := range cells {
		if c.Modality != modality {
			continue
		}
		if c.Data.Count != chunks {
			return table, &unavailableError{fmt.Errorf("%s holds %d-chunk %s cells (%s among them), and this check is of %d-chunk cells: run it with -tables.chunks=%d, or give -tables.results a folder of %d-chunk cells",
				dir, c.Data.Count, modality, c.Name(), chunks, c.Data.Count, chunks)}
		}
		mine = append(mine, c)
	}
	if len(mine) == 0 {
		return table, nil
	}
	tables, err := results.CellTables(mine)
	if err != nil {
		return table, err
	}
	return tables[0], nil
}

// verdict is the check's log, and its failure or else its skip message
// (both empty when every cell was compared and is within tolerance).
func (o tableOutcome) verdict(c tableCheck) (log, failure, skip string) {
	var b strings.Builder
	fmt.Fprintf(&b, "ours (%d-chunk cells in %s) vs %s:\n%s", c.chunks, o.folder, c.against, o.comparison)
	if s := o.summary; s != nil && s.Tokens > 0 {
		fmt.Fprintf(&b, "computed now: %d cells, %d tokens in %.0f s (%s)\n", s.Computed, s.Tokens, s.Seconds, o.plan)
	}
	total := len(c.expected.Rows)
	left := total - o.compared
	var why []string
	if o.stopped != nil {
		fmt.Fprintf(&b, "STOPPED before the test's deadline (go test -timeout, 10m by default), %d cells still to compute: %v\n"+
			"To finish: rerun `%s` (it resumes where this run stopped), add -timeout 0 to let it run to the end (`paperrepro bench` gives the time it takes), or compute every cell with `%s`.\n",
			left-o.notCached, o.stopped, c.rerun, c.reproduce)
		why = append(why, "the computation stopped before the test's deadline")
	}
	if o.notCached > 0 {
		fmt.Fprintf(&b, "%d cells have neither a result in %s nor a checkpoint in the hub cache %s; fetch them with\n  %s\nthen rerun `%s`, or compute every cell with `%s` (it fetches what it needs).\n",
			o.notCached, o.folder, o.hubCache, strings.Join(o.fetch, "\n  "), c.rerun, c.reproduce)
		why = append(why, fmt.Sprintf("%d have no checkpoint in the hub cache %s", o.notCached, o.hubCache))
	}
	log = b.String()
	switch {
	case o.within < o.compared:
		failure = fmt.Sprintf("%d of %d compared %s cells differ from %s by more than %g (table in the log)",
			o.compared-o.within, o.compared, c.modality, c.against, c.tolerance)
	case o.compared == 0:
		skip = fmt.Sprintf("NOTHING WAS COMPARED: no %s cell has a result in %s yet (%s); the log says what to run",
			c.modality, o.folder, strings.Join(why, "; "))
	case left > 0:
		skip = fmt.Sprintf("INCOMPLETE: compared %d of %d %s cells (results in %s), all within %g of %s; %d not yet (%s); the log says what to run",
			o.compared, total, c.modality, o.folder, c.tolerance, c.against, left, strings.Join(why, "; "))
	}
	return log, failure, skip
}
