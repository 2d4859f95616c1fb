package main

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// compressedSuffix is what compress appends to a file name by default.
const compressedSuffix = ".prz"

// coderFlags are the flags compress and decompress share: one model, where
// its tokenizer is, and the output.
type coderFlags struct {
	model     *modelFlags
	tokenizer *string
	dataDir   *string
	output    *output
}

func addCoderFlags(fs *flag.FlagSet) *coderFlags {
	return &coderFlags{
		model:     addModelFlags(fs, "70m", "143000"),
		tokenizer: fs.String("tokenizer", "", "tokenizer.json (default: the checkpoint's own, else the data folder's tokenizer/tokenizer.json)"),
		dataDir:   fs.String("data-dir", "", "data folder, only to find a tokenizer for a checkpoint without one"),
		output:    addOutputFile(fs, "output `FILE`"),
	}
}

// load fetches the one checkpoint the flags name and loads it with its
// tokenizer, as the grid does. The caller closes the model.
func (f *coderFlags) load(ctx context.Context, out streams) (*neox.Model, *tokenize.Tokenizer, protocol.ModelIdentity, error) {
	var id protocol.ModelIdentity
	cks, err := f.model.checkpoints()
	if err != nil {
		return nil, nil, id, err
	}
	if len(cks) != 1 {
		return nil, nil, id, usagef("name exactly one model and one step (or -model-dir), got %d checkpoints", len(cks))
	}
	client := hub.NewFromEnv()
	client.Progress = out.Err
	ckpt, err := cks[0].Resolve(ctx, client)
	if err != nil {
		return nil, nil, id, err
	}
	fallback := ""
	if dataDir, err := datasets.ResolveDataDir(*f.dataDir); err == nil {
		fallback = dataTokenizer(dataDir)
	}
	tokenizer, err := grid.ChooseTokenizer(ckpt.Dir, *f.tokenizer, fallback)
	if err != nil {
		return nil, nil, id, usagef("%v", err)
	}
	model, tok, err := grid.Load(ckpt.Dir, tokenizer, neox.Options{})
	if err != nil {
		return nil, nil, id, err
	}
	// A checkpoint is identified by its content (weights, config, tokenizer),
	// so that the same files decode wherever they are copied to, from the
	// hub or a folder.
	id = protocol.ModelIdentity{Repo: ckpt.Repo, Revision: ckpt.Revision, WeightsSHA256: ckpt.WeightsSHA256, TokenizerSHA256: tokenizer.SHA256, ConfigSHA256: ckpt.ConfigSHA256}
	return model, tok, id, nil
}

// checkOutput sets the output to output and refuses it, before any model
// work, when it would replace the input, or an existing file without -f
// (see output.check).
func (f *coderFlags) checkOutput(input, output string) error {
	f.output.path = output
	return f.output.check([]string{input})
}

