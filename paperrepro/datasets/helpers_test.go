package datasets_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// sharedData returns ../shared/data, skipping the test when it is absent.
func sharedData(t testing.TB) string {
	t.Helper()
	return testenv.Shared(t, "data")
}

// allChunks returns every chunk of src, concatenated.
func allChunks(t testing.TB, src datasets.Source) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := datasets.WriteChunks(&buf, src); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes content to dir/rel, creating folders.
func writeFile(t testing.TB, dir, rel string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantError fails unless err is non-nil and its message holds every part.
func wantError(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
}
