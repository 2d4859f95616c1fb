package baselines

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cliCodec runs a reference command-line compressor over files, many per
// process: each input becomes a file in a temporary folder, the tool writes
// a compressed file beside it, and its size is the input's compressed size.
type cliCodec struct {
	name    string
	setting string
	// command is the executable; args gives its options before the file
	// names, for inputs of at most longest bytes.
	command string
	args    func(longest int) []string
	// output maps an input file name to the name of its compressed file.
	output func(input string) string
	// versionArgs make the tool print its version on its first line.
	versionArgs []string
	// debian is the Debian package that installs command.
	debian string
	unit   int
}

// Gzip returns gzip -9 (GNU gzip) with no file name or time stamp in the
// header (-n), so the header is gzip's fixed 10 bytes and the trailer 8.
// Go's compress/gzip at level 9 is not GNU gzip: on the shared image
// chunks it gave up to 4% more or fewer bytes.
func Gzip() Codec {
	return &cliCodec{name: "gzip", setting: "-9", command: "gzip", args: fixedArgs("-9", "-n", "-k", "-q"),
		output: suffix(".gz"), versionArgs: []string{"--version"}, debian: "gzip", unit: 1}
}

// XZ returns xz -9e (XZ Utils, the reference LZMA2), single-threaded so
// the output has no multi-threaded block headers.
//
// The dictionary is cut from -9e's 64 MiB to the longest input (at least
// xz's minimum, 4 KiB): a dictionary that holds the whole input already,
// so only the header's dictionary-size field changes, not the compressed
// length (TestXZDictionaryKeepsSizes checks this on every modality), while
// xz no longer clears a 64 MiB match finder for every 2 KiB chunk, which
// made per-chunk runs 13 times slower.
func XZ() Codec {
	return &cliCodec{name: "xz", setting: "-9e", command: "xz",
		args: func(longest int) []string {
			return []string{fmt.Sprintf("--lzma2=preset=9e,dict=%d", xzDictionary(longest)), "-T1", "-k", "-q"}
		},
		output: suffix(".xz"), versionArgs: []string{"--version"}, debian: "xz-utils", unit: 1}
}

// xzDictionary is the dictionary size XZ uses for inputs of at most n
// bytes: the smallest power of two that holds them, at least 4 KiB and at
// most -9e's 64 MiB.
func xzDictionary(n int) int {
	d := 4 << 10
	for d < n && d < 64<<20 {
		d *= 2
	}
	return d
}

// Zstd returns zstd at its strongest level, --ultra -22, with the CLI's
// default frame (content size and checksum) and one thread.
func Zstd() Codec {
	return &cliCodec{name: "zstd", setting: "--ultra -22", command: "zstd", args: fixedArgs("--ultra", "-22", "--single-thread", "-k", "-q"),
		output: suffix(".zst"), versionArgs: []string{"--version"}, debian: "zstd", unit: 1}
}

// Bzip2 returns bzip2 -9 (the reference bzip2).
func Bzip2() Codec {
	return &cliCodec{name: "bzip2", setting: "-9", command: "bzip2", args: fixedArgs("-9", "-k", "-q"),
		output: suffix(".bz2"), versionArgs: []string{"--version"}, debian: "bzip2", unit: 1}
}

// FLAC returns flac -8, its highest level, on raw mono samples of the given
// format, without padding or seek table: the metadata left is what flac
// always writes (the "fLaC" marker, STREAMINFO and a vorbis comment holding
// the encoder's name).
func FLAC(f SampleFormat) Codec {
	sign := "unsigned"
	if f.Signed {
		sign = "signed"
	}
	return &cliCodec{
		name: "flac", setting: fmt.Sprintf("-8, %d-bit %s mono %d Hz", f.Bits, sign, f.Rate), command: "flac",
		args: fixedArgs("-8", "--force-raw-format", "--endian=little", "--sign="+sign, "--channels=1",
			"--bps="+strconv.Itoa(f.Bits), "--sample-rate="+strconv.Itoa(f.Rate),
			"--no-padding", "--no-seektable", "-s", "-f"),
		output:      func(in string) string { return strings.TrimSuffix(in, filepath.Ext(in)) + ".flac" },
		versionArgs: []string{"--version"}, debian: "flac", unit: f.Bits / 8,
	}
}