func newCompressCommand() *command {
	fs := flag.NewFlagSet("compress", flag.ContinueOnError)
	cf := addCoderFlags(fs)
	return &command{
		name:    "compress",
		args:    "FILE",
		summary: "compress a file losslessly with a language model and a range coder",
		help: `Compress codes FILE in independent 2048-byte chunks under the lossless
protocol: each chunk's bytes become mod-128 text plus their top bits, the
text's tokens are coded with the model's next-token probabilities by a range
coder, the top bits with small adaptive models. The container records the
model (repository, revision, sha256 of the weights and of config.json), the
tokenizer's sha256, the backend and the engine (GoMLX and go-xla versions):
decompress needs the very same weights, config, tokenizer and backend, since
other tokens do not decode and floating-point results differ between
backends, and says which engine wrote a file it cannot decode. Writes FILE` + compressedSuffix + ` unless -o is given; an existing
output is replaced only with -f, and the input never. The output is written
through a temporary file, so a stopped run leaves no half-written file.

Chunks are coded in lockstep, as many at once as fit in memory (at most 64
on a CPU, 256 on a GPU); the container records how many, and decompress
runs the same. On the pure-Go backend this runs at tens of tokens per
second with Pythia-70m: meant for small files and for checking the
protocol, not for archiving.

Examples:
  paperrepro compress -models 70m -steps 143000 notes.txt
  paperrepro compress -model-dir ./my-neox -tokenizer tokenizer.json -o x.prz data.bin`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 1 {
				return usagef("compress takes one file, got %d arguments", len(args))
			}
			input, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			dest := cf.output.path
			if dest == "" {
				dest = args[0] + compressedSuffix
			}
			if err := cf.checkOutput(args[0], dest); err != nil {
				return err
			}
			model, tok, id, err := cf.load(ctx, out)
			if err != nil {
				return err
			}
			defer model.Close()
			streams, err := neox.ChooseBatch([]neox.Config{model.Config()}, model.DType(), grid.WorkloadOf(grid.ProtocolLossless), 0)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			rep, err := protocol.Compress(&buf, bytes.NewReader(input), model, tok, id, protocol.Options{BatchSize: streams.Batch})
			if err != nil {
				return err
			}
			if err := atomicfile.Write(dest, buf.Bytes(), 0o644); err != nil {
				return err
			}
			ideal, tokens, payload := 0.0, 0, 0
			for _, c := range rep.Chunks {
				ideal += c.IdealBits()
				tokens += c.Tokens
				payload += c.CompressedBytes
			}
			n := float64(max(len(input), 1))
			fmt.Fprintf(out.Out, "%s: %d bytes -> %s: %d bytes (CR %.4f, %.3f bits/byte)\n", args[0], len(input), dest, rep.CompressedBytes,
				float64(rep.CompressedBytes)/n, 8*float64(rep.CompressedBytes)/n)
			fmt.Fprintf(out.Out, "  %d chunks, %d tokens; payload %d bytes vs ideal %.0f bits (coder overhead %.0f bits); header %d bytes\n",
				len(rep.Chunks), tokens, payload, ideal, 8*float64(payload)-ideal, rep.CompressedBytes-payload)
			fmt.Fprintf(out.Out, "  model %v, config sha256 %s, tokenizer sha256 %s, backend %s, engine %s: decompress needs the same\n",
				id, id.ConfigSHA256, id.TokenizerSHA256, rep.Header.Backend, rep.Header.Engine)
			return nil
		},
	}
}

func newDecompressCommand() *command {
	fs := flag.NewFlagSet("decompress", flag.ContinueOnError)
	cf := addCoderFlags(fs)
	return &command{
		name:    "decompress",
		args:    "FILE" + compressedSuffix,
		summary: "decompress a file made by compress, with the same model",
		help: `Decompress reverses compress. Give the same model and tokenizer as compress
was given (the container names them: the error says which differs); the
original's length and CRC-32 are checked before anything is written. Writes
FILE (the name without ` + compressedSuffix + `) unless -o is given; an existing
output is replaced only with -f.

Examples:
  paperrepro decompress -models 70m -steps 143000 notes.txt.prz
  paperrepro decompress -model-dir ./my-neox -tokenizer tokenizer.json -o data.bin x.prz`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 1 {
				return usagef("decompress takes one file, got %d arguments", len(args))
			}
			dest := cf.output.path
			if dest == "" {
				if !strings.HasSuffix(args[0], compressedSuffix) {
					return usagef("%s does not end in %s: name the output with -o", args[0], compressedSuffix)
				}
				dest = strings.TrimSuffix(args[0], compressedSuffix)
			}
			if err := cf.checkOutput(args[0], dest); err != nil {
				return err
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			h, err := protocol.ReadHeader(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(out.Err, "%s was compressed with %v, tokenizer sha256 %s, on %s, engine %s\n", args[0], h.Model, h.Model.TokenizerSHA256, h.Backend, cmp.Or(h.Engine, "not recorded (format version 2)"))
			model, tok, id, err := cf.load(ctx, out)
			if err != nil {
				return err
			}
			defer model.Close()
			var buf bytes.Buffer
			if _, err := protocol.Decompress(&buf, bytes.NewReader(data), model, tok, id); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := atomicfile.Write(dest, buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(out.Out, "%s: %d bytes -> %s: %d bytes\n", args[0], len(data), dest, buf.Len())
			return nil
		},
	}
}
