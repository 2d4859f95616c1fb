package neox

import (
	"math"
	"strings"
	"testing"
)

// TestComputeDTypes runs the golden fixture in each compute dtype the
// backend offers: bfloat16 and float16 must stay close to float32 (a
// 16-bit dtype keeps 3 significant digits: the mean difference per token is
// a few hundredths of a bit here) without being the same numbers, and a
// dtype the backend lacks is a clear error.
func TestComputeDTypes(t *testing.T) {
	dir := filepathOfFixture(t, "parallel-f32")
	g := readGolden(t, dir+"/golden.safetensors")
	ref, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	want, err := ref.TokenBits(g.ids)
	if err != nil {
		t.Fatal(err)
	}
	if ref.DType() != "float32" {
		t.Errorf("Load gives dtype %q, want float32", ref.DType())
	}
	for _, name := range []string{"bfloat16", "float16"} {
		t.Run(name, func(t *testing.T) {
			m, err := LoadWith(dir, Options{DType: name})
			if err != nil {
				if !ref.backend.Capabilities().DTypes[ComputeDTypes[name]] {
					if !strings.Contains(err.Error(), "cannot compute in "+name) {
						t.Errorf("error %q does not say the backend cannot compute in %s", err, name)
					}
					return
				}
				t.Fatal(err)
			}
			defer m.Close()
			if m.DType() != name {
				t.Errorf("DType() = %q", m.DType())
			}
			got, err := m.TokenBits(g.ids)
			if err != nil {
				t.Fatal(err)
			}
			sum, n, same := 0.0, 0, true
			for b := range want {
				for i := range want[b] {
					if math.IsNaN(got[b][i]) || math.IsInf(got[b][i], 0) {
						t.Fatalf("sequence %d, token %d: %v bits", b, i+1, got[b][i])
					}
					sum += math.Abs(got[b][i] - want[b][i])
					n++
					same = same && got[b][i] == want[b][i]
				}
			}
			mean := sum / float64(n)
			t.Logf("%s: mean |bits - float32 bits| = %.4f over %d tokens", name, mean, n)
			if mean > 0.1 {
				t.Errorf("%s bits differ from float32 by %.3f per token on average, want < 0.1", name, mean)
			}
			if same {
				t.Errorf("%s gives exactly the float32 bits: the dtype was not applied", name)
			}
			decoded := decodeAll(t, m, g.ids, 64)
			for b := range decoded {
				for i, dist := range decoded[b] {
					if p := dist[g.ids[b][min(i+1, len(g.ids[b])-1)]]; math.IsNaN(float64(p)) || p > 0 {
						t.Fatalf("%s decoder: stream %d, step %d: log-probability %v", name, b, i, p)
					}
				}
			}
		})
	}
	if _, err := LoadWith(dir, Options{DType: "fp8"}); err == nil || !strings.Contains(err.Error(), `unknown compute dtype "fp8"`) {
		t.Errorf("dtype fp8: got %v", err)
	}
}
