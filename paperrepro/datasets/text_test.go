package datasets_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// The shared sample is the first 4,154,400 bytes of enwik8: 2028 whole chunks.
const (
	sharedEnwik8Chunks = 2028
	sharedEnwik8SHA256 = "e33ac91b97a53d998f2f87893efd37e9b081f7c6ed9b9fdb44cd468702295c39"
)

func TestTextSharedPrefix(t *testing.T) {
	dataDir := sharedData(t)
	var log bytes.Buffer
	src, err := datasets.Open(datasets.Text, dataDir, datasets.Options{Count: sharedEnwik8Chunks, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	chunk0, err := src.Chunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(chunk0, []byte("<mediawiki")) {
		t.Errorf("chunk 0 starts %q, want <mediawiki", chunk0[:20])
	}
	file := readFile(t, filepath.Join(dataDir, "enwik8", "enwik8.prefix"))
	if got := allChunks(t, src); !bytes.Equal(got, file[:len(got)]) || len(got) != sharedEnwik8Chunks*2048 {
		t.Errorf("chunks are not the file's first %d bytes", sharedEnwik8Chunks*2048)
	}
	if !strings.Contains(log.String(), "prefix") {
		t.Errorf("no warning about a prefix of enwik8 in %q", log.String())
	}
	prov := src.Provenance()
	if len(prov.Files) != 1 || prov.Files[0].SHA256 != sharedEnwik8SHA256 || prov.Files[0].Path != "enwik8.prefix" {
		t.Errorf("provenance files %+v, want enwik8.prefix with sha256 %s", prov.Files, sharedEnwik8SHA256)
	}
}

func TestTextSharedPrefixTooShortForPaper(t *testing.T) {
	_, err := datasets.Open(datasets.Text, sharedData(t), datasets.Options{})
	wantError(t, err, "2028 whole chunks", "2048 requested")
}

// syntheticText is a small stand-in for enwik8 whose bytes say where they are.
func syntheticText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<line %d/> ", i)
	}
	return b.Bytes()[:n]
}

func TestTextChunksAreConsecutiveBytes(t *testing.T) {
	content := syntheticText(1000)
	path := writeFile(t, t.TempDir(), "enwik8", content)
	zipped := filepath.Join(t.TempDir(), "enwik8.zip")
	writeZip(t, zipped, "enwik8", content)
	for _, tc := range []struct{ name, path string }{{"plain", path}, {"zip", zipped}} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := datasets.Open(datasets.Text, "", datasets.Options{Path: tc.path, ChunkSize: 100, Count: 7})
			if err != nil {
				t.Fatal(err)
			}
			if src.NumChunks() != 7 || src.ChunkSize() != 100 || src.Modality() != datasets.Text {
				t.Errorf("got %d chunks of %d bytes of %s, want 7 of 100 of text", src.NumChunks(), src.ChunkSize(), src.Modality())
			}
			for i := range 7 {
				chunk, err := src.Chunk(i)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(chunk, content[100*i:100*(i+1)]) {
					t.Errorf("chunk %d = %q, want bytes [%d, %d)", i, chunk, 100*i, 100*(i+1))
				}
			}
			if _, err := src.Chunk(7); err == nil {
				t.Error("chunk 7 of 7 returned no error")
			}
		})
	}
}

