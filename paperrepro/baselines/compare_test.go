package baselines

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// resultRow is a baseline result with the given compressed bytes of 10
// chunks of 100 bytes.
func resultRow(modality, rule, codec string, a Accounting, compressed int64) Result {
	return Result{Modality: modality, Rule: rule, Codec: codec, Setting: "s", Accounting: a, Chunks: 10, ChunkSize: 100, CompressedBytes: compressed, HeaderBytes: 3}
}

func TestCompare(t *testing.T) {
	paper := []results.Table{{Modality: "image", Rows: []results.Row{
		{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.40},
		{Model: "pythia-70m", Params: 70e6, Step: 143000, CR: 0.55},
		{Model: "pythia-410m", Params: 410e6, Step: 1000, CR: 0.60},
		{Model: "pythia-410m", Params: 410e6, Step: 143000, CR: 0.50},
	}}, {Modality: "text", Rows: []results.Row{{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.2}}}}
	ours := []results.Table{{Modality: "image", Rows: []results.Row{{Model: "pythia-410m", Params: 410e6, Step: 143000, CR: 0.62}}}}
	baselines := Table{Rows: []Result{
		resultRow("image", "random-crop", "png", PerChunk, 640),
		resultRow("image", "random-crop", "png", PerChunkHeaderOnce, 600),
		resultRow("image", "random-crop", "xz", PerChunkHeaderOnce, 450),
		resultRow("image", "tiles", "png", PerChunkHeaderOnce, 100), // another rule: not compared
	}}
	verdicts, err := Compare(paper, ours, baselines)
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != 2 {
		t.Fatalf("%d verdicts, want 2 (png and xz on the paper's image rule): %+v", len(verdicts), verdicts)
	}
	png, xz := verdicts[0], verdicts[1]
	if png.Model != "pythia-410m" || png.Step != 143000 || png.ModelCR != 0.50 || png.Codec != "png" || png.CodecCR != 0.60 || png.CodecCRWithHeaders != 0.64 {
		t.Errorf("png verdict %+v", png)
	}
	if !png.ModelWins() || !png.HasOurs || png.OursCR != 0.62 || png.OursWins() {
		t.Errorf("png verdict %+v: want the paper's model to win and ours (0.62) to lose", png)
	}
	if xz.ModelWins() || xz.Margin() >= 0 || xz.CodecCRWithHeaders != 0 {
		t.Errorf("xz verdict %+v: want xz to win (margin %g)", xz, xz.Margin())
	}
	if _, err := Compare(paper, nil, Table{}); err == nil {
		t.Error("no baselines: want an error")
	}

	// Chunks of the paper's own rule (a fetched split) come before the
	// folder rule the grid falls back to.
	baselines.Rows = append(baselines.Rows, resultRow("image", "paper", "png", PerChunkHeaderOnce, 580))
	verdicts, err = Compare(paper, ours, baselines)
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != 1 || verdicts[0].Rule != "paper" || verdicts[0].CodecCR != 0.58 {
		t.Errorf("with the paper's rule present: verdicts %+v, want png on rule paper alone", verdicts)
	}
}

func TestComparePublished(t *testing.T) {
	table := Table{Rows: []Result{
		resultRow("image", "tiles", "png", Stream, 500),
		resultRow("image", "tiles", "png", PerChunkHeaderOnce, 600),
		resultRow("image", "tiles", "png-32wide", PerChunkHeaderOnce, 650),
		resultRow("image", "tiles", "pngcrush", PerChunkHeaderOnce, 1), // not a variant of png
		resultRow("image", "random-crop", "png", PerChunkHeaderOnce, 700),
		resultRow("speech", "pcm8", "flac", PerChunkHeaderOnce, 300),
	}}
	rows := ComparePublished(table)
	var got []string
	for _, r := range rows {
		got = append(got, r.Codec)
	}
	if len(rows) != 3 || got[0] != "png" || got[1] != "png-32wide" || got[2] != "flac" {
		t.Fatalf("rows for %v, want png, png-32wide and flac", got)
	}
	if rows[0].CR[PerChunkHeaderOnce] != 0.6 || rows[0].CR[Stream] != 0.5 || rows[0].Published.CR != 0.585 || rows[0].Rule != "tiles" {
		t.Errorf("png row %+v", rows[0])
	}
	if _, ok := rows[2].CR[Stream]; ok || rows[2].Published.CR != 0.303 {
		t.Errorf("flac row %+v: want no stream result and the published 0.303", rows[2])
	}
}

// TestDeletangCited: the published figures and Deletang et al.'s setup are
// cited facts, each with a source a reader can check.
func TestDeletangCited(t *testing.T) {
	if got := DeletangPublished[0].Cited(); got.Value != "0.585" || !strings.Contains(got.Source, "Deletang et al.") {
		t.Errorf("published PNG figure cited as %+v", got)
	}
	for name, f := range map[string]cite.Fact{"chunks": DeletangSetup.Chunks, "png": DeletangSetup.PNG, "flac": DeletangSetup.FLAC, "gray": DeletangSetup.Gray} {
		if f.Value == "" || !strings.Contains(f.Source, "language_modeling_is_compression, commit 89b454c, ") {
			t.Errorf("%s: %+v lacks a value or its source in Deletang et al.'s code", name, f)
		}
	}
}
