package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestListFilesSortsByFileNameBytewise(t *testing.T) {
	root := t.TempDir()
	// Byte-wise, '-' (0x2d) < '4' (0x34) and 'Z' < 'a'; folders do not matter.
	rels := []string{"z/1034-121119-0000.flac", "a/103-1240-0000.flac", "m/19-198-0000.FLAC", "b/Zed.flac", "c/abc.flac", "c/notes.txt"}
	for _, rel := range rels {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := listFiles(root, ".flac")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/103-1240-0000.flac", "z/1034-121119-0000.flac", "m/19-198-0000.FLAC", "b/Zed.flac", "c/abc.flac"}
	if len(files) != len(want) {
		t.Fatalf("listFiles = %q, want %q", files, want)
	}
	for i := range want {
		if got := relPath(root, files[i]); got != want[i] {
			t.Errorf("file %d = %s, want %s", i, got, want[i])
		}
	}
}
