package baselines

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// decode decompresses one codec's output with an independent decoder: Go's
// image/png for PNG, the reference tool's decoder for the others.
func decode(t *testing.T, c Codec, compressed []byte) []byte {
	t.Helper()
	switch c := c.(type) {
	case pngCodec:
		img, err := png.Decode(bytes.NewReader(compressed))
		if err != nil {
			t.Fatal(err)
		}
		gray, ok := img.(*image.Gray)
		if !ok {
			t.Fatalf("png decoded to %T, want *image.Gray", img)
		}
		if w := gray.Rect.Dx(); w != c.width && gray.Rect.Dy() != 1 {
			t.Fatalf("png is %d pixels wide, want %d", w, c.width)
		}
		return gray.Pix
	case *cliCodec:
		args := []string{"-d", "-c"}
		if c.name == "flac" {
			// Decode to the same raw format the codec was given.
			args = append([]string{"-d", "-c", "-s", "--force-raw-format"}, slices.DeleteFunc(slices.Clone(c.args(0)), func(a string) bool {
				return !strings.HasPrefix(a, "--endian") && !strings.HasPrefix(a, "--sign")
			})...)
			args = append(args, "-")
		}
		cmd := exec.Command(c.command, args...)
		cmd.Stdin = bytes.NewReader(compressed)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v", c.command, args, err)
		}
		return out
	}
	t.Fatalf("no decoder for %T", c)
	return nil
}

