package paperrepro

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// miniGrid is the tiny grid of package pythiatiny: two random tiny GPT-NeoX
// models with Pythia's vocabulary at two "steps", written by
// testenv.TinyGrid and served by a fake hub. testdata/pythia-tiny holds the
// numbers an independent PyTorch reference computed on them.
var miniGrid = struct {
	models    []string
	revisions []string
}{
	models:    []string{"pythia-tiny-16", "pythia-tiny-32"},
	revisions: []string{"step1000", "step2000"},
}

// The mini grid's sizes. The reference has 16 chunks of 2048 bytes per
// modality. The seed protocol scores them at a few hundred tokens/s on the
// pure-Go backend, so all 16 take minutes and the default checks the first 2.
// The lossless protocol runs the model's decoder once per token, twice (to
// compress, then to decompress and compare), at about 230 tokens/s for these
// tiny models: by default it codes one 256-byte chunk per cell.
// -short runs both protocols on the smaller model's two steps only (a third
// of the cost: the output layer over Pythia's vocabulary dominates), one
// seed chunk per cell, of 512 bytes for text and speech (the reference has
// 4 of those too), and one lossless chunk of 64 bytes.
// The full checks:
//
//	go test ./paperrepro -run MiniGrid -timeout 0 -minigrid.chunks=16 -minigrid.lossless-chunks=16 -minigrid.lossless-bytes=2048
var (
	miniGridChunks         = flag.Int("minigrid.chunks", 2, "seed-protocol chunks per modality in TestMiniGrid (the reference has 16)")
	miniGridLosslessChunks = flag.Int("minigrid.lossless-chunks", 1, "lossless-protocol chunks per modality in TestMiniGrid")
	miniGridLosslessBytes  = flag.Int("minigrid.lossless-bytes", 256, "bytes per lossless-protocol chunk in TestMiniGrid (the paper's chunks: 2048; a multiple of 64)")
)

// miniGridModalities are the modalities the mini grid scores, in the order
// of its cells.
var miniGridModalities = []string{datasets.Text, datasets.Image, datasets.Speech}

// chunkBytes gives every modality of miniGridModalities chunks of size
// bytes, as miniGridSetup takes them.
func chunkBytes(size int) map[string]int {
	sizes := map[string]int{}
	for _, m := range miniGridModalities {
		sizes[m] = size
	}
	return sizes
}

// miniGridData returns the data folder of modality: the sample every clone
// carries for text and speech, ../shared/data for images (ImageNet's bytes
// stay out of the repository), or an error saying what is missing.
func miniGridData(t *testing.T, modality string) (string, error) {
	t.Helper()
	if modality == datasets.Image {
		dir, err := testenv.LookupShared(t, "data", "imagenet-sample")
		if err != nil {
			return "", fmt.Errorf("the image cells' reference numbers are of ImageNet patches, whose licence keeps them out of the repository: %w", err)
		}
		return filepath.Dir(dir), nil
	}
	return testenv.SampleData(t), nil
}

// miniGridSetup starts the fake hub on the tiny grid and opens chunks
// chunks of each modality in sizes, of the size it gives (those of the
// modalities that are here), exactly as `paperrepro run` would against the
// real hub and data folder. It returns the runner, the checkpoints of models
// at the grid's steps, the tokenizer's path and, for each modality left out,
// why.
func miniGridSetup(t *testing.T, models []string, chunks int, sizes map[string]int) (*grid.Runner, []grid.Checkpoint, string, map[string]error) {
	t.Helper()
	server := hubtest.Start(t, testenv.TinyGrid(t), "EleutherAI")
	client := &hub.Client{Endpoint: server.URL, CacheDir: t.TempDir()}
	var checkpoints []grid.Checkpoint
	for _, model := range models {
		for _, rev := range miniGrid.revisions {
			step, err := grid.ParseStep(rev)
			if err != nil {
				t.Fatal(err)
			}
			checkpoints = append(checkpoints, grid.Checkpoint{Model: model, Step: step, Repo: "EleutherAI/" + model, Revision: rev})
		}
	}
	var sources []datasets.Source
	missing := map[string]error{}
	for _, modality := range miniGridModalities {
		size, ok := sizes[modality]
		if !ok {
			continue
		}
		data, err := miniGridData(t, modality)
		if err != nil {
			missing[modality] = err
			continue
		}
		src, err := datasets.Open(modality, data, datasets.Options{Count: chunks, ChunkSize: size})
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, src)
	}
	runner := &grid.Runner{Hub: client, Sources: sources, BatchSize: 4}
	if testing.Verbose() {
		runner.Progress = os.Stderr
	}
	return runner, checkpoints, filepath.Join(testenv.SampleData(t), "tokenizer", "tokenizer.json"), missing
}