func writeZip(t testing.TB, path, member string, content []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	mw, err := w.Create(member)
	if err != nil {
		t.Fatal(err)
	}
	mw.Write(content)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTextErrors(t *testing.T) {
	dir := t.TempDir()
	short := writeFile(t, dir, "short", syntheticText(250))
	// A file of enwik8's size with other content must fail the md5 check.
	fake := filepath.Join(dir, "enwik8")
	f, err := os.Create(fake)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(datasets.Enwik8Size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	wrongZip := filepath.Join(dir, "wrong.zip")
	writeZip(t, wrongZip, "readme.txt", []byte("hello"))

	for _, tc := range []struct {
		name string
		opts datasets.Options
		want []string
	}{
		{"too few bytes", datasets.Options{Path: short, ChunkSize: 100, Count: 3}, []string{short, "250 bytes", "2 whole chunks of 100 bytes", "3 requested"}},
		{"md5 mismatch", datasets.Options{Path: fake, ChunkSize: 100, Count: 1}, []string{fake, "md5", datasets.Enwik8MD5}},
		{"missing file", datasets.Options{Path: filepath.Join(dir, "nope")}, []string{"nope"}},
		{"zip without enwik8", datasets.Options{Path: wrongZip}, []string{wrongZip, "no member named enwik8"}},
		{"unknown rule", datasets.Options{Path: short, Rule: "tiles"}, []string{"tiles"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datasets.Open(datasets.Text, "", tc.opts)
			wantError(t, err, tc.want...)
		})
	}
}

// TestEnwik8PrefixSum: the sum the package checks a prefix of enwik8
// against is the shared data's enwik8.prefix, computed here from the file.
func TestEnwik8PrefixSum(t *testing.T) {
	file := readFile(t, filepath.Join(sharedData(t), "enwik8", "enwik8.prefix"))
	if len(file) < datasets.Enwik8PrefixSize {
		t.Fatalf("the shared enwik8.prefix holds %d bytes, fewer than %d", len(file), datasets.Enwik8PrefixSize)
	}
	if got := sha256Hex(file[:datasets.Enwik8PrefixSize]); got != datasets.Enwik8PrefixSHA256 {
		t.Errorf("sha256 of the first %d bytes of enwik8.prefix = %s, the package checks against %s", datasets.Enwik8PrefixSize, got, datasets.Enwik8PrefixSHA256)
	}
}

// TestTextMustBeEnwik8: what can be checked is - a file longer than enwik8
// is not enwik8, one of its size must have its md5, and one at least as
// long as the prefix whose sum is known must begin with that prefix; a
// shorter one is taken with a warning that says it could not be checked.
func TestTextMustBeEnwik8(t *testing.T) {
	shared := readFile(t, filepath.Join(sharedData(t), "enwik8", "enwik8.prefix"))
	dir := t.TempDir()
	sized := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	longer := sized("longer", datasets.Enwik8Size+1)
	zeros := sized("zeros", 50_000_000)
	edited := append([]byte(nil), shared...)
	edited[4_000_000] ^= 1
	editedPath := writeFile(t, dir, "edited", edited)
	longerZip := filepath.Join(dir, "longer.zip")
	writeZip(t, longerZip, "enwik8", make([]byte, datasets.Enwik8PrefixSize+1))
	short := writeFile(t, dir, "short", shared[:100_000])
	for _, tc := range []struct {
		name string
		path string
		want []string
	}{
		{"longer than enwik8", longer, []string{longer, "100000001 bytes", "more than enwik8's 100000000"}},
		{"zeros", zeros, []string{zeros, "not enwik8", "its first 4154400 bytes have sha256", datasets.Enwik8PrefixSHA256}},
		{"one byte changed", editedPath, []string{editedPath, "not enwik8"}},
		{"zip of zeros", longerZip, []string{longerZip, "not enwik8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datasets.Open(datasets.Text, "", datasets.Options{Path: tc.path, Count: 1})
			wantError(t, err, tc.want...)
		})
	}
	var log bytes.Buffer
	if _, err := datasets.Open(datasets.Text, "", datasets.Options{Path: short, Count: 2, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "too short to check") {
		t.Errorf("a prefix too short to check is taken without saying so: %q", log.String())
	}
	log.Reset()
	if _, err := datasets.Open(datasets.Text, "", datasets.Options{Path: writeFile(t, dir, "prefix", shared), Count: 2, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "its first 4154400 bytes are enwik8's") {
		t.Errorf("the checked prefix is not reported as checked: %q", log.String())
	}
}
