package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func newChunksCommand() *command {
	fs := flag.NewFlagSet("chunks", flag.ContinueOnError)
	modality := fs.String("modality", "", "text, image or speech (required)")
	count := fs.Int("count", datasets.DefaultCount, "number of chunks")
	data := addDataFlags(fs)
	outPath := fs.String("out", "", "file to write the chunks to, raw bytes one chunk after another (required)")
	return &command{
		name:    "chunks",
		summary: "export a modality's chunks - exactly the bytes the grid compresses - to a file",
		help: `Chunks writes the chunks of one modality, raw, one after another (2048
bytes each), so that you can look at exactly what was compressed: e.g. view
image chunks as 32x64 gray patches, or play speech chunks as 16 kHz 16-bit
little-endian PCM. The provenance (files, sha256, rule) is printed.

Examples:
  paperrepro chunks -modality text -count 16 -data-dir ../shared/data -out text.bin
  paperrepro chunks -modality image -image-rule random-crop -image-seed 7 -count 64 -data-dir D -out patches.bin
  paperrepro chunks -modality speech -speech-rule pcm8 -count 100 -out speech8.bin`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 || *modality == "" || *outPath == "" {
				return usagef("chunks needs -modality and -out, and no arguments")
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
			f, err := os.Create(*outPath)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(f)
			werr := datasets.WriteChunks(w, src)
			ferr := w.Flush()
			cerr := f.Close()
			for _, err := range []error{werr, ferr, cerr} {
				if err != nil {
					return fmt.Errorf("writing %s: %w", *outPath, err)
				}
			}
			prov := src.Provenance()
			fmt.Fprintf(out.Out, "%d %s chunks of %d bytes (rule %s, %d source files from %s) -> %s\n",
				src.NumChunks(), prov.Modality, src.ChunkSize(), prov.Rule, len(prov.Files), prov.Root, *outPath)
			return nil
		},
	}
}
