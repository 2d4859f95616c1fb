package paperrepro

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// The Table 2-4 check on the tiny checkpoints of package pythiatiny:
// the same tableCheck as TestTable2, its expected table the PyTorch
// reference numbers of the tiny grid (pythia-tiny-16 and -32 at step1000
// and step2000, text) instead of the paper's, its tolerance the
// reference's 1e-4, its checkpoints in a Hugging Face cache where the hub
// client puts them (fetched from a fake hub), found through HF_HUB_CACHE
// as a reader's are. The reference scores without the float16 emulation,
// which moves these random models' costs a lot (many of their tokens have
// a probability below float16's smallest), so the tiny check runs the seed
// protocol without it: its cells go to the seed/ folder.

// fakeHubCache fetches the tiny checkpoints of models from a fake hub into a
// new Hugging Face cache, in the layout huggingface_hub uses, and returns the
// cache folder.
func fakeHubCache(t *testing.T, models []string) string {
	t.Helper()
	server := hubtest.Start(t, testenv.TinyGrid(t), "EleutherAI")
	client := &hub.Client{Endpoint: server.URL, CacheDir: t.TempDir()}
	for _, model := range models {
		for _, rev := range miniGrid.revisions {
			if _, err := client.Fetch(context.Background(), "EleutherAI/"+model, rev); err != nil {
				t.Fatal(err)
			}
		}
	}
	return client.CacheDir
}

// tinyCheck is the check of the text cells of models in the tiny grid, of
// chunks chunks, with results in root.
func tinyCheck(t *testing.T, models []string, root string, chunks, batch int) tableCheck {
	t.Helper()
	params := map[string]float64{}
	for _, r := range readFixtureCSV(t, "expected_seed_protocol.csv") {
		params[r["model"]] = atof(t, r["params"])
	}
	// The reference's mean over the first chunks of each cell.
	sums := map[string]float64{}
	for _, r := range readFixtureCSV(t, "expected_seed_protocol_chunks.csv") {
		i, err := strconv.Atoi(r["chunk"])
		if err != nil {
			t.Fatal(err)
		}
		if r["modality"] == datasets.Text && i < chunks {
			sums[r["model"]+"@"+r["step"]] += atof(t, r["compression_ratio"]) / float64(chunks)
		}
	}
	expected := results.Table{Modality: datasets.Text}
	for _, model := range models {
		for _, rev := range miniGrid.revisions {
			step, err := grid.ParseStep(rev)
			if err != nil {
				t.Fatal(err)
			}
			expected.Rows = append(expected.Rows, results.Row{Model: model, Params: params[model], Step: step, CR: sums[model+"@"+rev]})
		}
	}
	return tableCheck{
		modality:  datasets.Text,
		protocol:  grid.EngineOptions{Protocol: grid.ProtocolSeed},
		expected:  expected,
		against:   "the PyTorch reference",
		tolerance: 1e-4,
		chunks:    chunks,
		results:   root,
		dataDir:   testenv.SampleData(t),
		batch:     batch,
		rerun:     "go test ./paperrepro -run '^TestTableCheckChild$'",
		reproduce: "go test ./paperrepro -run '^TestTableCheckChild$' -timeout 0",
	}
}

