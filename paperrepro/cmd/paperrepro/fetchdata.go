package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func newFetchDataCommand() *command {
	fs := flag.NewFlagSet("fetch-data", flag.ContinueOnError)
	modalities := fs.String("modalities", "text,image,speech", "comma-separated modalities to fetch")
	dataDir := fs.String("data-dir", "", "data folder (default $"+datasets.EnvDataDir+", else ~/.cache/paperrepro/data)")
	return &command{
		name:    "fetch-data",
		summary: "download the data sets (enwik8, LibriSpeech train-clean-100) into the data folder",
		help: `Fetch-data downloads each modality's data set into the data folder, laid out
as 'run' and 'chunks' read it: enwik8 (mattmahoney.net, 36 MB, md5 checked)
and LibriSpeech train-clean-100 (OpenSLR, 6.4 GB, sha256 checked). Downloads
resume when interrupted; data already in place is not fetched again.

ImageNet cannot be downloaded without an account: for "image" the command
checks that the validation images are in place and otherwise says where to
put them (register at https://image-net.org, download ILSVRC2012_img_val.tar
and extract it into DATA/imagenet/val/).

Examples:
  paperrepro fetch-data
  paperrepro fetch-data -modalities text -data-dir /data/paperrepro`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("fetch-data takes no arguments, got %q", args)
			}
			dir, err := datasets.ResolveDataDir(*dataDir)
			if err != nil {
				return err
			}
			for _, m := range splitList(*modalities) {
				if m == datasets.Image {
					if path, err := datasets.Locate(m, dir); err == nil {
						fmt.Fprintf(out.Out, "%s: %s (in place)\n", m, path)
						continue
					}
				}
				path, err := datasets.Fetch(ctx, m, dir, datasets.FetchOptions{Progress: out.Err, Log: out.Err})
				if err != nil {
					return err
				}
				fmt.Fprintf(out.Out, "%s: %s\n", m, path)
			}
			return nil
		},
	}
}
