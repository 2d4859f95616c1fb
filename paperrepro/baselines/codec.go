package baselines

import (
	"context"
	"fmt"
	"slices"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// Codec is one classical compressor at one setting.
type Codec interface {
	// Name is the codec as tables show it: "gzip", "xz", "zstd", "bzip2",
	// "png", "png-32wide" or "flac".
	Name() string
	// Setting is the level and options, e.g. "-9e" or "best, 64 pixels wide".
	Setting() string
	// Implementation names the library or tool and its version, e.g.
	// "xz (XZ Utils) 5.4.1"; it fails when a tool is not installed.
	Implementation(ctx context.Context) (string, error)
	// Unit is the length in bytes of the smallest input the format holds
	// (one byte, one sample, one pixel); inputs are whole numbers of it.
	Unit() int
	// Sizes compresses each input on its own and returns the compressed
	// sizes in bytes, in order.
	Sizes(ctx context.Context, inputs [][]byte) ([]int, error)
}

// encoder is what every codec of this package implements: each compresses
// every input on its own and calls visit with its index and compressed
// bytes, in order.
type encoder interface {
	each(ctx context.Context, inputs [][]byte, visit func(i int, compressed []byte) error) error
}

// sizesOf is Codec.Sizes for an encoder.
func sizesOf(ctx context.Context, e encoder, inputs [][]byte) ([]int, error) {
	sizes := make([]int, len(inputs))
	err := e.each(ctx, inputs, func(i int, compressed []byte) error {
		sizes[i] = len(compressed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sizes, nil
}

// General-purpose codecs, which every modality gets.
func generalCodecs() []Codec {
	return []Codec{Gzip(), XZ(), Zstd(), Bzip2()}
}

// CodecsFor returns the codecs that suit chunks of the given provenance:
// the general-purpose ones for every modality, then PNG (two row widths) for
// image patches and FLAC for speech at the rule's sample format.
func CodecsFor(p datasets.Provenance) ([]Codec, error) {
	codecs := generalCodecs()
	switch p.Modality {
	case datasets.Text:
	case datasets.Image:
		width, err := intParameter(p, "patch_width")
		if err != nil {
			return nil, err
		}
		codecs = append(codecs, PNG(width), PNG32Wide())
	case datasets.Speech:
		format, err := SampleFormatOf(p)
		if err != nil {
			return nil, err
		}
		codecs = append(codecs, FLAC(format))
	default:
		return nil, fmt.Errorf("baselines: unknown modality %q (want text, image or speech)", p.Modality)
	}
	return codecs, nil
}

// CodecNames lists the names CodecsFor can return, for choosing some.
func CodecNames() []string {
	return []string{"gzip", "xz", "zstd", "bzip2", "png", "png-32wide", "flac"}
}

// selectCodecs keeps the codecs named in only (all when only is empty).
func selectCodecs(codecs []Codec, only []string) []Codec {
	if len(only) == 0 {
		return codecs
	}
	var kept []Codec
	for _, c := range codecs {
		if slices.Contains(only, c.Name()) {
			kept = append(kept, c)
		}
	}
	return kept
}

// SampleFormat is how speech chunk bytes hold samples: mono, little-endian.
type SampleFormat struct {
	// Bits per sample: 16 (rules paper and pcm16) or 8 (rule pcm8).
	Bits int
	// Signed is true for int16 samples (paper, pcm16), false for pcm8's
	// sample>>8 + 128.
	Signed bool
	// Rate is the sample rate in Hz (16000 for LibriSpeech).
	Rate int
}

// SampleFormatOf returns the sample format of speech chunks from their
// provenance: the rule gives the width and sign, the parameters the rate.
func SampleFormatOf(p datasets.Provenance) (SampleFormat, error) {
	rate, err := intParameter(p, "sample_rate")
	if err != nil {
		return SampleFormat{}, err
	}
	switch p.Rule {
	case datasets.RulePaper, datasets.RulePCM16:
		return SampleFormat{Bits: 16, Signed: true, Rate: rate}, nil
	case datasets.RulePCM8:
		return SampleFormat{Bits: 8, Signed: false, Rate: rate}, nil
	}
	return SampleFormat{}, fmt.Errorf("baselines: speech rule %q has no known sample format (want %s, %s or %s)", p.Rule, datasets.RulePaper, datasets.RulePCM16, datasets.RulePCM8)
}

// intParameter reads an integer parameter of a provenance, as datasets
// writes it (an int) or as JSON reads it back (a float64).
func intParameter(p datasets.Provenance, name string) (int, error) {
	switch v := p.Parameters[name].(type) {
	case int:
		return v, nil
	case float64:
		if v == float64(int(v)) {
			return int(v), nil
		}
	}
	return 0, fmt.Errorf("baselines: %s chunks: provenance parameter %q is %v, want a whole number", p.Modality, name, p.Parameters[name])
}