// expectedChunk is one row of expected_seed_protocol_chunks*.csv.
type expectedChunk struct {
	tokens int
	cr     float64
}

// expectedChunks reads the reference's per-chunk numbers, of 2048-byte
// chunks (expected_seed_protocol_chunks.csv) and of 512-byte ones
// (expected_seed_protocol_chunks_512.csv), keyed by
// model/step/modality/chunk bytes/index.
func expectedChunks(t *testing.T) map[string]expectedChunk {
	t.Helper()
	perChunk := map[string]expectedChunk{}
	for size, name := range map[int]string{datasets.DefaultChunkSize: "expected_seed_protocol_chunks.csv", 512: "expected_seed_protocol_chunks_512.csv"} {
		for _, r := range readFixtureCSV(t, name) {
			step, err := grid.ParseStep(r["step"])
			if err != nil {
				t.Fatal(err)
			}
			tokens, err := strconv.Atoi(r["tokens"])
			if err != nil {
				t.Fatal(err)
			}
			perChunk[fmt.Sprintf("%s/%d/%s/%d/%s", r["model"], step, r["modality"], size, r["chunk"])] = expectedChunk{tokens, atof(t, r["compression_ratio"])}
		}
	}
	return perChunk
}

// readFixtureCSV reads one of the reference's CSVs for the tiny grid into
// records keyed by the header's column names.
func readFixtureCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	return testenv.CSVRecords(t, testenv.TinyExpected(t, name))
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMiniGrid runs the whole pipeline - fake hub, hub cache, neox, tokenizer,
// real data chunks, both protocols, result files, tables, figures and the fit
// - on the tiny checkpoints, one subtest per protocol and modality. The seed
// protocol's numbers must match the independent PyTorch reference
// (testdata/pythia-tiny) within 1e-4; every chunk must round-trip under the
// lossless protocol. Images need ../shared; text and speech run on any
// clone.
func TestMiniGrid(t *testing.T) {
	seedChunks, seedBytes, losslessBytes := *miniGridChunks, chunkBytes(datasets.DefaultChunkSize), *miniGridLosslessBytes
	models := miniGrid.models
	if testing.Short() {
		seedChunks, losslessBytes, models = min(seedChunks, 1), min(losslessBytes, 64), models[:1]
		seedBytes[datasets.Text], seedBytes[datasets.Speech] = 512, 512
	}
	// The two protocols run side by side, each on a core: a tiny model's
	// operations are too small for the backend to spread over both.
	t.Run("seed", func(t *testing.T) {
		t.Parallel()
		testMiniGridSeed(t, models, seedChunks, seedBytes)
	})
	t.Run("lossless", func(t *testing.T) {
		t.Parallel()
		testMiniGridLossless(t, models, *miniGridLosslessChunks, losslessBytes)
	})
}