// TestTableCheckOnFakeCache runs the Table 2-4 check on the tiny
// checkpoints in a fake Hugging Face cache with 1 chunk per cell, as -short
// runs it with 64: the first run computes the 4 cells (-short: the smaller
// model's 2) into results/1chunks and matches the reference, the second
// computes nothing. Then a check of another chunk count on that folder is
// refused, and an empty cache compares nothing and says where the results
// would be.
func TestTableCheckOnFakeCache(t *testing.T) {
	models := miniGrid.models
	if testing.Short() {
		models = models[:1]
	}
	cells := len(models) * len(miniGrid.revisions)
	t.Setenv("HF_HUB_CACHE", fakeHubCache(t, models))
	repo := t.TempDir()
	const chunks = 1
	root := resultsRoot(repo, "", chunks)
	if want := filepath.Join(repo, "results", "1chunks"); root != want {
		t.Fatalf("results folder of %d-chunk cells %s, want %s", chunks, root, want)
	}
	check := tinyCheck(t, models, root, chunks, 0)
	for i, wantComputed := range []int{cells, 0} {
		out, err := check.run(stopByOf(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		log, failure, skip := out.verdict(check)
		t.Logf("run %d:\n%s", i+1, log)
		computed := 0
		if out.summary != nil {
			computed = out.summary.Computed
		}
		if computed != wantComputed || out.compared != cells || out.within != cells || failure != "" || skip != "" {
			t.Errorf("run %d: %d cells computed (want %d), %d compared, %d within 1e-4 (want %d and %d); failure %q, skip %q",
				i+1, computed, wantComputed, out.compared, out.within, cells, cells, failure, skip)
		}
		if out.folder != filepath.Join(root, "seed") {
			t.Errorf("run %d: cells in %s, want %s", i+1, out.folder, filepath.Join(root, "seed"))
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "results", "seed")); !os.IsNotExist(err) {
		t.Errorf("1-chunk cells reached the 2048-chunk folder: %v", err)
	}

	other := tinyCheck(t, models, root, 2, 0)
	if _, err := other.run(stopByOf(t), nil); err == nil || !strings.Contains(err.Error(), "holds 1-chunk text cells") || !strings.Contains(err.Error(), "-tables.chunks=1") {
		t.Errorf("a 2-chunk check on a folder of 1-chunk cells: %v, want a refusal naming -tables.chunks=1", err)
	}

	t.Setenv("HF_HUB_CACHE", t.TempDir())
	empty := tinyCheck(t, models, resultsRoot(t.TempDir(), "", chunks), chunks, 0)
	out, err := empty.run(stopByOf(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	log, failure, skip := out.verdict(empty)
	folder := filepath.Join(empty.results, "seed")
	if failure != "" || !strings.HasPrefix(skip, "NOTHING WAS COMPARED") || !strings.Contains(skip, folder) ||
		!strings.Contains(log, "fetch -models EleutherAI/pythia-tiny-16 -steps step1000,step2000") {
		t.Errorf("empty cache: failure %q, skip %q, want NOTHING WAS COMPARED naming %s; log:\n%s", failure, skip, folder, log)
	}
	if _, err := os.Stat(empty.results); !os.IsNotExist(err) {
		t.Errorf("a check that computed nothing made %s: %v", empty.results, err)
	}
}

// TestTableCheckVerdict checks what the check reports for each way it can
// end, on made-up outcomes.
func TestTableCheckVerdict(t *testing.T) {
	check := tableCheck{modality: "text", against: "the paper", tolerance: 0.01, chunks: 64,
		expected:  results.Table{Rows: make([]results.Row, 25)},
		rerun:     "go test ./paperrepro -run '^TestTable2$' -v -short",
		reproduce: "make reproduce CHUNKS=64"}
	folder := "results/64chunks/seed+float16"
	stopped := fmt.Errorf("pythia-160m step 1000 text: stopped after 16 of 64 chunks: %w", grid.ErrStopBy)
	fetch := []string{hub.FetchCommand("EleutherAI/pythia-1.4b", "step1000,step8000")}
	for _, tc := range []struct {
		name                  string
		out                   tableOutcome
		failure, skip, inLog  []string
		noFailure, noSkipping bool
	}{
		{name: "all within", out: tableOutcome{folder: folder, compared: 25, within: 25}, noFailure: true, noSkipping: true},
		{name: "one off", out: tableOutcome{folder: folder, compared: 25, within: 24, stopped: stopped},
			failure: []string{"1 of 25 compared text cells differ from the paper by more than 0.01"}, noSkipping: true},
		{name: "stopped at the deadline", out: tableOutcome{folder: folder, compared: 3, within: 3, stopped: stopped},
			skip:      []string{"INCOMPLETE: compared 3 of 25 text cells", folder, "22 not yet", "stopped before the test's deadline"},
			inLog:     []string{"STOPPED before the test's deadline", "22 cells still to compute", "stopped after 16 of 64 chunks", "-timeout 0", "paperrepro bench", check.rerun, check.reproduce},
			noFailure: true},
		{name: "nothing cached", out: tableOutcome{folder: folder, notCached: 25, fetch: fetch, hubCache: "/hf/hub"},
			skip:      []string{"NOTHING WAS COMPARED", folder, "25 have no checkpoint in the hub cache /hf/hub"},
			inLog:     []string{"fetch -models EleutherAI/pythia-1.4b -steps step1000,step8000", check.reproduce},
			noFailure: true},
		{name: "stopped, some not cached", out: tableOutcome{folder: folder, compared: 5, within: 5, stopped: stopped, notCached: 10, fetch: fetch, hubCache: "/hf/hub"},
			skip:      []string{"INCOMPLETE: compared 5 of 25", "20 not yet"},
			inLog:     []string{"10 cells still to compute", "10 cells have neither a result"},
			noFailure: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, failure, skip := tc.out.verdict(check)
			for _, w := range tc.failure {
				if !strings.Contains(failure, w) {
					t.Errorf("failure %q does not say %q", failure, w)
				}
			}
			for _, w := range tc.skip {
				if !strings.Contains(skip, w) {
					t.Errorf("skip %q does not say %q", skip, w)
				}
			}
			for _, w := range tc.inLog {
				if !strings.Contains(log, w) {
					t.Errorf("log does not say %q:\n%s", w, log)
				}
			}
			if tc.noFailure && failure != "" || tc.noSkipping && skip != "" {
				t.Errorf("failure %q, skip %q", failure, skip)
			}
			if strings.Contains(skip+log, os.TempDir()) {
				t.Errorf("the messages name a temporary folder:\n%s\n%s", skip, log)
			}
		})
	}
}

// TestTablesResultsFolder checks where TestTable2-4 keep their cells, and
// the make command the messages give to compute them all.
func TestTablesResultsFolder(t *testing.T) {
	engine, err := grid.NewEngine(paperProtocol)
	if err != nil {
		t.Fatal(err)
	}
	if label := engine.Protocol().Label(); label != "seed+float16" {
		t.Errorf("the paper's cells go to %s/, want seed+float16/, where make reproduce writes them", label)
	}
	repo := "/src/paperrepro"
	for _, tc := range []struct {
		given     string
		chunks    int
		root      string
		reproduce string
	}{
		{"", 2048, "/src/paperrepro/results", "make reproduce"},
		{"", 64, "/src/paperrepro/results/64chunks", "make reproduce CHUNKS=64"},
		{"/src/paperrepro/results", 64, "/src/paperrepro/results", "make reproduce CHUNKS=64 RESULTS=results"},
		{"/data/my results", 2048, "/data/my results", "make reproduce 'RESULTS=/data/my results'"},
		{"mine", 64, "/src/paperrepro/mine", "make reproduce CHUNKS=64 RESULTS=mine"},
	} {
		root := resultsRoot(repo, tc.given, tc.chunks)
		if root != tc.root {
			t.Errorf("results folder for %q, %d chunks: %s, want %s", tc.given, tc.chunks, root, tc.root)
		}
		if got := reproduceCommand(repo, root, tc.chunks); got != tc.reproduce {
			t.Errorf("command for %s, %d chunks: %q, want %q", root, tc.chunks, got, tc.reproduce)
		}
	}
}

// The child's settings: its results folder and the text chunks per cell of
// its check.
const (
	tableChildEnv       = "PAPERREPRO_TABLE_CHECK_CHILD"
	tableChildChunksEnv = "PAPERREPRO_TABLE_CHECK_CHILD_CHUNKS"
)

// TestTableCheckChild is the check of the tiny grid exactly as TestTable2
// runs (checkTable, within the test's deadline), one chunk per batch, run as
// a child process by TestTableCheckStopsBeforeTheDeadline; it skips
// otherwise.
func TestTableCheckChild(t *testing.T) {
	root := os.Getenv(tableChildEnv)
	if root == "" {
		t.Skip("run by TestTableCheckStopsBeforeTheDeadline as a child process")
	}
	chunks, err := strconv.Atoi(os.Getenv(tableChildChunksEnv))
	if err != nil {
		t.Fatalf("$%s: %v", tableChildChunksEnv, err)
	}
	checkTable(t, tinyCheck(t, miniGrid.models, root, chunks, 1))
}

// TestTableCheckStopsBeforeTheDeadline runs the tiny grid's check in a
// child go test with a -timeout too short for it: the child must end
// cleanly before its deadline (no "panic: test timed out"), skip saying
// what it compared and what remains, and keep what it computed; a second
// child with time enough must resume from there (the chunks kept are not
// computed again) and pass.
//
// 4 cells of 3 chunks take about 30 s on the pure-Go backend of a shared
// 2-core machine, more than the first child's 12 s (less the 5 s
// tablesReserve) allow. A machine fast enough to finish them in that time
// is given 16 chunks per cell, all the fixture has.
func TestTableCheckStopsBeforeTheDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the tiny grid's check in a child process twice, about 30 s")
	}
	cache := fakeHubCache(t, miniGrid.models)
	child := func(root string, chunks int, timeout time.Duration) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestTableCheckChild$", "-test.v", "-test.timeout="+timeout.String())
		cmd.Env = append(os.Environ(), tableChildEnv+"="+root, fmt.Sprintf("%s=%d", tableChildChunksEnv, chunks), "HF_HUB_CACHE="+cache)
		began := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(began)
		t.Logf("child with %d chunks per cell and -timeout %s ran %.1f s:\n%s", chunks, timeout, took.Seconds(), out)
		if err != nil || strings.Contains(string(out), "panic: test timed out") || took >= timeout {
			t.Fatalf("child with -timeout %s: %v after %.1f s, want a clean end before the deadline", timeout, err, took.Seconds())
		}
		return string(out)
	}

	var root, first string
	var chunks int
	for _, chunks = range []int{3, 16} {
		root = t.TempDir()
		if first = child(root, chunks, 12*time.Second); !strings.Contains(first, "--- PASS") {
			break
		}
		t.Logf("the child finished %d chunks per cell within its timeout on this machine", chunks)
	}
	folder := filepath.Join(root, "seed")
	for _, want := range []string{"STOPPED before the test's deadline", "cells still to compute", "To finish: rerun", "-timeout 0", "--- SKIP: TestTableCheckChild"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first child's output does not say %q", want)
		}
	}
	if !regexp.MustCompile(`(INCOMPLETE: compared [0-3] of 4|NOTHING WAS COMPARED)`).MatchString(first) {
		t.Errorf("the first child does not report partial progress")
	}
	kept := readStatus(t, folder)
	keptChunks := 0
	for _, c := range kept.Cells {
		keptChunks += c.Chunks
	}
	if keptChunks == 0 || kept.Count(grid.CellDone) == 4 {
		t.Fatalf("the first child kept %d chunks in %d finished cells, want some progress and some left", keptChunks, kept.Count(grid.CellDone))
	}
	finished := map[string][]byte{}
	for _, c := range kept.Cells {
		if c.State == grid.CellDone {
			finished[c.Name()] = readCellFile(t, folder, c)
		}
	}

	second := child(root, chunks, 5*time.Minute)
	if !strings.Contains(second, "--- PASS: TestTableCheckChild") || !strings.Contains(second, "4 of 4 cells computed, 4 of them within") {
		t.Errorf("the second child did not finish the check")
	}
	done := readStatus(t, folder)
	if done.Count(grid.CellDone) != 4 {
		t.Fatalf("%d cells done after the second child, want 4", done.Count(grid.CellDone))
	}
	for _, c := range kept.Cells {
		cell, err := results.DecodeCell(readCellFile(t, folder, c))
		if err != nil {
			t.Fatal(err)
		}
		switch c.State {
		case grid.CellDone:
			if string(readCellFile(t, folder, c)) != string(finished[c.Name()]) {
				t.Errorf("%s, finished by the first child, was written again", c.Name())
			}
		case grid.CellInterrupted:
			// The chunks the first child kept are resumed, not scored again:
			// their timings are the first child's.
			seconds := 0.0
			for _, r := range cell.PerChunk[:c.Chunks] {
				seconds += r.Seconds
			}
			if math.Abs(seconds-c.Seconds) > 1e-9 {
				t.Errorf("%s: its first %d chunks took %.6f s, the first child's %.6f s: they were scored again", c.Name(), c.Chunks, seconds, c.Seconds)
			}
			t.Logf("%s resumed after the %d chunks the first child kept", c.Name(), c.Chunks)
		}
	}
}

func readStatus(t *testing.T, folder string) *grid.Status {
	t.Helper()
	st, err := grid.ReadStatus(folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func readCellFile(t *testing.T, folder string, c grid.CellStatus) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(folder, c.Model, fmt.Sprintf("step%d", c.Step), c.Modality+results.CellFileExt))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