func suffix(s string) func(string) string { return func(in string) string { return in + s } }

func fixedArgs(args ...string) func(int) []string {
	return func(int) []string { return slices.Clone(args) }
}

func (c *cliCodec) Name() string    { return c.name }
func (c *cliCodec) Setting() string { return c.setting }
func (c *cliCodec) Unit() int       { return c.unit }

// MissingToolError reports that a reference codec's command is not installed.
type MissingToolError struct {
	// Command is the executable looked for, Package the Debian package
	// that installs it.
	Command, Package string
	Err              error
}

func (e *MissingToolError) Error() string {
	return fmt.Sprintf("the %s command is not installed (%v): install it with `apt-get install %s` (make setup does), or leave the codec out", e.Command, e.Err, e.Package)
}

func (e *MissingToolError) Unwrap() error { return e.Err }

// path finds the command, or returns a MissingToolError.
func (c *cliCodec) path() (string, error) {
	p, err := exec.LookPath(c.command)
	if err != nil {
		return "", &MissingToolError{Command: c.command, Package: c.debian, Err: err}
	}
	return p, nil
}

// Implementation is the first line of the tool's version output, e.g.
// "xz (XZ Utils) 5.4.1".
func (c *cliCodec) Implementation(ctx context.Context) (string, error) {
	p, err := c.path()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, p, c.versionArgs...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", c.command, strings.Join(c.versionArgs, " "), err, bytes.TrimSpace(out))
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(strings.Trim(line, "* ")), nil
}

// Sizes writes the inputs to a temporary folder, runs the tool once over
// all of them and reads the sizes of its outputs.
func (c *cliCodec) Sizes(ctx context.Context, inputs [][]byte) ([]int, error) {
	return sizesOf(ctx, c, inputs)
}

// each writes the inputs to a temporary folder, runs the tool once over all
// of them and calls visit with each input's index and compressed bytes.
func (c *cliCodec) each(ctx context.Context, inputs [][]byte, visit func(i int, compressed []byte) error) error {
	p, err := c.path()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(scratchDir(), "baselines-"+c.name+"-")
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	defer os.RemoveAll(dir)
	names := make([]string, len(inputs))
	longest := 0
	for i, in := range inputs {
		longest = max(longest, len(in))
		if len(in)%c.unit != 0 {
			return fmt.Errorf("%s: input %d holds %d bytes, not whole samples of %d bytes", c.name, i, len(in), c.unit)
		}
		names[i] = fmt.Sprintf("%07d.raw", i)
		if err := os.WriteFile(filepath.Join(dir, names[i]), in, 0o600); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	args := c.args(longest)
	cmd := exec.CommandContext(ctx, p, append(append([]string(nil), args...), names...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s %s on %d files: %w: %s", c.command, strings.Join(args, " "), len(inputs), err, bytes.TrimSpace(stderr.Bytes()))
	}
	for i, name := range names {
		out, err := os.ReadFile(filepath.Join(dir, c.output(name)))
		if err == nil {
			err = visit(i, out)
		}
		if err != nil {
			return fmt.Errorf("%s %s: output of input %d: %w", c.command, strings.Join(args, " "), i, err)
		}
	}
	return nil
}

// scratchDir is where the tools' input and output files go: $TMPDIR when
// set, else /dev/shm when it exists (in memory: creating thousands of small
// files on disk cost more system time than compressing them), else the
// system's temporary folder.
func scratchDir() string {
	if os.Getenv("TMPDIR") == "" {
		if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
			return "/dev/shm"
		}
	}
	return ""
}
