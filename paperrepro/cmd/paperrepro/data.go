package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// dataFlags choose the data folder and how each modality is cut into chunks.
type dataFlags struct {
	dir                   *string
	imageRule, speechRule *string
	imageSeed             *uint64
}

func addDataFlags(fs *flag.FlagSet) *dataFlags {
	return &dataFlags{
		dir: fs.String("data-dir", "", "data folder (default $"+datasets.EnvDataDir+", else ~/.cache/paperrepro/data); ../shared/data works as one"),
		imageRule: fs.String("image-rule", "",
			`image patches: "paper" (one crop per image in the hub split's order; the default for a split fetched by fetch-data), `+
				`"random-crop" (one per image in file-name order; the default for a folder of images) or "tiles" (every 32x64 tile, Deletang et al.)`),
		imageSeed: fs.Uint64("image-seed", 0, "seed of the paper and random-crop rules' offsets"),
		speechRule: fs.String("speech-rule", "",
			`speech bytes: "paper" (the hub split's order, int16 after the paper's float round trip; the default for a split fetched by fetch-data), `+
				`"pcm16" (int16 as stored, file-name order; the default for a folder of FLAC files) or "pcm8" (Deletang et al.)`),
	}
}

// options returns the datasets options of one modality.
func (f *dataFlags) options(modality string, count int, out streams) datasets.Options {
	opts := datasets.Options{Count: count, Log: out.Err}
	switch modality {
	case datasets.Image:
		opts.Rule, opts.Seed = *f.imageRule, *f.imageSeed
	case datasets.Speech:
		opts.Rule = *f.speechRule
	}
	return opts
}

// open opens the chunk sources of modalities.
func (f *dataFlags) open(modalities []string, dataDir string, count int, out streams) ([]datasets.Source, error) {
	if len(modalities) == 0 {
		return nil, usagef("name at least one modality (text, image, speech)")
	}
	var sources []datasets.Source
	for _, m := range modalities {
		src, err := datasets.Open(m, dataDir, f.options(m, count, out))
		if err != nil {
			return nil, err
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// dataTokenizer is the data folder's copy of Pythia's tokenizer.json (the
// shared data folder has one), or "" when it has none.
func dataTokenizer(dataDir string) string {
	path := filepath.Join(dataDir, "tokenizer", "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}
