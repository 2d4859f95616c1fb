package neox

import (
	"strings"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph code reads best unqualified.
)

func TestSimpleGoOptions(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "ops_sequential"},
		{"parallelism=2", "parallelism=2,ops_sequential"},
		{"parallelism=1", "parallelism=1,ops_sequential"},
		{"parallelism=1,ops_sequential", "parallelism=1,ops_sequential"},
		{"ops_parallel", "ops_parallel"},
	} {
		if got := simpleGoOptions(tc.in); got != tc.want {
			t.Errorf("simpleGoOptions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChooseBackend(t *testing.T) {
	noPlugins := func() []string { return nil }
	for _, tc := range []struct {
		name     string
		setting  string
		plugins  func() []string
		want     string // reported name; "" when an error is expected
		wantErrs []string
	}{
		{"default without XLA compiled in", "", nil, "go", nil},
		{"XLA compiled in, no plugin installed", "", noPlugins, "go", nil},
		{"GOMLX_BACKEND=go", "go", nil, "go", nil},
		{"parallelism=1 runs sequentially instead of deadlocking", "go:parallelism=1", nil, "go", nil},
		{"XLA asked for but not compiled in", "xla:cuda", nil, "", []string{"xla:cuda", "-tags xla"}},
		{"unknown backend", "tpu9000", nil, "", []string{"tpu9000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			choice, err := chooseBackend(tc.setting, tc.plugins)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got backend %q, want an error", choice.name)
				}
				for _, w := range tc.wantErrs {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer choice.backend.Finalize()
			if choice.name != tc.want {
				t.Errorf("backend %q, want %q", choice.name, tc.want)
			}
			// The backend must run a graph (and not hang).
			done := make(chan float32, 1)
			go func() {
				out := MustExecOnce(choice.backend, func(x *Node) *Node { return ReduceAllSum(MatMul(x, x)) }, [][]float32{{1, 2}, {3, 4}})
				done <- out.Value().(float32)
			}()
			select {
			case got := <-done:
				if got != 54 {
					t.Errorf("sum of [[1 2] [3 4]]^2 = %v, want 54", got)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the backend did not finish a 2x2 matmul in 30 s")
			}
		})
	}
}
