package download

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// payload is the file the test servers hand out: big enough to span many
// reads, random so that a misplaced byte changes the sum.
var payload = func() []byte {
	b := make([]byte, 300_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// server records the Range header of every request it receives.
type server struct {
	mu     sync.Mutex
	ranges []string
}

func (s *server) record(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	return len(s.ranges)
}

func (s *server) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...)
}

// serveRanges answers with Range support (200 or 206).
func serveRanges(w http.ResponseWriter, r *http.Request, content []byte) {
	http.ServeContent(w, r, "file", time.Time{}, bytes.NewReader(content))
}

// abortAfter sends the full Content-Length but only n bytes, then drops the
// connection, as a network failure mid-transfer would.
func abortAfter(w http.ResponseWriter, content []byte, n int) {
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.WriteHeader(http.StatusOK)
	w.Write(content[:n])
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

func newServer(t *testing.T, handle func(s *server, call int, w http.ResponseWriter, r *http.Request)) (*server, *httptest.Server) {
	t.Helper()
	s := &server{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handle(s, s.record(r), w, r)
	}))
	t.Cleanup(ts.Close)
	return s, ts
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertNoFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s should not exist (stat: %v)", path, err)
	}
}

func TestFileDownloadsAndVerifies(t *testing.T) {
	s, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		serveRanges(w, r, payload)
	})
	dest := filepath.Join(t.TempDir(), "sub", "file.bin")
	var progress bytes.Buffer
	req := Request{URL: ts.URL + "/file.bin", Dest: dest, SHA256: sumHex(payload),
		Header: http.Header{"Authorization": {"Bearer secret"}}, Progress: &progress}
	if err := File(context.Background(), ts.Client(), req); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("downloaded bytes differ from the served file")
	}
	assertNoFile(t, dest+".part")
	if !strings.Contains(progress.String(), "file.bin") {
		t.Errorf("progress output %q does not name the file", progress.String())
	}
	// A second call finds the verified file and makes no request.
	if err := File(context.Background(), ts.Client(), req); err != nil {
		t.Fatal(err)
	}
	if got := len(s.seen()); got != 1 {
		t.Errorf("server saw %d requests, want 1 (the cached file should be reused)", got)
	}
}

func TestFileSilentWithoutProgress(t *testing.T) {
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, payload) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	if err := File(context.Background(), nil, Request{URL: ts.URL, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("downloaded bytes differ from the served file")
	}
}

func TestFileResumesInterruptedTransferWithRange(t *testing.T) {
	const cut = 123_457
	s, ts := newServer(t, func(_ *server, call int, w http.ResponseWriter, r *http.Request) {
		if call == 1 {
			abortAfter(w, payload, cut)
		}
		serveRanges(w, r, payload)
	})
	dest := filepath.Join(t.TempDir(), "file.bin")
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("resumed download differs from the served file")
	}
	want := []string{"", "bytes=123457-"}
	if got := s.seen(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Range headers %q, want %q", got, want)
	}
}

func TestFileResumesPartialFromEarlierRun(t *testing.T) {
	s, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, payload) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(dest+".part", payload[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("resumed download differs from the served file")
	}
	if got := s.seen(); len(got) != 1 || got[0] != "bytes=1000-" {
		t.Errorf("Range headers %q, want one request for bytes=1000-", got)
	}
}

func TestFileCompletePartialIsNotFetchedAgain(t *testing.T) {
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, payload) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(dest+".part", payload, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("file differs from the served file")
	}
}

func TestFileRestartsWhenPartialIsLongerThanFile(t *testing.T) {
	s, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, payload) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	// Left over from a longer, older version of the file: the server answers 416.
	if err := os.WriteFile(dest+".part", make([]byte, len(payload)+10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("restarted download differs from the served file")
	}
	want := []string{"bytes=" + strconv.Itoa(len(payload)+10) + "-", ""}
	if got := s.seen(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Range headers %q, want %q", got, want)
	}
}

func TestFileRestartsWhenServerIgnoresRange(t *testing.T) {
	s, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.Write(payload)
	})
	dest := filepath.Join(t.TempDir(), "file.bin")
	// Stale bytes that would corrupt the file if they were kept.
	if err := os.WriteFile(dest+".part", bytes.Repeat([]byte{0xAA}, 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("restarted download differs from the served file")
	}
	if got := s.seen(); len(got) != 1 || got[0] != "bytes=5000-" {
		t.Errorf("Range headers %q, want one request for bytes=5000-", got)
	}
}

func TestFileDetectsCorruption(t *testing.T) {
	corrupt := bytes.Clone(payload)
	corrupt[len(corrupt)/2] ^= 1
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, corrupt) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)})
	if err == nil {
		t.Fatal("corrupted download accepted")
	}
	for _, want := range []string{dest, sumHex(payload), sumHex(corrupt)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	assertNoFile(t, dest)
	assertNoFile(t, dest+".part")
}

func TestFileReplacesCachedFileWithWrongSum(t *testing.T) {
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { serveRanges(w, r, payload) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(dest, []byte("old version"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := File(context.Background(), ts.Client(), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("stale cached file was not replaced")
	}
}

func TestFileNotFoundNamesURL(t *testing.T) {
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	dest := filepath.Join(t.TempDir(), "file.bin")
	url := ts.URL + "/missing.zip"
	err := File(context.Background(), ts.Client(), Request{URL: url, Dest: dest})
	if err == nil {
		t.Fatal("404 accepted")
	}
	if !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "404") {
		t.Errorf("error %q should name %s and the 404 status", err, url)
	}
	assertNoFile(t, dest)
	assertNoFile(t, dest+".part")
}

func TestFileStopsOnCancelAndResumesLater(t *testing.T) {
	const half = 150_000
	sentHalf := make(chan struct{})
	s, ts := newServer(t, func(_ *server, call int, w http.ResponseWriter, r *http.Request) {
		if call == 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
			w.Write(payload[:half])
			w.(http.Flusher).Flush()
			close(sentHalf)
			<-r.Context().Done()
			return
		}
		serveRanges(w, r, payload)
	})
	dest := filepath.Join(t.TempDir(), "file.bin")
	req := Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-sentHalf
		cancel()
	}()
	err := File(ctx, ts.Client(), req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("File after cancel: %v, want context.Canceled", err)
	}
	assertNoFile(t, dest)
	if err := File(context.Background(), ts.Client(), req); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, dest), payload) {
		t.Error("download resumed after cancel differs from the served file")
	}
	if got := s.seen(); len(got) != 2 {
		t.Errorf("server saw %d requests %q, want 2", len(got), got)
	}
}

func TestFileRejectsMissingFields(t *testing.T) {
	if err := File(context.Background(), nil, Request{URL: "http://example.invalid/x"}); err == nil {
		t.Error("empty Dest accepted")
	}
}

func TestParseContentRange(t *testing.T) {
	for _, tc := range []struct {
		in          string
		start, size int64
		bad         bool
	}{
		{in: "bytes 100-199/1000", start: 100, size: 1000},
		{in: "bytes 0-0/*", start: 0, size: -1},
		{in: "bytes */1000", start: -1, size: 1000},
		{in: "items 1-2/3", bad: true},
		{in: "bytes 1-2", bad: true},
		{in: "bytes x-2/3", bad: true},
	} {
		start, size, err := parseContentRange(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && (start != tc.start || size != tc.size)) {
			t.Errorf("parseContentRange(%q) = %d, %d, %v; want %d, %d, bad=%v", tc.in, start, size, err, tc.start, tc.size, tc.bad)
		}
	}
}
