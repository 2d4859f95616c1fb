package datasets_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestTooFewChunks: asking for more chunks than the data holds is a
// TooFewChunksError that says how many there are, for every modality's
// rules, so that a caller can take them all.
func TestTooFewChunks(t *testing.T) {
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, make([]byte, 250), 0o644); err != nil {
		t.Fatal(err)
	}
	data := testenv.Shared(t, "data")
	for _, tc := range []struct {
		name      string
		modality  string
		dir       string
		opts      datasets.Options
		available int
	}{
		{"text file", datasets.Text, "", datasets.Options{Path: short, ChunkSize: 100, Count: 3}, 2},
		{"shared enwik8 prefix", datasets.Text, data, datasets.Options{Count: 2048}, 2028},
		{"speech pcm8", datasets.Speech, data, datasets.Options{Rule: datasets.RulePCM8, Count: 1 << 20}, -1},
		{"image tiles", datasets.Image, data, datasets.Options{Rule: datasets.RuleTiles, Count: 1 << 20}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datasets.Open(tc.modality, tc.dir, tc.opts)
			var short *datasets.TooFewChunksError
			if !errors.As(err, &short) {
				t.Fatalf("error %v, want a TooFewChunksError", err)
			}
			if short.Requested != tc.opts.Count || short.Available < 1 || short.Available >= tc.opts.Count || (tc.available > 0 && short.Available != tc.available) {
				t.Errorf("available %d, requested %d; want %d of %d", short.Available, short.Requested, tc.available, tc.opts.Count)
			}
			if tc.available < 0 {
				return // opening all of a sample folder again takes long
			}
			// And that many open.
			opts := tc.opts
			opts.Count = short.Available
			if src, err := datasets.Open(tc.modality, tc.dir, opts); err != nil || src.NumChunks() != short.Available {
				t.Errorf("opening the %d available chunks: %v", short.Available, err)
			}
		})
	}
}
