package datasets_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
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
