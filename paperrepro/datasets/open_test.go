package datasets_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func TestResolveDataDir(t *testing.T) {
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no user cache directory here: %v", err)
	}
	for _, tc := range []struct{ flag, env, want string }{
		{flag: "/from/flag", env: "/from/env", want: "/from/flag"},
		{env: "/from/env", want: "/from/env"},
		{want: filepath.Join(cache, "paperrepro", "data")},
	} {
		t.Setenv(datasets.EnvDataDir, tc.env)
		got, err := datasets.ResolveDataDir(tc.flag)
		if err != nil || got != tc.want {
			t.Errorf("ResolveDataDir(%q) with %s=%q = %q, %v; want %q", tc.flag, datasets.EnvDataDir, tc.env, got, err, tc.want)
		}
	}
}

func TestLocatePrefersFullDataSets(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, dataDir, "enwik8/enwik8.prefix", []byte("x"))
	writeFile(t, dataDir, "enwik8/enwik8.zip", []byte("x"))
	writeFile(t, dataDir, "imagenet-sample/a.png", []byte("x"))
	for _, tc := range []struct{ modality, want string }{
		{datasets.Text, "enwik8/enwik8.zip"},
		{datasets.Image, "imagenet-sample"},
	} {
		got, err := datasets.Locate(tc.modality, dataDir)
		if err != nil || got != filepath.Join(dataDir, filepath.FromSlash(tc.want)) {
			t.Errorf("Locate(%s) = %q, %v; want %s under the data directory", tc.modality, got, err, tc.want)
		}
	}
	_, err := datasets.Locate(datasets.Speech, dataDir)
	wantError(t, err, filepath.Join(dataDir, "librispeech", "train.100"), filepath.Join(dataDir, "librispeech", "LibriSpeech", "train-clean-100"), "fetch-data -modalities speech")
	_, err = datasets.Open("video", dataDir, datasets.Options{})
	wantError(t, err, `"video"`)
}

func TestOpenRejectsNegativeSizes(t *testing.T) {
	_, err := datasets.Open(datasets.Text, t.TempDir(), datasets.Options{Count: -1})
	wantError(t, err, "count -1")
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteChunksAndProvenanceJSON(t *testing.T) {
	content := syntheticText(64)
	path := writeFile(t, t.TempDir(), "enwik8", content)
	src, err := datasets.Open(datasets.Text, "", datasets.Options{Path: path, ChunkSize: 16, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := datasets.WriteChunks(&out, src); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), content[:48]) {
		t.Errorf("WriteChunks wrote %q, want the first 48 bytes %q", out.Bytes(), content[:48])
	}
	wantError(t, datasets.WriteChunks(failingWriter{}, src), "text chunk 0", "disk full")

	encoded, err := json.Marshal(src.Provenance())
	if err != nil {
		t.Fatal(err)
	}
	var decoded datasets.Provenance
	if err := json.Unmarshal(encoded, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Rule != "consecutive" || decoded.Count != 3 || decoded.ChunkSize != 16 || decoded.Files[0].SHA256 != sha256Hex(content) {
		t.Errorf("provenance after a JSON round trip: %s", encoded)
	}
}

// TestProvenanceRecordsTheChunks: every modality's provenance holds the
// sha256 of the very bytes scored, so that a change in how they are decoded
// or cut (a decoder, a crop) shows even when the files are the same.
func TestProvenanceRecordsTheChunks(t *testing.T) {
	for _, modality := range []string{datasets.Text, datasets.Image, datasets.Speech} {
		src, err := datasets.Open(modality, sharedData(t), datasets.Options{Count: 4})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := src.Provenance().ChunksSHA256, sha256Hex(allChunks(t, src)); got != want {
			t.Errorf("%s: provenance records chunks sha256 %q, the chunks have %s", modality, got, want)
		}
	}
}