func testMiniGridSeed(t *testing.T, models []string, chunks int, sizes map[string]int) {
	runner, checkpoints, tokenizer, missing := miniGridSetup(t, models, chunks, sizes)
	perChunk := expectedChunks(t)
	cells := map[string]expectedCell{}
	for _, r := range readFixtureCSV(t, "expected_seed_protocol.csv") {
		n, err := strconv.Atoi(r["chunks"])
		if err != nil {
			t.Fatal(err)
		}
		cells[r["model"]+"/"+r["step"]+"/"+r["modality"]] = expectedCell{atof(t, r["params"]), n, atof(t, r["compression_ratio"])}
	}

	seed, err := grid.NewEngine(grid.EngineOptions{Protocol: grid.ProtocolSeed, Tokenizer: tokenizer})
	if err != nil {
		t.Fatal(err)
	}
	runner.Engine = seed
	runner.Out = t.TempDir()
	summary, err := runner.Run(context.Background(), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(checkpoints) * len(runner.Sources); len(summary.Cells) != want {
		t.Fatalf("%d cells, want %d", len(summary.Cells), want)
	}
	t.Logf("seed protocol, %d chunks per modality: %d cells, %d tokens in %.1f s of scoring: %.0f tokens/s (backend %s)",
		chunks, len(summary.Cells), summary.Tokens, summary.Seconds, summary.TokensPerSecond(), summary.Cells[0].Backend)

	reread, err := results.ReadCells(runner.Out)
	if err != nil || len(reread) != len(summary.Cells) {
		t.Fatalf("reading the result files back: %d cells, %v", len(reread), err)
	}
	tables, err := results.CellTables(reread)
	if err != nil {
		t.Fatal(err)
	}
	for _, modality := range miniGridModalities {
		t.Run(modality, func(t *testing.T) {
			if err := missing[modality]; err != nil {
				testenv.Unavailable(t, "%v", err)
				return
			}
			compared := 0
			for _, c := range summary.Cells {
				if c.Modality == modality {
					checkSeedCell(t, c, cells, perChunk, chunks, sizes[modality])
					compared++
				}
			}
			if compared != len(checkpoints) {
				t.Errorf("%d %s cells, want one per checkpoint (%d)", compared, modality, len(checkpoints))
			}
			i := slices.IndexFunc(tables, func(table results.Table) bool { return table.Modality == modality })
			if i < 0 {
				t.Fatalf("no %s table from the result files", modality)
			}
			if err := tables[i].Validate(); err != nil {
				t.Errorf("%s table: %v", modality, err)
			}
			// Four cells (two with -short) cannot determine the law's five
			// coefficients: the fit must refuse, not return a meaningless curve.
			if _, err := scaling.FitTable(scaling.PowerLaw{}, tables[i]); err == nil || !strings.Contains(err.Error(), "need at least 6") {
				t.Errorf("%s: fitting %d cells: %v, want a refusal", modality, len(tables[i].Rows), err)
			}
		})
	}
	checkFigures(t, tables)
}

// checkSeedCell compares a seed-protocol cell of the mini grid, of chunks
// chunks of size bytes, with the reference: its mean ratio, each chunk's
// tokens and ratio, and its provenance.
func checkSeedCell(t *testing.T, c *results.Cell, cells map[string]expectedCell, perChunk map[string]expectedChunk, chunks, size int) {
	t.Helper()
	key := cellKey(c)
	want, ok := cells[key]
	if !ok {
		t.Errorf("cell %s is not in the reference", key)
		return
	}
	// The cell's expected mean: the reference's own when all 16 chunks
	// of the paper's size ran, else the mean of the reference's first
	// chunks.
	wantCR := want.cr
	if chunks != want.chunks || size != datasets.DefaultChunkSize {
		wantCR = 0
		for i := range chunks {
			w, ok := perChunk[fmt.Sprintf("%s/%d/%d", key, size, i)]
			if !ok {
				t.Fatalf("%s: the reference has no chunk %d of %d bytes", key, i, size)
			}
			wantCR += w.cr / float64(chunks)
		}
	}
	if math.Abs(c.CR-wantCR) > 1e-4 || c.Params != want.params || c.Chunks != chunks || c.DroppedChunks != 0 {
		t.Errorf("%s: CR %.8f params %.0f chunks %d dropped %d; want CR %.8f params %.0f chunks %d dropped 0",
			key, c.CR, c.Params, c.Chunks, c.DroppedChunks, wantCR, want.params, chunks)
	}
	for _, r := range c.PerChunk {
		w := perChunk[fmt.Sprintf("%s/%d/%d", key, size, r.Index)]
		if r.Tokens != w.tokens || math.Abs(r.CR-w.cr) > 1e-4 {
			t.Errorf("%s chunk %d: %d tokens CR %.8f; want %d tokens CR %.8f", key, r.Index, r.Tokens, r.CR, w.tokens, w.cr)
		}
	}
	if c.Checkpoint.Commit == "" || len(c.Checkpoint.WeightsSHA256) != 64 || len(c.Data.Files) == 0 || c.Protocol.Name != "seed" {
		t.Errorf("%s: provenance incomplete: %+v %+v %+v", key, c.Checkpoint, c.Protocol, c.Data.Files)
	}
}

// checkFigures draws the mini grid's figures: at least one PNG per table,
// each one decoding.
func checkFigures(t *testing.T, tables []results.Table) {
	t.Helper()
	paths, err := figures.WriteAll(t.TempDir(), tables)
	if err != nil {
		t.Fatal(err)
	}
	pngs := 0
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || info.Size() == 0 {
			t.Errorf("figure %s: %v", p, err)
			continue
		}
		if strings.HasSuffix(p, ".png") {
			pngs++
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(f); err != nil {
				t.Errorf("figure %s does not decode: %v", p, err)
			}
			f.Close()
		}
	}
	if pngs < len(tables) {
		t.Errorf("%d PNG figures from the mini grid's %d tables, want at least one per table: %v", pngs, len(tables), paths)
	}
}

