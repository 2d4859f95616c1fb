package download

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testnet"
)

// testPolicy gives up in tenths of a second, for tests against servers on
// the loopback interface.
var testPolicy = Policy{Connect: time.Second, Header: 200 * time.Millisecond, Idle: 200 * time.Millisecond, Attempts: 2, Backoff: 10 * time.Millisecond}

// TestSilentServerIsGivenUp: a server that accepts and never answers ends
// in an UnreachableError after Policy.Attempts tries, in bounded time.
func TestSilentServerIsGivenUp(t *testing.T) {
	addr, accepted := testnet.SilentListener(t)
	start := time.Now()
	err := File(context.Background(), NewClient(testPolicy), Request{URL: "http://" + addr + "/file", Dest: filepath.Join(t.TempDir(), "file")})
	elapsed := time.Since(start)
	var unreachable *UnreachableError
	if !errors.As(err, &unreachable) || unreachable.Attempts != 2 || !strings.Contains(err.Error(), addr) {
		t.Fatalf("got %v, want an UnreachableError naming %s after 2 attempts", err, addr)
	}
	if accepted() != 2 {
		t.Errorf("%d connections, want 2 (one per attempt)", accepted())
	}
	if elapsed > 5*time.Second {
		t.Errorf("gave up after %v, want about 2 x %v", elapsed, testPolicy.Header)
	}
}

// TestRefusedConnectionIsUnreachable: nothing listening on the port.
func TestRefusedConnectionIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	err = File(context.Background(), NewClient(testPolicy), Request{URL: "http://" + addr + "/file", Dest: filepath.Join(t.TempDir(), "file")})
	var unreachable *UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("got %v, want an UnreachableError", err)
	}
}

// TestUnresolvedHostIsNotRetried: a name that does not resolve is reported
// at once as such (an offline machine), without pauses for retries.
func TestUnresolvedHostIsNotRetried(t *testing.T) {
	client := NewClient(testPolicy)
	client.Transport.(*patientTransport).base = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "huggingface.co", IsNotFound: true}}
	}}
	err := File(context.Background(), client, Request{URL: "http://huggingface.co/x", Dest: filepath.Join(t.TempDir(), "x")})
	var unreachable *UnreachableError
	if !errors.As(err, &unreachable) || unreachable.Attempts != 1 || !strings.Contains(err.Error(), "does not resolve") {
		t.Fatalf("got %v, want an UnreachableError saying the name does not resolve, after 1 attempt", err)
	}
}

// TestStalledBodyIsGivenUp: headers, a few bytes, then silence: the read
// gives up after Policy.Idle and the download after maxAttempts.
func TestStalledBodyIsGivenUp(t *testing.T) {
	release := make(chan struct{})
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(http.StatusOK)
		w.Write(payload[:10])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	start := time.Now()
	err := File(context.Background(), NewClient(testPolicy), Request{URL: ts.URL, Dest: filepath.Join(t.TempDir(), "file")})
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "giving up after 5 attempts") {
		t.Fatalf("got %v, want a stall given up after 5 attempts", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("gave up after %v", elapsed)
	}
}

// TestSlowLiveDownloadFinishes: a server that sends a little at a time,
// each pause shorter than Policy.Idle but the whole transfer many times
// longer, is not cut.
func TestSlowLiveDownloadFinishes(t *testing.T) {
	const pieces = 20
	_, ts := newServer(t, func(_ *server, _ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(http.StatusOK)
		step := len(payload) / pieces
		for i := 0; i < len(payload); i += step {
			w.Write(payload[i:min(i+step, len(payload))])
			w.(http.Flusher).Flush()
			time.Sleep(testPolicy.Idle / 4)
		}
	})
	dest := filepath.Join(t.TempDir(), "file")
	start := time.Now()
	if err := File(context.Background(), NewClient(testPolicy), Request{URL: ts.URL, Dest: dest, SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 2*testPolicy.Idle {
		t.Errorf("the transfer took %v, not longer than the idle timeout: the test proves nothing", elapsed)
	}
}

// TestGatewayErrorsAreRetried: a 503 then the file.
func TestGatewayErrorsAreRetried(t *testing.T) {
	_, ts := newServer(t, func(_ *server, call int, w http.ResponseWriter, r *http.Request) {
		if call == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		serveRanges(w, r, payload)
	})
	if err := File(context.Background(), NewClient(testPolicy), Request{URL: ts.URL, Dest: filepath.Join(t.TempDir(), "file"), SHA256: sumHex(payload)}); err != nil {
		t.Fatal(err)
	}
}
