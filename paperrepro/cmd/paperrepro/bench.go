package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

func newBenchCommand() *command {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	models := fs.String("models", paperModels, "comma-separated Pythia sizes to measure (70m, 160m, 410m, 1b, 1.4b, 2.8b, 6.9b, 12b; their public shapes with random weights)")
	config := fs.String("config", "", "measure the shape in this config.json instead of -models (e.g. a checkpoint folder's)")
	compute := addComputeFlags(fs)
	seqLen := fs.Int("seq", protocol.PaperMaxTokens, "tokens per sequence (the paper scores up to 1024)")
	minTime := fs.Duration("time", 10*time.Second, "time each shape's forward pass for at least this long, after one untimed call that compiles it")
	steps := fs.String("steps", paperSteps, "training steps per model in the grid whose ETA is given")
	modalities := fs.String("modalities", "text,image,speech", "modalities of the grid whose ETA is given")
	chunks := fs.Int("chunks", datasets.DefaultCount, "chunks per modality of the grid whose ETA is given")
	sample := fs.Int("sample", 64, "chunks per modality to count tokens on, when the data is present")
	dataDir := fs.String("data-dir", "", "data folder, to count tokens per chunk on the real chunks (default $"+datasets.EnvDataDir+", else ~/.cache/paperrepro/data; else the sample folder testdata/data of this repository)")
	results := fs.String("results", "results/seed+float16", "the `DIR` make reproduce writes cells to: finished cells there are left out of its ETA")
	return &command{
		name:    "bench",
		summary: "measure the forward pass on Pythia's shapes here, and the ETA of the grid and of `make reproduce`",
		help: `Bench builds Pythia-shaped models (the public configs of 70m ... 12b)
with random weights on this machine's backend and times the seed protocol's
forward pass on -batch sequences of -seq tokens. For each shape it reports
tokens/s, the peak memory against the estimate the default -batch rests on,
and what the float64 log-normaliser costs against a float32 one. Then it
gives the ETA of the grid (models x steps x modalities x chunks) and of the
run 'make reproduce' would start, leaving out the cells already in -results.
'paperrepro run' shows its progress in the same units.

Tokens per chunk are counted on the first -sample chunks of each modality in
the data folder, or in the sample folder this repository carries
(testdata/data) for a modality the data folder lacks, with Pythia's
tokenizer (the data folder's, else the Hugging Face cache's, else
testdata/tokenizer/tokenizer.json); a modality without data counts 1024, the
most a chunk is scored on.

A progress bar per shape shows the stage and, from a first call on one
sequence, an ETA within seconds. Ctrl-C or SIGTERM stops bench at once, even
in the middle of a forward pass; it writes nothing, and stops no other
process.

Examples:
  paperrepro bench                           # the paper's five sizes: the grid's ETA
  paperrepro bench -models 70m -time 30s     # one size, longer timing
  paperrepro bench -models 2.8b,6.9b,12b -dtype bfloat16    # the larger shapes, on a GPU
  paperrepro bench -dtype bfloat16 -batch 128
  paperrepro bench -config testdata/neox/parallel-f32/config.json -seq 256`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("bench takes no arguments, got %q", args)
			}
			if *seqLen < 2 || *chunks < 1 || *sample < 0 {
				return usagef("-seq must be at least 2, -chunks at least 1 and -sample not negative")
			}
			shapes, err := benchShapes(*models, *config)
			if err != nil {
				return err
			}
			var cfgs []neox.Config
			for _, s := range shapes {
				cfgs = append(cfgs, s.Config)
			}
			dtype, plan, err := compute.resolve(cfgs, neox.Workload{Len: *seqLen})
			if err != nil {
				return err
			}
			fmt.Fprintln(out.Err, describePlan(plan, dtype))
			var measured []benchLine
			for _, s := range shapes {
				settings := neox.BenchSettings{Batch: plan.Batch, SeqLen: *seqLen, MinTime: *minTime}
				res, err := measureShape(ctx, out.Err, s, neox.Options{DType: dtype}, settings)
				if err != nil {
					return fmt.Errorf("%s: %w", s.Name, batchFlagError(err))
				}
				measured = append(measured, benchLine{s, res})
			}
			printBench(out.Out, measured)
			perChunk, source := tokensPerChunk(*dataDir, splitList(*modalities), *sample)
			stepList := splitList(*steps)
			g := benchGrid{steps: len(stepList), chunks: *chunks, perChunk: perChunk, source: source}
			fmt.Fprintln(out.Out, g.describeTokens())
			fmt.Fprintln(out.Out, g.eta(measured, nil, "grid"))
			done, err := finishedCells(*results, *chunks, stepList)
			if err != nil {
				return err
			}
			fmt.Fprintln(out.Out, g.eta(measured, done, fmt.Sprintf("make reproduce (results in %s)", *results)))
			return nil
		},
	}
}

