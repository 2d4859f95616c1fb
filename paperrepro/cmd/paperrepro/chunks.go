package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

func newChunksCommand() *command {
	fs := flag.NewFlagSet("chunks", flag.ContinueOnError)
	modality := fs.String("modality", "", "text, image or speech (required)")
	count := fs.Int("count", datasets.DefaultCount, "number of chunks")
	data := addDataFlags(fs)
	output := addOutputFile(fs, "`FILE` to write the chunks to, raw bytes one chunk after another (required)")
	return &command{
		name:    "chunks",
		summary: "export a modality's chunks - exactly the bytes the grid compresses - to a file",
		help: `Chunks writes the chunks of one modality, raw, one after another (2048
bytes each), so that you can look at exactly what was compressed: e.g. view
image chunks as 32x64 gray patches, or play speech chunks as 16 kHz 16-bit
little-endian PCM. The provenance (files, sha256, rule) is printed. An
existing file is replaced only with -f, and never one of the data files.

Examples:
  paperrepro chunks -modality text -count 16 -data-dir ../shared/data -o text.bin
  paperrepro chunks -modality image -image-rule random-crop -image-seed 7 -count 64 -data-dir D -o patches.bin
  paperrepro chunks -modality speech -speech-rule pcm8 -count 100 -o speech8.bin`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 || *modality == "" || !output.given() {
				return usagef("chunks needs -modality and -o, and no arguments")
			}
			if *count < 1 {
				return usagef("-count must be at least 1, got %d", *count)
			}
			dataDir, err := datasets.ResolveDataDir(*data.dir)
			if err != nil {
				return err
			}
			src, err := datasets.Open(*modality, dataDir, data.options(*modality, *count, out))
			if err != nil {
				return err
			}
			if err := output.check(dataInputs(src.Provenance())); err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := datasets.WriteChunks(&buf, src); err != nil {
				return fmt.Errorf("writing %s: %w", output.path, err)
			}
			if err := atomicfile.Write(output.path, buf.Bytes(), 0o644); err != nil {
				return err
			}
			prov := src.Provenance()
			fmt.Fprintf(out.Out, "%d %s chunks of %d bytes (rule %s, %d source files from %s) -> %s\n",
				src.NumChunks(), prov.Modality, src.ChunkSize(), prov.Rule, len(prov.Files), prov.Root, output.path)
			return nil
		},
	}
}
