package filesum

import (
	"os"
	"path/filepath"
	"testing"
)

// benchFile writes a 64 MiB file (the size of a small checkpoint shard).
func benchFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "weights")
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkHash reads and hashes 64 MiB: the cost of checking weights
// without the cache (b.SetBytes gives the MB/s).
func BenchmarkHash(b *testing.B) {
	path := benchFile(b)
	b.SetBytes(64 << 20)
	for b.Loop() {
		if _, err := hashFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCached answers for the same file from the cache: a stat and a
// small read, whatever the file's size.
func BenchmarkCached(b *testing.B) {
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	path := benchFile(b)
	if _, err := SHA256(path); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(64 << 20)
	for b.Loop() {
		if _, err := SHA256(path); err != nil {
			b.Fatal(err)
		}
	}
}