// measureShape runs neox.Bench on one shape in a goroutine, drawing its
// progress on w, and returns when it is done or as soon as ctx is
// cancelled (Ctrl-C, SIGTERM): one forward pass of a large shape takes
// minutes on a CPU and cannot be interrupted, so the command returns
// without it and the process's exit ends it.
func measureShape(ctx context.Context, w io.Writer, shape neox.Pythia, opts neox.Options, settings neox.BenchSettings) (neox.BenchResult, error) {
	bar := newBenchBar(w, shape.Name)
	settings.Progress = bar.update
	benchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res neox.BenchResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := neox.Bench(benchCtx, shape.Config, opts, settings)
		done <- outcome{res, err}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case o := <-done:
			bar.finish(o.err == nil)
			return o.res, o.err
		case <-ctx.Done():
			bar.finish(false)
			return neox.BenchResult{}, fmt.Errorf("stopped while measuring (%w); nothing was written", context.Cause(ctx))
		case <-tick.C:
			bar.redraw()
		}
	}
}

// benchBar draws one shape's measurement: tokens scored of those planned,
// the stage, and the ETA at the rate of the calls so far (from the first
// call on one sequence, which takes seconds, on).
type benchBar struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar
	name  string
	start time.Time // when the calls began
	seen  time.Time // when last reported
	last  neox.BenchProgress
}

func newBenchBar(w io.Writer, name string) *benchBar {
	b := &benchBar{w: w, name: name, bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionSetItsString("tokens"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(250*time.Millisecond),
	)}
	_ = b.bar.RenderBlank()
	return b
}

// update takes a report from neox.Bench.
func (b *benchBar) update(p neox.BenchProgress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if b.start.IsZero() && p.Stage != "weights" {
		b.start = now
	}
	b.last, b.seen = p, now
	b.bar.ChangeMax64(max(p.Total, 1))
	b.bar.Describe(b.describe(now))
	_ = b.bar.Set64(p.Done)
}

// redraw moves the ETA and elapsed time on during a long call.
func (b *benchBar) redraw() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar.Describe(b.describe(time.Now()))
	_ = b.bar.RenderBlank()
}

// describe is the bar's text at now: the shape, the stage and the ETA.
func (b *benchBar) describe(now time.Time) string {
	text := fmt.Sprintf("%s: %s", b.name, b.last.Stage)
	if b.last.Done == 0 || b.start.IsZero() {
		return text
	}
	perToken := b.seen.Sub(b.start).Seconds() / float64(b.last.Done)
	left := float64(b.last.Total)*perToken - now.Sub(b.start).Seconds()
	return fmt.Sprintf("%s, ETA %s", text, grid.FormatDuration(max(left, 0)))
}

// finish ends the bar and its line: full when the measurement succeeded,
// as it stands otherwise.
func (b *benchBar) finish(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.bar.Describe(b.name + ": done")
		_ = b.bar.Finish()
	}
	_ = b.bar.Exit()
	fmt.Fprintln(b.w)
}

// benchLine is one measured shape.
type benchLine struct {
	shape neox.Pythia
	res   neox.BenchResult
}

// benchShapes are the shapes to measure: Pythia sizes by name, or the one
// in a config.json.
func benchShapes(models, config string) ([]neox.Pythia, error) {
	if config != "" {
		cfg, err := neox.ReadConfig(config)
		if err != nil {
			return nil, err
		}
		return []neox.Pythia{{Name: filepath.Base(filepath.Dir(config)), Config: cfg}}, nil
	}
	var shapes []neox.Pythia
	for _, name := range splitList(models) {
		cfg, err := neox.PythiaConfig(name)
		if err != nil {
			return nil, usagef("-models: %v", err)
		}
		shapes = append(shapes, neox.Pythia{Name: "pythia-" + strings.TrimPrefix(name, "pythia-"), Config: cfg})
	}
	if len(shapes) == 0 {
		return nil, usagef("name at least one model (-models) or a config.json (-config)")
	}
	return shapes, nil
}

