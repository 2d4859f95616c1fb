package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// echoCommand is a stand-in subcommand for testing the dispatcher: it prints
// its flag and arguments, and fails or complains about usage on request.
func echoCommand() *command {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	upper := fs.Bool("upper", false, "print in upper case")
	return &command{
		name:    "echo",
		args:    "words...",
		summary: "print the arguments",
		help:    "Echo prints its arguments, separated by spaces.",
		flags:   fs,
		run: func(_ context.Context, out streams, args []string) error {
			if len(args) == 0 {
				return usagef("echo needs at least one word")
			}
			if args[0] == "fail" {
				return errors.New("asked to fail")
			}
			s := strings.Join(args, " ")
			if *upper {
				s = strings.ToUpper(s)
			}
			_, err := out.Out.Write([]byte(s + "\n"))
			return err
		},
	}
}

func TestRunMain(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings expected on stdout
		stderr []string // substrings expected on stderr
	}{
		{"no arguments", nil, exitUsage, nil, []string{"Usage:", "echo", "print the arguments"}},
		{"help lists commands", []string{"help"}, exitOK, []string{"Commands:", "echo", "print the arguments", "help"}, nil},
		{"help for one command", []string{"help", "echo"}, exitOK, []string{"Usage: paperrepro echo [flags] words...", "Echo prints", "-upper"}, nil},
		{"--help for one command", []string{"echo", "--help"}, exitOK, nil, []string{"Usage: paperrepro echo", "Echo prints", "-upper"}},
		{"help for unknown command", []string{"help", "nope"}, exitUsage, nil, []string{`unknown command "nope"`, "paperrepro help"}},
		{"unknown command", []string{"ech"}, exitUsage, nil, []string{`unknown command "ech"`, "paperrepro help", "Did you mean echo?"}},
		{"runs with flags", []string{"echo", "-upper", "hi", "there"}, exitOK, []string{"HI THERE"}, nil},
		{"bad flag", []string{"echo", "-loud", "x"}, exitUsage, nil, []string{"-loud", "Usage: paperrepro echo"}},
		{"usage error", []string{"echo"}, exitUsage, nil, []string{"echo needs at least one word", "paperrepro echo --help"}},
		{"failure", []string{"echo", "fail"}, exitFail, nil, []string{"paperrepro echo: asked to fail"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMain(context.Background(), []*command{echoCommand()}, tc.args, streams{Out: &stdout, Err: &stderr})
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

// TestCommandTable checks that every registered subcommand is complete and
// uniquely named, so `paperrepro help` can describe all of them.
func TestCommandTable(t *testing.T) {
	seen := map[string]bool{"help": true}
	for _, c := range commands() {
		if seen[c.name] {
			t.Errorf("command %q registered twice (or clashes with help)", c.name)
		}
		seen[c.name] = true
		if c.summary == "" || c.help == "" || c.flags == nil || c.run == nil {
			t.Errorf("command %q lacks a summary, help text, flag set or run function", c.name)
		}
		if c.flags != nil && c.flags.Name() != c.name {
			t.Errorf("command %q has a flag set named %q", c.name, c.flags.Name())
		}
	}
}
