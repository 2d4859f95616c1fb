package baselines_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Compress the 32x64 tiles of an image with PNG under the three
// accountings. (Without Options.Codecs every codec runs, most of them
// through the reference command-line tools that make setup installs.)
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "baselines-example")
	defer os.RemoveAll(dir)
	img := image.NewGray(image.Rect(0, 0, 128, 64)) // a smooth gradient: 4 tiles
	for y := range 64 {
		for x := range 128 {
			img.SetGray(x, y, color.Gray{Y: uint8(x + y)})
		}
	}
	f, _ := os.Create(filepath.Join(dir, "gradient.png"))
	png.Encode(f, img)
	f.Close()

	src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	table, err := baselines.Run(context.Background(), []datasets.Source{src}, baselines.Options{Codecs: []string{"png"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range table.Rows {
		fmt.Printf("%s %-17s %5d bytes of %d: CR %.3f, %.2f bits/byte\n", r.Codec, r.Accounting, r.CompressedBytes, r.InputBytes(), r.CR(), r.BitsPerByte())
	}
	// Output:
	// png stream              129 bytes of 8192: CR 0.016, 0.13 bits/byte
	// png chunk               364 bytes of 8192: CR 0.044, 0.36 bits/byte
	// png chunk-header-once   160 bytes of 8192: CR 0.020, 0.16 bits/byte
}

// Read a results file and put the paper's best model beside each codec.
func ExampleCompare() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A results file as `paperrepro baselines` writes it (sizes made up).
	dir, _ := os.MkdirTemp("", "baselines-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "baselines.csv")
	baselines.WriteCSV(path, baselines.Table{Rows: []baselines.Result{{
		Modality: "speech", Rule: "pcm16", Codec: "flac", Setting: "-8", Implementation: "flac 1.4.2",
		Accounting: baselines.PerChunkHeaderOnce, Chunks: 2048, ChunkSize: 2048, CompressedBytes: 2_300_000, HeaderBytes: 98,
	}}})

	table, err := baselines.ReadCSV(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	verdicts, err := baselines.Compare(paper.Tables, nil, table)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range verdicts {
		fmt.Printf("%s: %s at step %d has CR %.3f, %s %.3f; the model wins: %v\n",
			v.Modality, v.Model, v.Step, v.ModelCR, v.Codec, v.CodecCR, v.ModelWins())
	}
	// Output:
	// speech: pythia-1b at step 143000 has CR 0.384, flac 0.548; the model wins: true
}

// The codecs that suit 16-bit speech chunks: the general-purpose ones and
// FLAC at the chunks' sample format.
func ExampleCodecsFor() {
	codecs, err := baselines.CodecsFor(datasets.Provenance{
		Modality: datasets.Speech, Rule: datasets.RulePCM16, Parameters: map[string]any{"sample_rate": 16000},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range codecs {
		fmt.Printf("%s %s\n", c.Name(), c.Setting())
	}
	// Output:
	// gzip -9
	// xz -9e
	// zstd --ultra -22
	// bzip2 -9
	// flac -8, 16-bit signed mono 16000 Hz
}

// Put ours beside the figures Deletang et al. published (sizes made up).
func ExampleComparePublished() {
	table := baselines.Table{Rows: []baselines.Result{{
		Modality: "speech", Rule: "pcm8", Codec: "flac", Setting: "-8", Accounting: baselines.PerChunkHeaderOnce,
		Chunks: 2048, ChunkSize: 2048, CompressedBytes: 1_000_000, HeaderBytes: 97,
	}}}
	for _, row := range baselines.ComparePublished(table) {
		fmt.Printf("%s %s: published %.3f, ours %.3f per chunk with the header once\n",
			row.Modality, row.Codec, row.Published.CR, row.CR[baselines.PerChunkHeaderOnce])
	}
	// Output: speech flac: published 0.303, ours 0.238 per chunk with the header once
}
