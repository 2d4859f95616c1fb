package neox

import (
	"debug/elf"
	"debug/gosym"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestGoBackendUsesSIMD fails a build whose pure-Go backend would run
// without its SIMD kernels on a CPU that has them (a build without
// GOEXPERIMENT=simd is several times slower and would otherwise fall back
// silently): GoSIMD must name the kernels the CPU's features call for, and
// the test binary must hold compute's kernels for them.
func TestGoBackendUsesSIMD(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		kernels, why := GoSIMD()
		if kernels != "" || why == nil || !strings.Contains(why.Error(), "amd64 only") {
			t.Errorf("GoSIMD() on %s = %q, %v; want none, because it has SIMD kernels for amd64 only", runtime.GOARCH, kernels, why)
		}
		return
	}
	for _, v := range []string{"GOMLX_GO_SIMD_AVX512", "GOMLX_GO_SIMD_AVX2"} {
		if os.Getenv(v) != "" {
			t.Skipf("%s is set: the kernels the CPU calls for may be turned off", v)
		}
	}
	want, pkg := "", ""
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512CD && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL:
		want, pkg = "AVX-512", "avx512"
	case cpu.X86.HasAVX2:
		want, pkg = "AVX2", "avx2"
	}
	kernels, why := GoSIMD()
	if want == "" {
		if kernels != "" || why == nil || !strings.Contains(why.Error(), "neither AVX-512 nor AVX2") {
			t.Errorf("GoSIMD() = %q, %v on a CPU with neither AVX-512 nor AVX2; want none, saying so", kernels, why)
		}
		return
	}
	if kernels != want {
		t.Fatalf("this CPU has %s, but the pure-Go backend runs without it: %v", want, why)
	}
	linked := linkedFunctions(t, "github.com/gomlx/compute/internal/gobackend/dot/matmul/"+pkg+".")
	if linked == 0 {
		t.Errorf("GoSIMD() = %q, but this binary holds no function of compute's %s matrix kernels", kernels, pkg)
	}
	t.Logf("pure-Go backend kernels: %s (%d functions of compute's %s matrix kernels linked)", kernels, linked, pkg)
}

// linkedFunctions counts the functions of the running test binary whose
// names start with prefix, from its Go symbol table (which a stripped
// binary keeps too).
func linkedFunctions(t *testing.T, prefix string) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Skipf("reading the test binary's symbols: %v", err)
	}
	defer f.Close()
	pclntab, text := f.Section(".gopclntab"), f.Section(".text")
	if pclntab == nil || text == nil {
		t.Skipf("the test binary %s has no Go symbol table", exe)
	}
	data, err := pclntab.Data()
	if err != nil {
		t.Fatal(err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fn := range table.Funcs {
		if strings.HasPrefix(fn.Name, prefix) {
			n++
		}
	}
	return n
}

// noSIMDChildEnv, when set, makes TestNoSIMDBuildSaysSoOnce act as the child
// process built without GOEXPERIMENT=simd.
const noSIMDChildEnv = "NEOX_NO_SIMD_CHILD"

// TestNoSIMDBuildSaysSoOnce builds and runs this package's tests without
// GOEXPERIMENT=simd in a child process that loads two models on the pure-Go
// backend: the build must work, score, and say once, on one stderr line,
// that it runs without SIMD kernels and how to get them.
func TestNoSIMDBuildSaysSoOnce(t *testing.T) {
	if os.Getenv(noSIMDChildEnv) != "" {
		for range 2 {
			m := loadFixture(t, "parallel-f32")
			if _, err := m.TokenBits([][]int{{1, 2, 3}}); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("builds the package's tests again without GOEXPERIMENT=simd (a minute or more)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	if runtime.GOARCH != "amd64" || !cpu.X86.HasAVX2 {
		t.Skip("the message differs on a CPU without AVX2 or another architecture")
	}
	cmd := exec.Command(goTool, "test", "-count=1", "-v", "-run=^TestNoSIMDBuildSaysSoOnce$", ".")
	cmd.Env = append(os.Environ(), noSIMDChildEnv+"=1", "GOEXPERIMENT=", "GOMLX_BACKEND=go")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the build without GOEXPERIMENT=simd failed: %v\n%s", err, out)
	}
	var said []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "no SIMD kernels") {
			said = append(said, line)
		}
	}
	if len(said) != 1 || !strings.Contains(said[0], "GOEXPERIMENT=simd") {
		t.Fatalf("want one line saying the build lacks GOEXPERIMENT=simd, got %d:\n%s", len(said), out)
	}
	t.Log(said[0])
}
