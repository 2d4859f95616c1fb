// Package testnet holds network stand-ins for tests: servers that misbehave
// the way real ones do on a bad day.
package testnet

import (
	"net"
	"sync"
	"testing"
)

// SilentListener accepts connections on 127.0.0.1 and never answers, as the
// server of issue 25's H1 did. It returns the host:port to dial and a count
// of the connections accepted so far; the listener and its connections
// close when the test ends.
func SilentListener(t testing.TB) (addr string, accepted func() int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}