func printBench(w io.Writer, lines []benchLine) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tparameters\tbatch x tokens\ttokens/s\tpeak memory\testimate\tfloat64 normaliser\tfloat32 normaliser\t")
	for _, l := range lines {
		r := l.res
		peak := "n/a"
		if r.Peak.Bytes > 0 {
			peak = neox.FormatBytes(r.Peak.Bytes)
		}
		fmt.Fprintf(tw, "%s\t%.1fM\t%d x %d\t%.0f\t%s\t%s\t%.1f%%\t%.1f%%\t\n", l.shape.Name, float64(l.shape.Config.Parameters())/1e6,
			r.Batch, r.SeqLen, r.TokensPerSecond, peak, neox.FormatBytes(r.Estimate),
			100*r.Normaliser64*float64(r.Calls)/r.Seconds, 100*r.Normaliser32*float64(r.Calls)/r.Seconds)
	}
	tw.Flush()
	if len(lines) > 0 {
		r := lines[0].res
		fmt.Fprintf(w, "backend %s, %s; tokens/s over %d timed call(s) after one that compiles; peak memory: %s;\n", r.Backend, r.DType, r.Calls, r.Peak.Source)
		fmt.Fprintln(w, "normalisers: share of the forward pass's time the output layer's log-normaliser takes in float64 (as scored) and would take in float32")
	}
}

// tokensPerChunk counts the tokens the seed protocol scores per chunk of
// each modality on the first sample chunks, and says where the figures
// come from. A modality is counted in the data folder, else in the sample
// data folder this repository carries (testdata/data); one found in
// neither counts 1024, the most a chunk is scored on. The tokenizer is
// Pythia's (findTokenizer).
func tokensPerChunk(dataDir string, modalities []string, sample int) (map[string]float64, string) {
	out := map[string]float64{}
	for _, m := range modalities {
		out[m] = protocol.PaperMaxTokens
	}
	if sample == 0 {
		return out, "assumed 1024 per chunk (-sample 0)"
	}
	var folders []string
	if dir, err := datasets.ResolveDataDir(dataDir); err == nil {
		folders = append(folders, dir)
	}
	if dir := repoPath("testdata", "data"); dir != "" {
		folders = append(folders, dir)
	}
	tokenizerPath := findTokenizer(folders)
	if tokenizerPath == "" {
		return out, "assumed 1024 per chunk (no Pythia tokenizer here: `paperrepro fetch-data -modalities tokenizer` fetches it)"
	}
	tok, err := tokenize.Load(tokenizerPath)
	if err != nil {
		return out, fmt.Sprintf("assumed 1024 per chunk (%v)", err)
	}
	seed := protocol.Seed{Tokenizer: tok}
	countedIn := map[string][]string{} // folder -> modalities counted there
	var missing []string
	for _, m := range modalities {
		counted := false
		for _, dir := range folders {
			if n, ok := meanTokens(seed, m, dir, sample); ok {
				out[m], counted = n, true
				countedIn[dir] = append(countedIn[dir], m)
				break
			}
		}
		if !counted {
			missing = append(missing, m)
		}
	}
	var parts []string
	for _, dir := range folders {
		if ms := countedIn[dir]; len(ms) > 0 {
			parts = append(parts, fmt.Sprintf("%s in %s", strings.Join(ms, ", "), dir))
		}
	}
	source := fmt.Sprintf("counted on the first %d chunks: %s; tokenizer %s", sample, strings.Join(parts, "; "), tokenizerPath)
	if len(parts) == 0 {
		source = fmt.Sprintf("assumed 1024 per chunk (no data in %s: `make data` fetches it)", strings.Join(folders, " or "))
	} else if len(missing) > 0 {
		source += fmt.Sprintf("; %s assumed 1024 (no data)", strings.Join(missing, ", "))
	}
	return out, source
}