// TestRoundTrip checks that what is measured is a lossless encoding of the
// chunk: every codec's output, on single chunks and on several at once,
// decodes to the input under every rule.
func TestRoundTrip(t *testing.T) {
	for _, r := range allRules {
		chunks, codecs := sharedChunks(t, r.modality, r.rule, 4)
		inputs := append(slices.Clone(chunks[:2]), bytes.Join(chunks, nil))
		for _, c := range codecs {
			t.Run(r.rule+"/"+c.Name(), func(t *testing.T) {
				requireTool(t, c)
				err := c.(encoder).each(context.Background(), inputs, func(i int, compressed []byte) error {
					if got := decode(t, c, compressed); !bytes.Equal(got, inputs[i]) {
						return fmt.Errorf("input %d (%d bytes) decodes to %d different bytes", i, len(inputs[i]), len(got))
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// reference is how a codec's tool is run by hand on one file, writing the
// compressed stream to stdout: the independent check of each codec.
var reference = map[string][]string{
	"gzip":  {"gzip", "-9", "-n", "-c"},
	"xz":    {"xz", "-9e", "-c"},
	"zstd":  {"zstd", "--ultra", "-22", "-c"},
	"bzip2": {"bzip2", "-9", "-c"},
}

// referenceSize runs codec's reference command by hand on data and returns
// the compressed size.
func referenceSize(t *testing.T, c Codec, data []byte) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input.raw")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	args, ok := reference[c.Name()]
	if c.Name() == "flac" {
		// flac -8 on the raw file with the format options; it needs an
		// output file to write its STREAMINFO totals into.
		out := filepath.Join(t.TempDir(), "output.flac")
		args = append([]string{"flac", "-o", out}, slices.DeleteFunc(c.(*cliCodec).args(0), func(a string) bool { return a == "-f" || a == "-k" })...)
		args, ok = append(args, path), true
		cmd := exec.Command(args[0], args[1:]...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", args, err, msg)
		}
		info, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		return int(info.Size())
	}
	if !ok {
		t.Fatalf("no reference command for %s", c.Name())
	}
	if _, err := exec.LookPath(args[0]); err != nil {
		requireTool(t, &cliCodec{command: args[0], debian: args[0]})
	}
	out, err := exec.Command(args[0], append(args[1:], path)...).Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return len(out)
}

// TestAgainstReferenceTools checks each codec's compressed size on a small
// fixed input (the first 32 chunks of every rule, as one stream and as
// single chunks) against the reference tool run by hand on the same bytes,
// from a file to stdout: byte for byte, since the codecs are those tools,
// this checks the batching, the options and xz's cut dictionary. PNG has no
// reference tool among Debian's codec packages; the round trip checks it.
func TestAgainstReferenceTools(t *testing.T) {
	for _, r := range allRules {
		chunks, codecs := sharedChunks(t, r.modality, r.rule, 32)
		stream := bytes.Join(chunks, nil)
		for _, c := range codecs {
			if strings.HasPrefix(c.Name(), "png") {
				continue
			}
			t.Run(r.rule+"/"+c.Name(), func(t *testing.T) {
				requireTool(t, c)
				sizes, err := c.Sizes(context.Background(), append([][]byte{stream}, chunks[:4]...))
				if err != nil {
					t.Fatal(err)
				}
				for i, in := range append([][]byte{stream}, chunks[:4]...) {
					if want := referenceSize(t, c, in); sizes[i] != want {
						t.Errorf("input %d (%d bytes): %d compressed bytes, the reference tool by hand %d", i, len(in), sizes[i], want)
					}
				}
			})
		}
	}
}

// TestXZDictionaryKeepsSizes checks the premise of XZ's cut dictionary on
// more chunks than TestAgainstReferenceTools: -9e with a dictionary just
// large enough gives the same compressed length as -9e's 64 MiB one.
func TestXZDictionaryKeepsSizes(t *testing.T) {
	for _, r := range allRules {
		if r.rule == datasets.RuleRandomCrop || r.rule == datasets.RulePCM16 {
			continue // the same images and utterances as tiles and pcm8
		}
		chunks, _ := sharedChunks(t, r.modality, r.rule, 64)
		full := &cliCodec{name: "xz", command: "xz", args: fixedArgs("-9e", "-T1", "-k", "-q"), output: suffix(".xz"), debian: "xz-utils", unit: 1}
		requireTool(t, full)
		want, err := full.Sizes(context.Background(), chunks)
		if err != nil {
			t.Fatal(err)
		}
		got, err := XZ().Sizes(context.Background(), chunks)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: sizes with the cut dictionary %v, with -9e's %v", r.rule, got, want)
		}
	}
}

func TestXZDictionary(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{0, 4 << 10}, {1, 4 << 10}, {2048, 4 << 10}, {4096, 4 << 10}, {4097, 8 << 10},
		{4 << 20, 4 << 20}, {100 << 20, 64 << 20},
	} {
		if got := xzDictionary(tc.n); got != tc.want {
			t.Errorf("xzDictionary(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestHeaders checks the measured header of each codec against what its
// format must hold for one unit of input, so a wrong unit or option (flac's
// padding, gzip's file name) shows.
func TestHeaders(t *testing.T) {
	pcm16 := SampleFormat{Bits: 16, Signed: true, Rate: 16000}
	for _, tc := range []struct {
		codec    Codec
		min, max int
	}{
		// 10-byte header, 8-byte trailer, a deflate block with one literal.
		{Gzip(), 19, 22},
		// Stream header and footer (24), block header, index, CRC64 check.
		{XZ(), 50, 70},
		// Frame header, one raw block, 4-byte checksum.
		{Zstd(), 10, 20},
		// "BZh9", one block header with its tables, the stream CRC.
		{Bzip2(), 30, 45},
		// Signature, IHDR (25), one IDAT (12 + zlib), IEND (12).
		{PNG(64), 60, 80},
		// "fLaC", STREAMINFO (38), vorbis comment with the vendor string,
		// one frame; no padding (8 KiB by default) or seek table.
		{FLAC(pcm16), 60, 120},
	} {
		t.Run(tc.codec.Name(), func(t *testing.T) {
			requireTool(t, tc.codec)
			sizes, err := tc.codec.Sizes(context.Background(), [][]byte{make([]byte, tc.codec.Unit())})
			if err != nil {
				t.Fatal(err)
			}
			if sizes[0] < tc.min || sizes[0] > tc.max {
				t.Errorf("header %d bytes, want %d to %d", sizes[0], tc.min, tc.max)
			}
		})
	}
}

func TestCodecsFor(t *testing.T) {
	for _, tc := range []struct {
		prov datasets.Provenance
		want string
		err  string
	}{
		{prov: datasets.Provenance{Modality: "text", Rule: "consecutive"}, want: "gzip -9; xz -9e; zstd --ultra -22; bzip2 -9"},
		{prov: datasets.Provenance{Modality: "image", Rule: "tiles", Parameters: map[string]any{"patch_width": 64}},
			want: "gzip -9; xz -9e; zstd --ultra -22; bzip2 -9; png best, 64 pixels wide; png-32wide best, 32 pixels wide"},
		{prov: datasets.Provenance{Modality: "speech", Rule: "pcm8", Parameters: map[string]any{"sample_rate": 16000.0}},
			want: "gzip -9; xz -9e; zstd --ultra -22; bzip2 -9; flac -8, 8-bit unsigned mono 16000 Hz"},
		{prov: datasets.Provenance{Modality: "speech", Rule: "pcm16", Parameters: map[string]any{"sample_rate": 16000}},
			want: "gzip -9; xz -9e; zstd --ultra -22; bzip2 -9; flac -8, 16-bit signed mono 16000 Hz"},
		{prov: datasets.Provenance{Modality: "speech", Rule: "paper", Parameters: map[string]any{"sample_rate": 16000}},
			want: "gzip -9; xz -9e; zstd --ultra -22; bzip2 -9; flac -8, 16-bit signed mono 16000 Hz"},
		{prov: datasets.Provenance{Modality: "speech", Rule: "pcm24", Parameters: map[string]any{"sample_rate": 16000}}, err: `speech rule "pcm24"`},
		{prov: datasets.Provenance{Modality: "image", Rule: "tiles"}, err: `parameter "patch_width" is <nil>`},
		{prov: datasets.Provenance{Modality: "video"}, err: `unknown modality "video"`},
	} {
		codecs, err := CodecsFor(tc.prov)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %s: error %v, want one containing %q", tc.prov.Modality, tc.prov.Rule, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range codecs {
			names = append(names, c.Name()+" "+c.Setting())
		}
		if got := strings.Join(names, "; "); got != tc.want {
			t.Errorf("%s %s: codecs %q, want %q", tc.prov.Modality, tc.prov.Rule, got, tc.want)
		}
	}
}

// TestMissingTool checks that a codec whose tool is not installed says which
// package to install, before and while compressing.
func TestMissingTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, call := range []func(Codec) error{
		func(c Codec) error { _, err := c.Implementation(context.Background()); return err },
		func(c Codec) error { _, err := c.Sizes(context.Background(), [][]byte{{1}}); return err },
	} {
		err := call(XZ())
		var missing *MissingToolError
		if !errors.As(err, &missing) || missing.Package != "xz-utils" || !strings.Contains(err.Error(), "apt-get install xz-utils") {
			t.Errorf("error %v, want a MissingToolError naming xz-utils", err)
		}
	}
}
