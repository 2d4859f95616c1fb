// Package testenv locates the files tests need: the repository's own
// testdata/ and expected/ folders, and the read-only ../shared folder of real
// data and golden fixtures that sits beside a developer's or CI's checkout.
//
// Every clone carries enough to run the checks that matter: SampleData is a
// small data folder (text, speech and Pythia's tokenizer) and TinyGrid writes
// the tiny GPT-NeoX checkpoints whose expected numbers an independent
// reference computed (testdata/pythia-tiny). Only what cannot ship in the
// repository - ImageNet-derived bytes, the larger samples - is read from
// ../shared.
//
// A test that needs ../shared skips with a clear reason when it is absent,
// except under CI=true, where it fails: a reproducibility test that silently
// skipped would look green without having checked anything.
package testenv

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/csvtable"
	"github.com/paperrepro/paperrepro/paperrepro/internal/pythiatiny"
)

// RepoRoot returns the repository root: the nearest folder above the working
// directory that holds go.mod. It fails the test when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Testdata returns the path of elem under the repository's testdata/ folder.
func Testdata(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{RepoRoot(t), "testdata"}, elem...)...)
}

// SampleData returns testdata/data, the data folder every clone carries, in
// the layout `paperrepro fetch-data` writes: the first 256 KiB of enwik8
// (128 chunks of 2048 bytes), the first two utterances of the shared
// LibriSpeech sample in file-name order (about 700 KB of PCM, 343 chunks)
// and Pythia's tokenizer. Its first chunks are those of ../shared/data, so
// the same expected numbers hold for both. It has no images: ImageNet's
// licence keeps them out of the repository.
func SampleData(t testing.TB) string {
	t.Helper()
	return Testdata(t, "data")
}

// TinyGrid writes the tiny checkpoints of package pythiatiny into a new
// temporary folder, as <model>/<revision>/{config.json,model.safetensors},
// and returns it. Every file has the sha256 recorded in
// testdata/pythia-tiny/SHA256SUMS, the files the reference's expected
// numbers (TinyExpected) were computed on.
func TinyGrid(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := pythiatiny.WriteFiles(dir, tinyFiles(t)); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

// TinyCheckpoint writes one checkpoint of the tiny grid (see TinyGrid) into
// a new temporary folder, as <model>/<revision>/, and returns that folder.
func TinyCheckpoint(t testing.TB, model, revision string) string {
	t.Helper()
	prefix := model + "/" + revision + "/"
	files := map[string][]byte{}
	for name, content := range tinyFiles(t) {
		if strings.HasPrefix(name, prefix) {
			files[name] = content
		}
	}
	if len(files) == 0 {
		t.Fatalf("testenv: the tiny grid has no %s at %s", model, revision)
	}
	dir := t.TempDir()
	if err := pythiatiny.WriteFiles(dir, files); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return filepath.Join(dir, model, revision)
}

// tiny holds the tiny grid's files, generated and checked once per test
// binary (about a second of CPU), for every test that writes them.
var tiny struct {
	once  sync.Once
	files map[string][]byte
	err   error
}

// tinyFiles returns the tiny grid's files by their paths in the grid
// folder, failing the test when they are not those SHA256SUMS lists.
func tinyFiles(t testing.TB) map[string][]byte {
	t.Helper()
	sums := Testdata(t, "pythia-tiny", "SHA256SUMS")
	tiny.once.Do(func() {
		if tiny.files, tiny.err = pythiatiny.Grid(); tiny.err == nil {
			tiny.err = checkSums(tiny.files, sums)
		}
	})
	if tiny.err != nil {
		t.Fatalf("testenv: the generated tiny checkpoints are not the ones the expected numbers were computed on: %v\n"+
			"(after changing package pythiatiny, run testdata/pythia-tiny/make_expected.sh)", tiny.err)
	}
	return tiny.files
}

// TinyExpected returns the path of one of the reference's files for the
// tiny grid: expected_seed_protocol.csv (per cell) or
// expected_seed_protocol_chunks.csv (per chunk).
func TinyExpected(t testing.TB, name string) string {
	t.Helper()
	return Testdata(t, "pythia-tiny", name)
}

// checkSums checks that files (by slash-separated path) are exactly those
// listed in sums, in sha256sum's format, with those hashes.
func checkSums(files map[string][]byte, sums string) error {
	f, err := os.Open(sums)
	if err != nil {
		return err
	}
	defer f.Close()
	listed := 0
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		want, name, ok := strings.Cut(lines.Text(), "  ")
		if !ok {
			return fmt.Errorf("%s: line %q is not \"<sha256>  <file>\"", sums, lines.Text())
		}
		content, ok := files[name]
		if !ok {
			return fmt.Errorf("%s lists %s, which was not written", sums, name)
		}
		if got := sha256.Sum256(content); hex.EncodeToString(got[:]) != want {
			return fmt.Errorf("%s has sha256 %x, %s says %s", name, got, sums, want)
		}
		listed++
	}
	if err := lines.Err(); err != nil {
		return fmt.Errorf("%s: %w", sums, err)
	}
	if len(files) != listed {
		return fmt.Errorf("%d files written, %s lists %d", len(files), sums, listed)
	}
	return nil
}

// Expected returns the path of elem under the repository's expected/ folder,
// which holds the paper's own numbers.
func Expected(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{RepoRoot(t), "expected"}, elem...)...)
}

// Shared returns the path of elem under ../shared (relative to the repository
// root), or $PAPERREPRO_SHARED when that is set. When the path does not exist
// the test is skipped with the reason, or fails when CI=true.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	path, err := LookupShared(t, elem...)
	if err != nil {
		Unavailable(t, "%v", err)
	}
	return path
}

// LookupShared is Shared for a test that goes on without the path: it
// returns the path, or an error saying what is missing and where it was
// looked for.
func LookupShared(t testing.TB, elem ...string) (string, error) {
	t.Helper()
	root := os.Getenv("PAPERREPRO_SHARED")
	if root == "" {
		root = filepath.Join(filepath.Dir(RepoRoot(t)), "shared")
	}
	path := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		return path, fmt.Errorf("needs %s from the shared data folder, which a clone does not carry (set PAPERREPRO_SHARED to its location): %w", path, err)
	}
	return path, nil
}

// Unavailable skips the test because something it needs is missing, or fails
// it when CI=true, where every test must really run.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true, so this cannot be skipped: "+format, args...)
		return
	}
	t.Skipf(format, args...)
}

// CSVRecords reads the CSV file at path (a golden table, for example) into one
// record per data row, keyed by the header's column names (lower-cased). A
// file that cannot be read, or a row whose width differs from the header's,
// fails the test.
func CSVRecords(t testing.TB, path string) []map[string]string {
	t.Helper()
	table, err := csvtable.ReadFile(path)
	if err != nil {
		t.Fatalf("testenv: %v", err)
		return nil
	}
	records := make([]map[string]string, 0, len(table.Records))
	for _, r := range table.Records {
		records = append(records, r.Map())
	}
	return records
}

// CopyDir copies the files of the folder src (not its subfolders) into dst,
// which it makes, for a test that must change a fixture it may not touch.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
