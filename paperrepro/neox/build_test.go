package neox

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBuildIncludesXLA checks the build constraint of backend_xla.go: a
// plain build links GoMLX's XLA backend wherever cgo is on, and -tags noxla
// or CGO_ENABLED=0 build the command without it.
func TestBuildIncludesXLA(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cgo, err := exec.Command(goTool, "env", "CGO_ENABLED").Output()
	if err != nil {
		t.Fatal(err)
	}
	const xlaPkg = "github.com/gomlx/go-xla/compute/xla"
	for _, tc := range []struct {
		name     string
		args     []string
		env      []string
		wantsXLA bool
	}{
		{"default build", nil, nil, strings.TrimSpace(string(cgo)) == "1"},
		{"-tags noxla", []string{"-tags", "noxla"}, nil, false},
		{"CGO_ENABLED=0", nil, []string{"CGO_ENABLED=0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"list", "-deps"}, tc.args...)
			cmd := exec.Command(goTool, append(args, "github.com/paperrepro/paperrepro/paperrepro/cmd/paperrepro")...)
			cmd.Env = append(os.Environ(), tc.env...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go %s: %v", strings.Join(args, " "), err)
			}
			has := false
			for _, line := range strings.Split(string(out), "\n") {
				has = has || line == xlaPkg
			}
			if has != tc.wantsXLA {
				t.Errorf("%s links %s: %v, want %v", tc.name, xlaPkg, has, tc.wantsXLA)
			}
		})
	}
}
