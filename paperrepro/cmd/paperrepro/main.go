// Command paperrepro is the command line of the reproduction: thin glue that
// turns flags into calls of the paperrepro packages.
//
// Run `paperrepro help` for the list of subcommands and
// `paperrepro <command> --help` for what one of them does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// commands is the subcommand table, in the order `paperrepro help` lists
// them. To add a subcommand, write newXCommand in its own file (see fit.go)
// and add one line here.
func commands() []*command {
	return []*command{
		newFitCommand(),
		newPredictCommand(),
		newFiguresCommand(),
		newFetchCommand(),
		newFetchDataCommand(),
		newRunCommand(),
		newStatusCommand(),
		newSlurmCommand(),
		newTablesCommand(),
		newChunksCommand(),
		newCompressCommand(),
		newDecompressCommand(),
		newBaselinesCommand(),
		newInstallPluginCommand(),
		newBenchCommand(),
	}
}

// command is one subcommand: its name, what `paperrepro help` says about it,
// its flags, and what it does.
type command struct {
	// name is the word typed after paperrepro, e.g. "fit".
	name string
	// args is the synopsis of the positional arguments, e.g. "[table.csv|dir]".
	args string
	// summary is the one line `paperrepro help` shows.
	summary string
	// help is the longer explanation `paperrepro <name> --help` prints above
	// the flags: what it reads, what it writes, an example.
	help string
	// flags holds the subcommand's flags; its name must equal name, and it
	// must be made with flag.ContinueOnError so runMain handles the errors.
	flags *flag.FlagSet
	// run does the work with the positional arguments left after the flags.
	// A usageError makes main print the usage after the message.
	run func(ctx context.Context, out streams, args []string) error
}

// streams are where a subcommand writes: results to Out, progress and
// diagnostics to Err.
type streams struct {
	Out, Err io.Writer
}

// usageError marks an error in how the command was called (wrong number of
// arguments, bad flag value), as opposed to a failure while doing the work.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	// Ctrl-C, and SIGTERM as Slurm sends it (scancel, a time limit,
	// preemption): a run stops cleanly, keeping its finished batches and
	// releasing its cell locks, so that a requeued task can take them at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, commands(), os.Args[1:], streams{Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}

// Exit codes of runMain.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
)

// runMain dispatches args to the subcommand of table named by args[0] and
// returns the process exit code.
func runMain(ctx context.Context, table []*command, args []string, out streams) int {
	if len(args) == 0 {
		printOverview(out.Err, table)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(table, args[1:], out)
	}
	cmd := lookup(table, name)
	if cmd == nil {
		fmt.Fprintf(out.Err, "paperrepro: unknown command %q\n", name)
		fmt.Fprintf(out.Err, "%sRun 'paperrepro help' for the list of commands.\n", suggestion(table, name))
		return exitUsage
	}
	cmd.flags.SetOutput(out.Err)
	cmd.flags.Usage = func() { printUsage(out.Err, cmd) }
	if err := cmd.flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // flag already printed the error and the usage
	}
	if err := cmd.run(ctx, out, cmd.flags.Args()); err != nil {
		fmt.Fprintf(out.Err, "paperrepro %s: %v\n", cmd.name, err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(out.Err, "Run 'paperrepro %s --help' for usage.\n", cmd.name)
			return exitUsage
		}
		return exitFail
	}
	return exitOK
}

// runHelp implements `paperrepro help [command]`.
func runHelp(table []*command, args []string, out streams) int {
	if len(args) == 0 {
		printOverview(out.Out, table)
		return exitOK
	}
	cmd := lookup(table, args[0])
	if cmd == nil {
		fmt.Fprintf(out.Err, "paperrepro help: unknown command %q\n", args[0])
		fmt.Fprintf(out.Err, "%sRun 'paperrepro help' for the list of commands.\n", suggestion(table, args[0]))
		return exitUsage
	}
	cmd.flags.SetOutput(out.Out)
	printUsage(out.Out, cmd)
	return exitOK
}

func lookup(table []*command, name string) *command {
	for _, c := range table {
		if c.name == name {
			return c
		}
	}
	return nil
}

// suggestion is a "Did you mean ...?" line naming the commands that contain
// what was typed or are contained in it, so "figure" points at "figures";
// it is empty when none is close.
func suggestion(table []*command, typed string) string {
	var near []string
	for _, c := range table {
		if strings.Contains(c.name, typed) || strings.Contains(typed, c.name) {
			near = append(near, c.name)
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	return "Did you mean " + strings.Join(near, " or ") + "?\n"
}

func printOverview(w io.Writer, table []*command) {
	fmt.Fprintln(w, "paperrepro reproduces \"Scaling Laws for LLM-Based Data Compression\" (Bharadwaj, 2025).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  paperrepro <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	width := len("help")
	for _, c := range table {
		width = max(width, len(c.name))
	}
	for _, c := range table {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "show this list, or 'help <command>' for one command")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'paperrepro <command> --help' for a command's flags and examples.")
}

func printUsage(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: paperrepro %s [flags] %s\n\n", cmd.name, cmd.args)
	fmt.Fprintf(w, "%s\n", cmd.summary)
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.help))
	}
	hasFlags := false
	cmd.flags.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		cmd.flags.SetOutput(w)
		cmd.flags.PrintDefaults()
	}
}
