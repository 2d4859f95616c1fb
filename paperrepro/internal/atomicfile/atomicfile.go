// Package atomicfile writes whole files so that a reader, or a run killed
// midway, sees either the old file or the new one, never half of one.
//
// The data goes to a temporary file in the destination's folder, is synced
// to disk, and is renamed over the destination; the rename is atomic on the
// same file system. Results, checkpoint refs and compressed files are all
// written this way.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm (before the umask, as
// os.WriteFile does; 0o644 for outputs others read). The folder must exist.
// On failure path is untouched and no temporary file is left behind.
func Write(path string, data []byte, perm fs.FileMode) error {
	tmp, err := createTemp(path, perm)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new hidden file beside path. Unlike os.CreateTemp,
// whose files are always 0600, it honours perm, so the renamed file gets the
// permissions a plain os.WriteFile would have given it.
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		var suffix [6]byte
		if _, err := rand.Read(suffix[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(suffix[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no free temporary name beside %s", path)
}

// CheckWritable reports whether files can be created in dir, by creating
// and removing one, so that a long job fails before it starts rather than
// when it writes its result.
func CheckWritable(dir string) error {
	f, err := createTemp(filepath.Join(dir, "write-check"), 0o644)
	if err != nil {
		return fmt.Errorf("cannot write into %s: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
