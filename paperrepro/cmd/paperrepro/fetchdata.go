package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

// offlineDataHelp says what to do when a data source cannot be reached:
// a hub mirror, or the data folder of a machine with a network.
func offlineDataHelp(dir string) string {
	return fmt.Sprintf(`This machine cannot reach the data's source. Either:
  - set HF_ENDPOINT to a mirror of the Hugging Face hub this machine can reach
    (for speech, image and the tokenizer; enwik8 comes from mattmahoney.net), or
  - on a machine with a network run 'make data' (paperrepro fetch-data), then
    copy its data folder (~/.cache/paperrepro/data there, or $%s) to %s here.`,
		datasets.EnvDataDir, dir)
}

// tokenizerRepo is the repository whose tokenizer.json fetch-data brings:
// every Pythia model shares it.
const tokenizerRepo = pythiaOrg + "/pythia-70m"

func newFetchDataCommand() *command {
	fs := flag.NewFlagSet("fetch-data", flag.ContinueOnError)
	items := fs.String("modalities", "text,image,speech", "comma-separated: text, image, speech, and tokenizer (Pythia's tokenizer.json alone)")
	count := fs.Int("chunks", datasets.DefaultCount, "fetch enough speech and image examples for this many chunks")
	dataDir := fs.String("data-dir", "", "data folder (default $"+datasets.EnvDataDir+", else ~/.cache/paperrepro/data)")
	skipGated := fs.Bool("skip-gated", false, "report a gated data set the token does not open (ImageNet) and go on with the others")
	return &command{
		name:    "fetch-data",
		summary: "download the data the paper used: enwik8, the first LibriSpeech and ImageNet examples of the hub splits, the tokenizer",
		help: `Fetch-data brings each modality's data into the data folder, laid out as
'run' and 'chunks' read it:

  text      enwik8 (mattmahoney.net, 36 MB zip, md5 checked)
  speech    the first utterances of openslr/librispeech_asr clean/train.100, in the
            split's order (the paper streamed this split): only the parquet row
            groups that -chunks needs, with HTTP range requests (about 30 MB for
            2048 chunks instead of the 6.3 GB archive)
  image     the first images of ILSVRC/imagenet-1k validation, likewise. The
            repository is gated: accept its terms on the hub and set HF_TOKEN (or
            run 'huggingface-cli login'); without, the message says how to use
            the manual image-net.org download instead
  tokenizer Pythia's tokenizer.json (EleutherAI/pythia-70m), into the Hugging Face
            cache, without the weights

Each example's sha256 is recorded and checked when it is read. Downloads resume
where they stopped; what is in place is not fetched again. HF_ENDPOINT,
HF_TOKEN and HF_HUB_OFFLINE are honoured. On a machine without a network,
run this (or 'make data') on one with a network and copy its data folder
here; the error says where.

Examples:
  paperrepro fetch-data
  paperrepro fetch-data -modalities text,speech -chunks 256 -data-dir /data/paperrepro
  paperrepro fetch-data -modalities tokenizer`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("fetch-data takes no arguments, got %q", args)
			}
			if *count < 1 {
				return usagef("-chunks must be at least 1, got %d", *count)
			}
			dir, err := datasets.ResolveDataDir(*dataDir)
			if err != nil {
				return err
			}
			client := hub.NewFromEnv()
			client.Progress = out.Err
			for _, item := range splitList(*items) {
				if item == "tokenizer" {
					path, err := client.FetchFile(ctx, tokenizerRepo, "main", "tokenizer.json")
					if err != nil {
						return err
					}
					fmt.Fprintf(out.Out, "tokenizer: %s\n", path)
					continue
				}
				opts := datasets.FetchOptions{Hub: client, Count: *count, Progress: out.Err, Log: out.Err}
				path, err := datasets.Fetch(ctx, item, dir, opts)
				if errors.Is(err, hub.ErrGated) && *skipGated {
					fmt.Fprintf(out.Err, "skipping %s: %v\n", item, err)
					continue
				}
				var unreachable *download.UnreachableError
				if errors.As(err, &unreachable) {
					return fmt.Errorf("%w\n%s", err, offlineDataHelp(dir))
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(out.Out, "%s: %s\n", item, path)
			}
			return nil
		},
	}
}
