package main

import (
	"errors"
	"strings"
	"testing"
)

func TestInstallPluginCommand(t *testing.T) {
	offline := errors.New(`installing the CPU PJRT plugin with go-xla's installer: failed to fetch release data from "https://api.github.com/repos/gomlx/pjrt-cpu-binaries/releases/tags/v0.83.3": Get "https://api.github.com/repos/gomlx/pjrt-cpu-binaries/releases/tags/v0.83.3": dial tcp: lookup api.github.com: no such host`)
	for _, tc := range []struct {
		name   string
		args   []string
		result string
		err    error
		code   int
		stdout []string
		stderr string
	}{
		{"installed", []string{"install-plugin"}, "installed the CPU PJRT plugin", nil, exitOK, []string{"installed the CPU PJRT plugin"}, ""},
		{"offline", []string{"install-plugin"}, "", offline, exitFail, nil, "no such host"},
		{"offline under make setup: one line, no failure", []string{"install-plugin", "-setup"}, "", offline, exitOK,
			[]string{"no PJRT plugin (lookup api.github.com: no such host)", "pure-Go backend", "go run ./paperrepro/cmd/paperrepro install-plugin"}, ""},
		{"arguments", []string{"install-plugin", "cuda"}, "", nil, exitUsage, nil, "no arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(f func() (string, error)) { installPlugin = f }(installPlugin)
			installPlugin = func() (string, error) { return tc.result, tc.err }
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout %q lacks %q", stdout, w)
				}
			}
			if n := strings.Count(stdout, "\n"); tc.code == exitOK && n != 1 {
				t.Errorf("stdout has %d lines, want 1: %q", n, stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tc.stderr)
			}
		})
	}
}