// meanTokens is the mean number of tokens the seed protocol scores on the
// first sample chunks of modality m in the data folder dir; false when the
// folder has none.
func meanTokens(seed protocol.Seed, m, dir string, sample int) (float64, bool) {
	src, err := datasets.Open(m, dir, datasets.Options{Count: sample})
	if err != nil {
		return 0, false
	}
	total, n := 0, 0
	for i := range src.NumChunks() {
		chunk, err := src.Chunk(i)
		if err != nil {
			break
		}
		ids, err := seed.Tokens(chunk)
		if err != nil {
			break
		}
		total += len(ids)
		n++
	}
	if n == 0 {
		return 0, false
	}
	return float64(total) / float64(n), true
}

// findTokenizer finds Pythia's tokenizer.json: in one of the data folders,
// else in the Hugging Face cache (as fetch-data brings it), else the copy
// this repository carries; "" when there is none.
func findTokenizer(dataFolders []string) string {
	for _, dir := range dataFolders {
		if path := dataTokenizer(dir); path != "" {
			return path
		}
	}
	client := hub.NewFromEnv()
	if path, err := client.CachedFile(tokenizerRepo, "main", "tokenizer.json"); err == nil {
		return path
	}
	return repoPath("testdata", "tokenizer", "tokenizer.json")
}

// repoPath is the path of elem in the paperrepro repository holding the
// working directory, when both exist; "" otherwise (a binary run outside
// the repository).
func repoPath(elem ...string) string {
	dir, err := os.Getwd()
	for err == nil {
		if mod, readErr := os.ReadFile(filepath.Join(dir, "go.mod")); readErr == nil {
			if !strings.HasPrefix(string(mod), "module github.com/paperrepro/paperrepro\n") {
				return ""
			}
			path := filepath.Join(append([]string{dir}, elem...)...)
			if _, err := os.Stat(path); err != nil {
				return ""
			}
			return path
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// benchGrid is the grid whose ETA bench gives: every measured model at
// steps training steps, chunks chunks of each modality.
type benchGrid struct {
	steps, chunks int
	perChunk      map[string]float64
	source        string
}

func (g benchGrid) describeTokens() string {
	var parts []string
	for _, m := range []string{datasets.Text, datasets.Image, datasets.Speech} {
		if n, ok := g.perChunk[m]; ok {
			parts = append(parts, fmt.Sprintf("%s %.0f", m, n))
		}
	}
	return fmt.Sprintf("tokens scored per chunk: %s (%s)", strings.Join(parts, ", "), g.source)
}

// eta is the line giving the time to score the grid's cells with the
// measured models at their measured rates, leaving out finished ones
// (model/step/modality keys counted per model).
func (g benchGrid) eta(measured []benchLine, finished map[string]int, what string) string {
	seconds, tokens, cells, left := 0.0, 0.0, 0, 0
	for _, l := range measured {
		for m, perChunk := range g.perChunk {
			cells += g.steps
			todo := g.steps - finished[l.shape.Name+"/"+m]
			if todo <= 0 {
				continue
			}
			left += todo
			t := float64(todo) * float64(g.chunks) * perChunk
			tokens += t
			seconds += t / l.res.TokensPerSecond
		}
	}
	return fmt.Sprintf("%s: %s x %s x %s x %d chunks = %d cells, %d to compute: %.3g tokens, ETA %s at the rates above",
		what, plural(len(measured), "model"), plural(g.steps, "step"), plural(len(g.perChunk), "modality"), g.chunks, cells, left, tokens, grid.FormatDuration(seconds))
}

// finishedCells counts the cells of chunks chunks at the given steps in a
// results folder by model/modality; an absent folder has none.
func finishedCells(dir string, chunks int, steps []string) (map[string]int, error) {
	out := map[string]int{}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	cells, err := results.ReadCells(dir)
	if err != nil {
		return nil, fmt.Errorf("-results: %w", err)
	}
	for _, c := range cells {
		if c.Chunks == chunks && slices.Contains(steps, strconv.Itoa(c.Step)) {
			out[c.Model+"/"+c.Modality]++
		}
	}
	return out, nil
}

// plural writes "1 model", "5 models", "3 modalities".
func plural(n int, noun string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("1 %s", noun)
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
