package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// openRule returns the datasets.Options.Rule that opens modality under the
// -rules word set: "" for "paper", which opens the chunks as the grid does
// (baselines.PaperRules), and Deletang et al.'s rule for "deletang".
func openRule(set, modality string) (string, error) {
	switch set {
	case "paper":
		return "", nil
	case "deletang":
		return baselines.DeletangRules[modality], nil
	}
	return "", usagef("-rules: unknown %q (want paper, deletang or both)", set)
}

// baselinesCSV is the table baselines writes into its output folder.
const baselinesCSV = "baselines.csv"

func newBaselinesCommand() *command {
	fs := flag.NewFlagSet("baselines", flag.ContinueOnError)
	modalities := fs.String("modalities", "text,image,speech", "comma-separated modalities")
	rules := fs.String("rules", "paper,deletang", `data rules: "paper" (the grid's chunks: the split's order when fetched, else random-crop and pcm16), "deletang" (tiles, pcm8), or both`)
	count := fs.Int("count", datasets.DefaultCount, "chunks per modality and rule, at most: where the data holds fewer whole chunks, all of them (and it says so)")
	dataDir := fs.String("data-dir", "", "data folder (default $"+datasets.EnvDataDir+", else ~/.cache/paperrepro/data); ../shared/data works as one")
	imageSeed := fs.Uint64("image-seed", 0, "seed of the image crops (rules paper and random-crop)")
	codecs := fs.String("codecs", "", "comma-separated codecs to run (default all: gzip, xz, zstd, bzip2, png, png-32wide, flac)")
	output := addOutputFolder(fs, filepath.Join("results", "baselines"), "`DIR` to write baselines.csv and the figure into (made if missing)")
	paperDir := fs.String("paper", defaultExpectedDir, "folder of the paper's numbers, for the comparison and the figure (\"\" for none)")
	ours := fs.String("ours", "", "our grid's results (cell files, CSV or folder), e.g. of the lossless protocol, to set beside the paper's")
	oursLabel := fs.String("ours-label", "ours", "what -ours holds, for the figure's legend")
	return &command{
		name:    "baselines",
		summary: "classical codecs (gzip, xz, zstd, bzip2, PNG, FLAC) on exactly the grid's chunks, beside the paper's models",
		help: `Baselines compresses the chunks the grid scores with classical codecs -
gzip -9, xz -9e, zstd --ultra -22 and bzip2 -9 on every modality, PNG on image
patches, FLAC -8 on speech - under the paper's data rules and Deletang et
al.'s, each in three accountings: the whole stream of chunks at once, every
chunk alone with its header, and every chunk alone with the header counted
once (Deletang et al.'s). gzip, xz, zstd, bzip2 and flac are the reference
command-line tools (make setup installs them from Debian packages).

It writes into the output folder:
  baselines.csv      compression ratio and bits per byte per modality, rule,
                     codec and accounting, with provenance (tool version,
                     level, chunk count, sha256 of the chunks)
  baselines.png/svg  one panel per modality: the paper's CR per model at its
                     last step (and -ours), each codec per chunk as a line
and prints the results, whether the paper's best model beats each codec on
the same chunks, and ours beside Deletang et al.'s published figures. Files
already in the output folder are replaced only with -f.

Examples:
  paperrepro baselines -data-dir ../shared/data      # all 2048 chunks, or all there are
  paperrepro baselines -modalities image -rules deletang -codecs png -count 512
  paperrepro baselines -ours results/lossless -ours-label "ours, lossless"`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("baselines takes no arguments, got %q", args)
			}
			if *count < 1 {
				return usagef("-count must be at least 1, got %d", *count)
			}
			sets := splitList(*rules)
			for _, s := range sets {
				if _, err := openRule(s, datasets.Text); err != nil {
					return err
				}
			}
			only := splitList(*codecs)
			for _, c := range only {
				if !slices.Contains(baselines.CodecNames(), c) {
					return usagef("-codecs: unknown %q (want some of %v)", c, baselines.CodecNames())
				}
			}
			dir, err := datasets.ResolveDataDir(*dataDir)
			if err != nil {
				return err
			}
			sources, err := openBaselineSources(splitList(*modalities), sets, dir, *count, *imageSeed, out)
			if err != nil {
				return err
			}
			paper, hasPaper, err := loadPaperIfPresent(*paperDir, *paperDir != defaultExpectedDir)
			if err != nil {
				return err
			}
			var mine []results.Table
			if *ours != "" {
				if mine, err = readOurTables(*ours); err != nil {
					return err
				}
			}

			var inputs []string
			if *ours != "" {
				inputs = resultInputs(*ours)
			}
			for _, src := range sources {
				inputs = append(inputs, dataInputs(src.Provenance())...)
			}
			products := []string{baselinesCSV}
			if hasPaper {
				products = append(products, figures.BaselinesFigureName+".png", figures.BaselinesFigureName+".svg") // as Figure.Write names them
			}
			if err := output.check(inputs, products...); err != nil {
				return err
			}

			bar := newBytesBar(out.Err)
			start := time.Now()
			table, err := baselines.Run(ctx, sources, baselines.Options{Codecs: only, Progress: bar})
			if err != nil {
				return err
			}
			fmt.Fprintf(out.Err, "compressed in %.1f s\n", time.Since(start).Seconds())
			csvPath := output.file(baselinesCSV)
			if err := baselines.WriteCSV(csvPath, table); err != nil {
				return err
			}
			printBaselines(out.Out, table)
			fmt.Fprintln(out.Out, csvPath)
			if hasPaper {
				verdicts, err := baselines.Compare(paper.Tables, mine, table)
				if err != nil {
					fmt.Fprintf(out.Err, "no comparison with the paper's models and no figure: %v\n", err)
				} else {
					printVerdicts(out.Out, verdicts)
					fig, err := figures.Baselines(paper.Tables, mine, *oursLabel, table)
					if err != nil {
						return err
					}
					paths, err := fig.Write(output.path)
					if err != nil {
						return err
					}
					for _, p := range paths {
						fmt.Fprintln(out.Out, p)
					}
				}
			}
			printPublished(out.Out, baselines.ComparePublished(table))
			return nil
		},
	}
}

