package filesum

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func sumOf(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// withCache points the user cache folder at a temporary one and caches
// the sums of the tests' small files.
func withCache(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the cache folder is set through XDG_CACHE_HOME, which only Linux's os.UserCacheDir reads")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	old := minCachedSize
	minCachedSize = 0
	t.Cleanup(func() { minCachedSize = old })
}

// TestSHA256IsRemembered: the second call answers from the cache (shown by
// planting another sum there), through a symlink too.
func TestSHA256IsRemembered(t *testing.T) {
	withCache(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "weights")
	data := []byte("some weights")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := SHA256(path)
	if err != nil || got != sumOf(data) {
		t.Fatalf("SHA256 = %s, %v; want %s", got, err, sumOf(data))
	}
	real, _, _ := resolve(path)
	e, ok := lookup(real)
	if !ok {
		t.Fatal("nothing remembered")
	}
	e.SHA256 = strings.Repeat("0", 64)
	store(real, e)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if got, _ := SHA256(link); got != e.SHA256 {
		t.Errorf("second call through a symlink = %s, want the remembered %s", got, e.SHA256)
	}
}

// TestChangedFileIsHashedAgain: a byte flipped in place, with the size and
// the modification time put back, is seen (issue 25, S2: a corrupted cache
// blob was used unnoticed).
func TestChangedFileIsHashedAgain(t *testing.T) {
	withCache(t)
	path := filepath.Join(t.TempDir(), "weights")
	data := []byte("some weights, long enough to flip a byte in")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SHA256(path); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	time.Sleep(10 * time.Millisecond) // a later change time
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{data[7] ^ 1}, 7); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), data...)
	flipped[7] ^= 1
	if got, _ := SHA256(path); got != sumOf(flipped) {
		t.Errorf("after the flip: %s, want %s (the bytes' sum), not the remembered %s", got, sumOf(flipped), sumOf(data))
	}
}

// TestRemember: a sum given by the writer is used without reading the file.
func TestRemember(t *testing.T) {
	withCache(t)
	path := filepath.Join(t.TempDir(), "weights")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	planted := strings.Repeat("ab", 32)
	if err := Remember(path, planted); err != nil {
		t.Fatal(err)
	}
	if got, _ := SHA256(path); got != planted {
		t.Errorf("SHA256 = %s, want the remembered %s", got, planted)
	}
	var e entry
	real, _, _ := resolve(path)
	data, _ := os.ReadFile(cacheFile(real))
	if json.Unmarshal(data, &e) != nil || e.Path != real {
		t.Errorf("cache entry %s does not name %s", data, real)
	}
}

func TestNotAFile(t *testing.T) {
	withCache(t)
	if _, err := SHA256(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: got %v", err)
	}
	if _, err := SHA256(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("an absent file: no error")
	}
}

// TestSmallFilesAreNotCached: under minCachedSize nothing is written.
func TestSmallFilesAreNotCached(t *testing.T) {
	withCache(t)
	minCachedSize = 100
	path := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(path, []byte("tiny"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := SHA256(path); err != nil || got != sumOf([]byte("tiny")) {
		t.Fatalf("SHA256 = %s, %v", got, err)
	}
	real, _, _ := resolve(path)
	if _, ok := lookup(real); ok {
		t.Error("a small file's sum was cached")
	}
}
