// Package testenv locates the files tests need: the repository's own
// testdata/ and expected/ folders, and the read-only ../shared folder of real
// data and golden fixtures that sits beside a developer's or CI's checkout.
//
// A test that needs ../shared skips with a clear reason when it is absent,
// except under CI=true, where it fails: a reproducibility test that silently
// skipped would look green without having checked anything.
package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/csvtable"
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
	root := os.Getenv("PAPERREPRO_SHARED")
	if root == "" {
		root = filepath.Join(filepath.Dir(RepoRoot(t)), "shared")
	}
	path := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		Unavailable(t, "needs %s from the shared data folder (set PAPERREPRO_SHARED to its location): %v", path, err)
	}
	return path
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