func testMiniGridLossless(t *testing.T, models []string, chunks, chunkSize int) {
	runner, checkpoints, tokenizer, missing := miniGridSetup(t, models, chunks, chunkBytes(chunkSize))
	lossless, err := grid.NewEngine(grid.EngineOptions{Protocol: grid.ProtocolLossless, Tokenizer: tokenizer})
	if err != nil {
		t.Fatal(err)
	}
	runner.Engine = lossless
	runner.Out = t.TempDir()
	summary, err := runner.Run(context.Background(), checkpoints)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lossless protocol, %d chunks of %d bytes per modality: %d cells, %d tokens coded and decoded in %.1f s: %.0f tokens/s",
		chunks, chunkSize, len(summary.Cells), summary.Tokens, summary.Seconds, summary.TokensPerSecond())
	for _, modality := range miniGridModalities {
		t.Run(modality, func(t *testing.T) {
			if err := missing[modality]; err != nil {
				testenv.Unavailable(t, "%v", err)
				return
			}
			coded := 0
			for _, c := range summary.Cells {
				if c.Modality == modality {
					checkLosslessCell(t, c, chunks)
					coded++
				}
			}
			if coded != len(checkpoints) {
				t.Errorf("%d %s cells, want one per checkpoint (%d)", coded, modality, len(checkpoints))
			}
		})
	}
}

// checkLosslessCell checks that every chunk of a lossless cell round-tripped
// in about its ideal code length.
func checkLosslessCell(t *testing.T, c *results.Cell, chunks int) {
	t.Helper()
	if c.Chunks != chunks {
		t.Errorf("%s: %d chunks, want %d", cellKey(c), c.Chunks, chunks)
	}
	for _, r := range c.PerChunk {
		// The real stream is close to the ideal code length: within the
		// coder's flush and the CDF quantisation, which can also land a
		// few bits below the float model's ideal.
		overhead := float64(8*r.CompressedBytes) - r.Bits
		if !r.RoundTrip || r.CompressedBytes == 0 || math.Abs(overhead) > 64+0.01*r.Bits {
			t.Errorf("%s chunk %d: round trip %v, %d bytes for %.1f ideal bits", cellKey(c), r.Index, r.RoundTrip, r.CompressedBytes, r.Bits)
		}
	}
	t.Logf("%s: lossless CR %.4f", cellKey(c), c.CR)
}

// expectedCell is one row of expected_seed_protocol.csv.
type expectedCell struct {
	params float64
	chunks int
	cr     float64
}

func cellKey(c *results.Cell) string {
	return fmt.Sprintf("%s/%d/%s", c.Model, c.Step, c.Modality)
}

// BenchmarkMiniGridSeedCell measures one cell of the mini grid end to end
// (checkpoint from the hub cache, model load, 4 text chunks under the seed
// protocol, result file) and reports the scoring throughput in tokens/s.
func BenchmarkMiniGridSeedCell(b *testing.B) {
	data := testenv.SampleData(b)
	server := hubtest.Start(b, testenv.TinyGrid(b), "EleutherAI")
	src, err := datasets.Open(datasets.Text, data, datasets.Options{Count: 4})
	if err != nil {
		b.Fatal(err)
	}
	engine, err := grid.NewEngine(grid.EngineOptions{Protocol: grid.ProtocolSeed, Tokenizer: filepath.Join(data, "tokenizer", "tokenizer.json")})
	if err != nil {
		b.Fatal(err)
	}
	runner := &grid.Runner{Hub: &hub.Client{Endpoint: server.URL, CacheDir: b.TempDir()}, Engine: engine, Sources: []datasets.Source{src}, BatchSize: 4}
	cks := []grid.Checkpoint{{Model: "pythia-tiny-16", Step: 1000, Repo: "EleutherAI/pythia-tiny-16", Revision: "step1000"}}
	tokens, seconds := 0, 0.0
	for b.Loop() {
		runner.Out = b.TempDir()
		summary, err := runner.Run(context.Background(), cks)
		if err != nil {
			b.Fatal(err)
		}
		tokens += summary.Tokens
		seconds += summary.Seconds
	}
	b.ReportMetric(float64(tokens)/seconds, "tokens/s")
}
