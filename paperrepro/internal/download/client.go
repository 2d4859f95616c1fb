package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Policy says how long a request may wait at each stage, and how often a
// request that got no answer is tried again, so that a server that stops
// answering ends in an error that says so instead of a wait without end.
// A transfer that is slow but alive is never cut: Idle bounds the pauses
// between bytes, not the transfer's length.
type Policy struct {
	// Connect bounds the TCP connection and the TLS handshake.
	Connect time.Duration
	// Header bounds the wait from sending a request to its response's headers.
	Header time.Duration
	// Idle bounds how long a read of a response body waits for its next bytes.
	Idle time.Duration
	// Attempts is how often a request is sent in all when it gets no answer
	// (no connection, no headers in time, a reset connection) or a 502, 503 or
	// 504; GET and HEAD only. A host that does not resolve, or a port where
	// nothing listens, is not retried.
	Attempts int
	// Backoff is the pause before the second attempt; it doubles after.
	Backoff time.Duration
}

// DefaultPolicy is the policy of DefaultClient: a silent server is given
// up on after 3 x 30 s waiting for headers (plus 1 s and 2 s of backoff).
var DefaultPolicy = Policy{Connect: 15 * time.Second, Header: 30 * time.Second, Idle: 60 * time.Second, Attempts: 3, Backoff: time.Second}

// NewClient returns an HTTP client that follows p. It is safe for
// concurrent use; make one per policy and reuse it.
func NewClient(p Policy) *http.Client {
	dialer := &net.Dialer{Timeout: p.Connect, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   p.Connect,
		ResponseHeaderTimeout: p.Header,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: &patientTransport{base: base, policy: p}}
}

// DefaultClient returns the client of DefaultPolicy, made once.
var DefaultClient = sync.OnceValue(func() *http.Client { return NewClient(DefaultPolicy) })

// UnreachableError reports a server that gave no answer: its name did not
// resolve, it refused or dropped connections, or it sent no headers in time,
// on every attempt. Callers add what the user can do (a mirror, a cache
// copied from a machine with a network).
type UnreachableError struct {
	Host     string
	Attempts int
	Err      error // the last attempt's error
}

func (e *UnreachableError) Error() string {
	tries := "once"
	if e.Attempts > 1 {
		tries = fmt.Sprintf("%d times", e.Attempts)
	}
	var dns *net.DNSError
	if errors.As(e.Err, &dns) {
		return fmt.Sprintf("cannot reach %s: its name does not resolve (%v); this machine seems to have no network or no DNS", e.Host, e.Err)
	}
	return fmt.Sprintf("cannot reach %s (tried %s): %v", e.Host, tries, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// ErrStalled is wrapped by a body read that waited Policy.Idle without data.
var ErrStalled = errors.New("the server stopped sending data")

// patientTransport retries requests that got no answer and bounds the
// pauses within response bodies.
type patientTransport struct {
	base   http.RoundTripper
	policy Policy
}

func (t *patientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	retryable := req.Body == nil && (req.Method == http.MethodGet || req.Method == http.MethodHead)
	pause := t.policy.Backoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithCancel(req.Context())
		resp, err := t.base.RoundTrip(req.Clone(ctx))
		last := !retryable || attempt >= t.policy.Attempts || req.Context().Err() != nil
		if err == nil {
			if last || !retryStatus(resp.StatusCode) {
				resp.Body = newIdleBody(resp.Body, cancel, t.policy.Idle, req.URL.Host)
				return resp, nil
			}
			resp.Body.Close()
			cancel()
		} else {
			cancel()
			if !noAnswer(err) || req.Context().Err() != nil {
				return nil, err
			}
			if last || definite(err) {
				return nil, &UnreachableError{Host: req.URL.Host, Attempts: attempt, Err: err}
			}
		}
		select {
		case <-time.After(pause):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		pause *= 2
	}
}

// retryStatus reports answers that say "try again": a gateway or an
// overloaded server.
func retryStatus(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// noAnswer reports errors of a request that got no response: a name that
// did not resolve, a connection refused, reset or timed out, no headers in
// time.
func noAnswer(err error) bool {
	var netErr net.Error
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) || (errors.As(err, &netErr) && netErr.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// definite reports an answer that asking again at once will not change: a
// host name that does not resolve, a port where nothing listens.
func definite(err error) bool {
	var dns *net.DNSError
	return (errors.As(err, &dns) && !dns.IsTemporary && !dns.IsTimeout) || errors.Is(err, syscall.ECONNREFUSED)
}

// idleBody is a response body whose reads give up after waiting idle for
// data; the wait is counted only while a read is blocked.
type idleBody struct {
	body   io.ReadCloser
	cancel context.CancelFunc
	idle   time.Duration
	host   string
	timer  *time.Timer
	fired  atomic.Bool
}

func newIdleBody(body io.ReadCloser, cancel context.CancelFunc, idle time.Duration, host string) io.ReadCloser {
	b := &idleBody{body: body, cancel: cancel, idle: idle, host: host}
	b.timer = time.AfterFunc(idle, func() { b.fired.Store(true); cancel() })
	b.timer.Stop()
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.idle)
	n, err := b.body.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF && b.fired.Load() {
		err = fmt.Errorf("%w: no data from %s for %v", ErrStalled, b.host, b.idle)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.body.Close()
	b.cancel()
	return err
}
