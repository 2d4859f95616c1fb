package protocol

import (
	"os"
	"testing"
)

// TestMain runs the fixture tests' pure-Go backend with sequential op
// execution: with GoMLX v0.26.0's default parallel op execution, TokenBits
// on this 2-core machine intermittently deadlocks (parallel large
// DotGenerals all wait in simplego's workersPool.WaitToStart). Sequential
// execution runs the same kernels, so the floats are the same.
func TestMain(m *testing.M) {
	if os.Getenv("GOMLX_BACKEND") == "" {
		os.Setenv("GOMLX_BACKEND", "go:ops_sequential")
	}
	os.Exit(m.Run())
}