// openBaselineSources opens every modality under every rule set and keeps
// each distinct (modality, rule) once (text is cut one way in both sets).
func openBaselineSources(modalities, sets []string, dataDir string, count int, seed uint64, out streams) ([]datasets.Source, error) {
	if len(modalities) == 0 || len(sets) == 0 {
		return nil, usagef("name at least one modality (-modalities) and one rule set (-rules)")
	}
	var sources []datasets.Source
	opened := map[string]bool{}
	for _, set := range sets {
		for _, m := range modalities {
			if !slices.Contains(results.Modalities, m) {
				return nil, usagef("-modalities: unknown %q (want text, image or speech)", m)
			}
			rule, err := openRule(set, m)
			if err != nil {
				return nil, err
			}
			opts := datasets.Options{Rule: rule, Count: count, Seed: seed, Log: out.Err}
			src, err := datasets.Open(m, dataDir, opts)
			var short *datasets.TooFewChunksError
			if errors.As(err, &short) {
				fmt.Fprintf(out.Err, "%s (%s rules): the data holds %d whole chunks, fewer than the %d asked for; using all %d\n",
					m, set, short.Available, short.Requested, short.Available)
				opts.Count = short.Available
				src, err = datasets.Open(m, dataDir, opts)
			}
			if err != nil {
				return nil, err
			}
			if key := m + "/" + src.Provenance().Rule; !opened[key] {
				opened[key] = true
				sources = append(sources, src)
			}
		}
	}
	return sources, nil
}

// newBytesBar returns a progress callback drawing a bar of bytes compressed
// with an ETA on w.
func newBytesBar(w io.Writer) func(done, total int64) {
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = download.NewBar(w, "compressing", total)
		}
		bar.Set64(done)
	}
}

// printBaselines writes one block per modality and rule: CR and bits per
// byte of each codec under each accounting.
func printBaselines(w io.Writer, t baselines.Table) {
	type key struct{ modality, rule string }
	var order []key
	for _, r := range t.Rows {
		if k := (key{r.Modality, r.Rule}); !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		rows := t.Select(k.modality, k.rule, baselines.Stream)
		fmt.Fprintf(w, "%s, rule %s: %d chunks of %d bytes (sha256 %.12s...)\n", k.modality, k.rule, rows[0].Chunks, rows[0].ChunkSize, rows[0].DataSHA256)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "codec\tsetting\tstream CR\tbits/byte\tper chunk CR\tbits/byte\theader once CR\tbits/byte\theader B\t")
		for _, s := range rows {
			fmt.Fprintf(tw, "%s\t%s\t", s.Codec, s.Setting)
			for _, a := range baselines.Accountings {
				r, _ := t.Find(s.Modality, s.Rule, s.Codec, a)
				fmt.Fprintf(tw, "%.4f\t%.3f\t", r.CR(), r.BitsPerByte())
			}
			fmt.Fprintf(tw, "%d\t\n", s.HeaderBytes)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
}

// printVerdicts writes whether the paper's best model beats each codec.
func printVerdicts(w io.Writer, vs []baselines.Verdict) {
	fmt.Fprintln(w, "The paper's best model at its last step against each codec on the same chunks (per chunk, header once):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "modality\tmodel\tstep\tpaper CR\tours CR\tcodec\tcodec CR\tcodec - paper\tmodel wins\t")
	for _, v := range vs {
		ours := "-"
		if v.HasOurs {
			ours = fmt.Sprintf("%.4f", v.OursCR)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%s\t%s\t%.4f\t%+.4f\t%v\t\n", v.Modality, v.Model, v.Step, v.ModelCR, ours, v.Codec, v.CodecCR, v.Margin(), v.ModelWins())
	}
	tw.Flush()
	fmt.Fprintln(w, "(the paper's CR scores only the first 1024 tokens of a chunk and drops the top bit of every byte; the codecs code every bit)")
	fmt.Fprintln(w)
}

// printPublished writes ours beside Deletang et al.'s published figures.
func printPublished(w io.Writer, rows []baselines.PublishedRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "Ours beside Deletang et al.'s published figures (their data: ImageNet and LibriSpeech; ours: the chunks above):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "modality\trule\tcodec\tpublished\tours header once\tours per chunk\tours stream\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t\n", r.Modality, r.Rule, r.Codec, r.Published.CR,
			r.CR[baselines.PerChunkHeaderOnce], r.CR[baselines.PerChunk], r.CR[baselines.Stream])
	}
	tw.Flush()
	fmt.Fprintf(w, "(published: %s)\n", baselines.DeletangPublished[0].Source)
}
