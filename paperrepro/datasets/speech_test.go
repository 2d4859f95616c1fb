package datasets_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// speechGolden is testdata/datasets/speech/golden.json: reference decodes of
// the shared LibriSpeech sample by the flac command-line tool.
type speechGolden struct {
	FirstFile       string `json:"first_file"`
	FirstFileBytes  string `json:"first_file_first_2048_bytes"`
	PCM16FullSHA256 string `json:"pcm16_first_4194304_bytes_sha256"`
	PCM8FullSHA256  string `json:"pcm8_first_4194304_bytes_sha256"`
}

func loadSpeechGolden(t *testing.T) speechGolden {
	t.Helper()
	var g speechGolden
	if err := json.Unmarshal(readFile(t, testenv.Testdata(t, "datasets", "speech", "golden.json")), &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestSpeechSharedMatchesFlacTool(t *testing.T) {
	dataDir := sharedData(t)
	golden := loadSpeechGolden(t)
	for _, tc := range []struct{ rule, sha string }{
		{datasets.RulePCM16, golden.PCM16FullSHA256},
		{datasets.RulePCM8, golden.PCM8FullSHA256},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			src, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{Rule: tc.rule})
			if err != nil {
				t.Fatal(err)
			}
			all := allChunks(t, src)
			if len(all) != 2048*2048 || sha256Hex(all) != tc.sha {
				t.Errorf("%d bytes with sha256 %s, want 4194304 with %s (flac -d of the sorted files)", len(all), sha256Hex(all), tc.sha)
			}
			if prov := src.Provenance(); prov.Files[0].Path != golden.FirstFile || prov.Rule != tc.rule {
				t.Errorf("provenance starts with %s under rule %s, want %s under %s", prov.Files[0].Path, prov.Rule, golden.FirstFile, tc.rule)
			}
		})
	}
	t.Run("chunk 0 is the first FLAC's first 2048 bytes", func(t *testing.T) {
		src, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		chunk0, err := src.Chunk(0)
		if err != nil {
			t.Fatal(err)
		}
		want := readFile(t, testenv.Testdata(t, "datasets", "speech", golden.FirstFileBytes))
		if !bytes.Equal(chunk0, want) {
			t.Error("chunk 0 differs from flac -d of the first file's first 2048 bytes")
		}
		if n := len(src.Provenance().Files); n != 1 {
			t.Errorf("one chunk read %d files, want only the first", n)
		}
	})
}

func TestSpeechLibriSpeechTreeAndRules(t *testing.T) {
	flacBytes := readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-16khz.flac"))
	pcm16 := readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-16khz.s16le")) // 800 samples
	dataDir := t.TempDir()
	// LibriSpeech's layout: speaker/chapter/speaker-chapter-utterance.flac.
	// By file name "19-198-0001" sorts before "19-2-0000" although its
	// folder "198" sorts after "2"; "19-198-0000" is first.
	tree := "librispeech/LibriSpeech/train-clean-100/"
	writeFile(t, dataDir, tree+"19/2/19-2-0000.flac", flacBytes)
	writeFile(t, dataDir, tree+"19/198/19-198-0001.flac", flacBytes)
	writeFile(t, dataDir, tree+"19/198/19-198-0000.flac", flacBytes)
	writeFile(t, dataDir, tree+"19/198/19-198.trans.txt", []byte("transcript"))

	pcm8 := make([]byte, len(pcm16)/2)
	for i := range pcm8 {
		sample := int16(uint16(pcm16[2*i]) | uint16(pcm16[2*i+1])<<8)
		pcm8[i] = byte(int(sample>>8) + 128)
	}
	for _, tc := range []struct {
		rule string
		one  []byte
	}{{datasets.RulePCM16, pcm16}, {datasets.RulePCM8, pcm8}} {
		t.Run(tc.rule, func(t *testing.T) {
			stream := bytes.Repeat(tc.one, 3)
			src, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{Rule: tc.rule, ChunkSize: 300, Count: len(stream) / 300})
			if err != nil {
				t.Fatal(err)
			}
			if got := allChunks(t, src); !bytes.Equal(got, stream[:len(got)]) {
				t.Error("chunks differ from the three files' samples concatenated")
			}
			var order []string
			for _, f := range src.Provenance().Files {
				order = append(order, filepath.Base(f.Path))
			}
			if want := []string{"19-198-0000.flac", "19-198-0001.flac", "19-2-0000.flac"}; !equalStrings(order, want) {
				t.Errorf("files read in order %q, want %q", order, want)
			}
		})
	}
	_, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{ChunkSize: 1000, Count: 5})
	wantError(t, err, "4800 bytes", "4 whole chunks of 1000 bytes", "5 requested")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSpeechErrors(t *testing.T) {
	good := readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-16khz.flac"))
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-40] ^= 0xff
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  []string
	}{
		{"8 kHz", map[string][]byte{"1-1-0000.flac": good, "1-1-0001.flac": readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-8khz.flac"))},
			[]string{"1-1-0001.flac", "8000 Hz", "16000 Hz mono 16-bit"}},
		{"stereo", map[string][]byte{"a.flac": readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-stereo.flac"))},
			[]string{"a.flac", "2 channel(s)"}},
		{"24-bit", map[string][]byte{"a.flac": readFile(t, testenv.Testdata(t, "datasets", "speech", "tone-24bit.flac"))},
			[]string{"a.flac", "24-bit"}},
		{"corrupt", map[string][]byte{"a.flac": corrupt}, []string{"a.flac", "decoding FLAC frame"}},
		{"not FLAC", map[string][]byte{"a.flac": []byte("RIFF....WAVE")}, []string{"a.flac", "FLAC header"}},
		{"empty directory", map[string][]byte{}, []string{"no .flac files"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, dir, name, content)
			}
			_, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: dir, ChunkSize: 100, Count: 20})
			wantError(t, err, tc.want...)
		})
	}
	t.Run("too large", func(t *testing.T) {
		// A file far larger than any utterance is refused before it is read.
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, "a.flac"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(257 << 20); err != nil {
			t.Fatal(err)
		}
		f.Close()
		_, err = datasets.Open(datasets.Speech, "", datasets.Options{Path: dir, ChunkSize: 100, Count: 20})
		wantError(t, err, "a.flac", "269484032 bytes, more than")
	})
	t.Run("missing directory", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope")
		_, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: missing})
		wantError(t, err, missing)
	})
}
