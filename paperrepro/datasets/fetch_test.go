package datasets_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// fileServer serves one file with Range support and records the Range
// header of each request.
type fileServer struct {
	*httptest.Server
	mu     sync.Mutex
	ranges []string
}

func newFileServer(t *testing.T, content []byte) *fileServer {
	t.Helper()
	s := &fileServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		s.mu.Unlock()
		http.ServeContent(w, r, "archive", time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *fileServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...)
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func assertMissing(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s should not exist (stat: %v)", path, err)
	}
}

func TestFetchText(t *testing.T) {
	content := syntheticText(5000)
	zipped := filepath.Join(t.TempDir(), "enwik8.zip")
	writeZip(t, zipped, "enwik8", content)
	server := newFileServer(t, readFile(t, zipped))
	dataDir := t.TempDir()
	opts := datasets.FetchOptions{URL: server.URL + "/dc/enwik8.zip", MD5: md5Hex(content), Client: server.Client(), Progress: &bytes.Buffer{}}

	path, err := datasets.Fetch(context.Background(), datasets.Text, dataDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dataDir, "enwik8", "enwik8"); path != want {
		t.Errorf("Fetch returned %s, want %s", path, want)
	}
	if !bytes.Equal(readFile(t, path), content) {
		t.Error("extracted enwik8 differs from the archive's member")
	}
	assertMissing(t, filepath.Join(dataDir, "enwik8", "enwik8.zip"))
	src, err := datasets.Open(datasets.Text, dataDir, datasets.Options{ChunkSize: 100, Count: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got := allChunks(t, src); !bytes.Equal(got, content) {
		t.Error("Open after Fetch does not read the fetched file")
	}
	if _, err := datasets.Fetch(context.Background(), datasets.Text, dataDir, opts); err != nil {
		t.Fatal(err)
	}
	if n := len(server.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1: fetched data should not be downloaded again", n)
	}
}

func TestFetchTextDetectsWrongMD5(t *testing.T) {
	zipped := filepath.Join(t.TempDir(), "enwik8.zip")
	writeZip(t, zipped, "enwik8", syntheticText(5000))
	server := newFileServer(t, readFile(t, zipped))
	dataDir := t.TempDir()
	_, err := datasets.Fetch(context.Background(), datasets.Text, dataDir, datasets.FetchOptions{URL: server.URL, Client: server.Client()})
	wantError(t, err, "md5", datasets.Enwik8MD5)
	assertMissing(t, filepath.Join(dataDir, "enwik8", "enwik8"))
	assertMissing(t, filepath.Join(dataDir, "enwik8", "enwik8.tmp"))
	assertMissing(t, filepath.Join(dataDir, "enwik8", "enwik8.zip"))
}

// tarGz builds a .tar.gz holding the given files, in order.
func tarGz(t *testing.T, files []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.content)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarEntry struct {
	name    string
	content []byte
}

func TestFetchSpeechResumesAndExtractsOnlyFLAC(t *testing.T) {
	flacBytes := readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-16khz.flac"))
	archive := tarGz(t, []tarEntry{
		{"LibriSpeech/README.TXT", []byte("readme")},
		{"LibriSpeech/train-clean-100/19/198/19-198.trans.txt", []byte("19-198-0000 HELLO")},
		{"LibriSpeech/train-clean-100/19/198/19-198-0000.flac", flacBytes},
		{"LibriSpeech/train-clean-100/19/198/19-198-0001.flac", flacBytes},
	})
	server := newFileServer(t, archive)
	dataDir := t.TempDir()
	// An earlier run stopped half-way.
	half := len(archive) / 2
	writeFile(t, dataDir, "librispeech/train-clean-100.tar.gz.part", archive[:half])

	var log bytes.Buffer
	opts := datasets.FetchOptions{URL: server.URL, SHA256: sha256Hex(archive), MD5: md5Hex(archive), Client: server.Client(), Log: &log}
	path, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := server.requests(); len(got) != 1 || got[0] != "bytes="+strconv.Itoa(half)+"-" {
		t.Errorf("requests with Range %q, want one resuming at byte %d", got, half)
	}
	chapter := filepath.Join(dataDir, "librispeech", "LibriSpeech", "train-clean-100", "19", "198")
	if path != filepath.Join(dataDir, "librispeech", "LibriSpeech", "train-clean-100") {
		t.Errorf("Fetch returned %s", path)
	}
	if !bytes.Equal(readFile(t, filepath.Join(chapter, "19-198-0001.flac")), flacBytes) {
		t.Error("extracted FLAC differs from the archive's")
	}
	assertMissing(t, filepath.Join(chapter, "19-198.trans.txt"))
	assertMissing(t, filepath.Join(dataDir, "librispeech", "train-clean-100.tar.gz"))
	assertMissing(t, filepath.Join(dataDir, "librispeech", ".extracting"))
	src, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{ChunkSize: 100, Count: 32})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(src.Provenance().Files); n != 2 {
		t.Errorf("Open after Fetch read %d files, want the 2 fetched", n)
	}
}

func TestFetchSpeechErrors(t *testing.T) {
	flacBytes := readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-16khz.flac"))
	good := tarGz(t, []tarEntry{{"LibriSpeech/train-clean-100/1/2/1-2-0000.flac", flacBytes}})
	evil := tarGz(t, []tarEntry{{"../../evil.flac", flacBytes}})
	other := tarGz(t, []tarEntry{{"LibriSpeech/dev-clean/1/2/1-2-0000.flac", flacBytes}})
	for _, tc := range []struct {
		name      string
		archive   []byte
		sha, md5  string
		wantError []string
	}{
		{"default sha256 of the real archive", good, "", md5Hex(good), []string{"sha256", datasets.LibriSpeechSHA256}},
		{"wrong md5", good, sha256Hex(good), "", []string{"md5", datasets.LibriSpeechMD5}},
		{"path outside the data directory", evil, sha256Hex(evil), md5Hex(evil), []string{"../../evil.flac", "outside"}},
		{"another subset", other, sha256Hex(other), md5Hex(other), []string{"no LibriSpeech/train-clean-100 folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := newFileServer(t, tc.archive)
			root := t.TempDir()
			dataDir := filepath.Join(root, "data")
			_, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir,
				datasets.FetchOptions{URL: server.URL, SHA256: tc.sha, MD5: tc.md5, Client: server.Client()})
			wantError(t, err, tc.wantError...)
			assertMissing(t, filepath.Join(dataDir, "librispeech", "LibriSpeech"))
			assertMissing(t, filepath.Join(root, "evil.flac"))
			assertMissing(t, filepath.Join(dataDir, "librispeech", ".extracting"))
		})
	}
}

func TestFetchImageExplainsManualDownload(t *testing.T) {
	dataDir := t.TempDir()
	_, err := datasets.Fetch(context.Background(), datasets.Image, dataDir, datasets.FetchOptions{})
	wantError(t, err, "image-net.org", "ILSVRC2012_img_val.tar", filepath.Join(dataDir, "imagenet", "val"))
}
