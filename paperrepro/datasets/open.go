package datasets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// EnvDataDir is the environment variable that sets the data directory when
// no flag does.
const EnvDataDir = "PAPERREPRO_DATA"

// Options selects which chunks a Source yields. The zero value gives the
// paper's setup: the default rule, 2048 chunks of 2048 bytes, seed 0.
type Options struct {
	// Rule is how bytes are cut from the files; "" picks the default:
	// "paper" for a hub split fetched by FetchSplit, whose manifest keeps the
	// order the paper streamed it in, else the folder rule "random-crop"
	// (image) or "pcm16" (speech), which take files in file-name order.
	// text: "consecutive". image: "paper", "random-crop" or "tiles".
	// speech: "paper", "pcm16" or "pcm8".
	Rule string
	// ChunkSize is the length of a chunk in bytes; 0 means 2048.
	ChunkSize int
	// Count is the number of chunks; 0 means 2048.
	Count int
	// Seed seeds the image crops' generator (rules paper and random-crop).
	Seed uint64
	// PatchWidth is the width of an image patch in pixels; 0 means 64. The
	// patch height is ChunkSize / PatchWidth (32 at the defaults).
	PatchWidth int
	// Gray is how image pixels become 8-bit gray: "" or GrayLuma (PIL's
	// convert("L"), the paper's), or GrayMean (the mean of R, G and B).
	Gray string
	// Path, when set, is the file (text) or directory (image, speech) to read
	// instead of the standard place under the data directory.
	Path string
	// Log receives warnings (a prefix of enwik8, a skipped image); nil
	// discards them.
	Log io.Writer
}

// Open returns the chunks of modality ("text", "image" or "speech") read
// from the data directory dataDir, laid out as the package documentation
// describes, or from opts.Path.
func Open(modality, dataDir string, opts Options) (Source, error) {
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Count == 0 {
		opts.Count = DefaultCount
	}
	if opts.ChunkSize < 0 || opts.Count < 0 {
		return nil, fmt.Errorf("datasets: chunk size %d and count %d must be positive", opts.ChunkSize, opts.Count)
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	path := opts.Path
	if path == "" {
		var err error
		if path, err = Locate(modality, dataDir); err != nil {
			return nil, err
		}
	}
	switch modality {
	case Text:
		return openText(path, opts)
	case Image:
		return openImages(path, opts)
	case Speech:
		return openSpeech(path, opts)
	}
	return nil, fmt.Errorf("datasets: unknown modality %q (want text, image or speech)", modality)
}

// layout lists, per modality, where Locate looks under the data directory,
// in order: the hub split the paper streamed (as FetchSplit leaves it), the
// full data sets, then the small samples of shared/data.
var layout = map[string][]string{
	Text:   {"enwik8/enwik8", "enwik8/enwik8.zip", "enwik8/enwik8.prefix"},
	Image:  {ImageNetValidation.Dir, "imagenet/val", "imagenet-sample"},
	Speech: {LibriSpeechTrain100.Dir, "librispeech/LibriSpeech/train-clean-100", "librispeech/flac", "librispeech-sample"},
}

// Locate returns the first existing path of modality's layout under dataDir.
func Locate(modality, dataDir string) (string, error) {
	candidates, ok := layout[modality]
	if !ok {
		return "", fmt.Errorf("datasets: unknown modality %q (want text, image or speech)", modality)
	}
	var tried []string
	for _, rel := range candidates {
		path := filepath.Join(dataDir, filepath.FromSlash(rel))
		probe := path
		if split, ok := hubSplitFor(modality); ok && rel == split.Dir {
			probe = filepath.Join(path, SplitManifestName) // a fetch that never finished a row group leaves none
		}
		if _, err := os.Stat(probe); err == nil {
			return path, nil
		}
		tried = append(tried, path)
	}
	hint := fmt.Sprintf("fetch it with `%s`", FetchDataCommand(modality))
	if modality == Image {
		hint += " (ImageNet is gated: it needs HF_TOKEN of an account that accepted the terms of " + ImageNetValidation.Repo + ", " + manualImageNet(dataDir) + ")"
	}
	return "", fmt.Errorf("datasets: no %s data: none of %s exists; %s", modality, strings.Join(tried, ", "), hint)
}

// ResolveDataDir returns the data directory: flagValue when non-empty, else
// $PAPERREPRO_DATA, else paperrepro/data under the user's cache directory
// (~/.cache/paperrepro/data on Linux).
func ResolveDataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if dir := os.Getenv(EnvDataDir); dir != "" {
		return dir, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", errors.Join(fmt.Errorf("datasets: no data directory: set %s or pass one", EnvDataDir), err)
	}
	return filepath.Join(cache, "paperrepro", "data"), nil
}
