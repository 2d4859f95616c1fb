// Package filesum gives the sha256 of a file's bytes, computed once per
// version of the file: a sum is remembered in a small cache keyed by the
// file's path and stamp (size and modification time; on Linux also its
// inode and change time, which no user can set back) and computed again
// whenever the stamp differs. Checkpoints of several gigabytes are checked
// on every run this way at the cost of a stat; files under 16 MiB are
// simply hashed.
//
// The cache lives in the user's cache folder (os.UserCacheDir, e.g.
// ~/.cache/paperrepro/sha256), one small file per hashed file; without a
// cache folder every call hashes.
package filesum

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// entry is one remembered sum.
type entry struct {
	Path   string `json:"path"`
	Stamp  stamp  `json:"stamp"`
	SHA256 string `json:"sha256"`
}

// SHA256 returns the hex sha256 of the bytes of the file at path (symlinks
// followed), from the cache when the file has not changed since it was
// last hashed.
func SHA256(path string) (string, error) {
	real, info, err := resolve(path)
	if err != nil {
		return "", err
	}
	if info.Size() < minCachedSize {
		return hashFile(real)
	}
	if e, ok := lookup(real); ok && e.Stamp == stampOf(info) {
		return e.SHA256, nil
	}
	sum, err := hashFile(real)
	if err != nil {
		return "", err
	}
	// The file may have changed while it was read; remember the sum only
	// for the version that was there before and after.
	if _, after, err := resolve(path); err == nil && stampOf(after) == stampOf(info) {
		store(real, entry{Path: real, Stamp: stampOf(info), SHA256: sum})
	}
	return sum, nil
}

// Remember records sum as the sha256 of the file at path as it is now, for
// a caller that hashed the bytes while writing them (a download checked
// against the server's sum), so that the next SHA256 need not read them.
func Remember(path, sum string) error {
	real, info, err := resolve(path)
	if err != nil || info.Size() < minCachedSize {
		return err
	}
	store(real, entry{Path: real, Stamp: stampOf(info), SHA256: sum})
	return nil
}

// minCachedSize is the size below which a file is hashed on every call:
// that takes milliseconds, and leaves no cache entries behind for the many
// small files tests make and delete.
var minCachedSize int64 = 16 << 20

// resolve returns path with symlinks followed, and its file info.
func resolve(path string) (string, os.FileInfo, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, err
	}
	if real, err = filepath.Abs(real); err != nil {
		return "", nil, err
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", nil, err
	}
	if !info.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s is not a regular file", path)
	}
	return real, info, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cacheFile is where the sum of the file at real is remembered, or "".
func cacheFile(real string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	key := sha256.Sum256([]byte(real))
	return filepath.Join(dir, "paperrepro", "sha256", hex.EncodeToString(key[:16])+".json")
}

func lookup(real string) (entry, bool) {
	path := cacheFile(real)
	if path == "" {
		return entry{}, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return entry{}, false
	}
	var e entry
	if json.Unmarshal(data, &e) != nil || e.Path != real {
		return entry{}, false
	}
	return e, true
}

// store remembers e; a cache that cannot be written only costs a hash later.
func store(real string, e entry) {
	path := cacheFile(real)
	if path == "" {
		return
	}
	data, err := json.Marshal(e)
	if err != nil || os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	_ = atomicfile.Write(path, data, 0o644)
}
