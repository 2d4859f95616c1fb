package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

var testIdentity = ModelIdentity{Repo: "standin/tiny", Revision: "step1", WeightsSHA256: strings.Repeat("ab", 32), TokenizerSHA256: strings.Repeat("cd", 32), ConfigSHA256: strings.Repeat("ef", 32)}

func compressForTest(t testing.TB, data []byte, opt Options) ([]byte, Report) {
	t.Helper()
	var buf bytes.Buffer
	rep, err := Compress(&buf, bytes.NewReader(data), &standinModel{vocab: 200, backend: "standin"}, newStandinTokenizer(), testIdentity, opt)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), rep
}

func decompressForTest(data []byte, id ModelIdentity, backend string) ([]byte, error) {
	return decompressWith(data, id, &standinModel{vocab: 200, backend: backend})
}

func decompressWith(data []byte, id ModelIdentity, m *standinModel) ([]byte, error) {
	var out bytes.Buffer
	_, err := Decompress(&out, bytes.NewReader(data), m, newStandinTokenizer(), id)
	return out.Bytes(), err
}

func testFile() []byte {
	var b []byte
	for _, name := range []string{"english", "random", "pcm16", "utf8", "crlf (fallback)"} {
		b = append(b, testChunks()[name]...)
	}
	return b
}

func TestCompressDecompress(t *testing.T) {
	data := testFile()
	for _, opt := range []Options{{ChunkSize: 256, BatchSize: 3}, {ChunkSize: 100, BatchSize: 1}, {ChunkSize: 4096, BatchSize: 2}} {
		packed, rep := compressForTest(t, data, opt)
		if rep.CompressedBytes != len(packed) {
			t.Errorf("report says %d bytes, wrote %d", rep.CompressedBytes, len(packed))
		}
		if want := (len(data) + opt.ChunkSize - 1) / opt.ChunkSize; len(rep.Chunks) != want {
			t.Errorf("%d chunk reports, want %d", len(rep.Chunks), want)
		}
		h, err := ReadHeader(packed)
		if err != nil {
			t.Fatal(err)
		}
		if h.Length != len(data) || h.Model != testIdentity || h.Backend != BackendID("standin") || h.Options != opt {
			t.Errorf("header %+v does not describe the input", h)
		}
		got, err := decompressForTest(packed, testIdentity, "standin")
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%+v: round trip changed the data", opt)
		}
	}
}

func TestCompressEmpty(t *testing.T) {
	packed, _ := compressForTest(t, nil, Options{})
	got, err := decompressForTest(packed, testIdentity, "standin")
	if err != nil || len(got) != 0 {
		t.Errorf("empty input: got %d bytes, err %v", len(got), err)
	}
}

func TestDecompressRefuses(t *testing.T) {
	packed, _ := compressForTest(t, testFile(), Options{ChunkSize: 256, BatchSize: 2})
	other := testIdentity
	other.WeightsSHA256 = strings.Repeat("12", 32)
	otherTokenizer := testIdentity
	otherTokenizer.TokenizerSHA256 = strings.Repeat("ef", 32)
	wrongMagic := bytes.Clone(packed)
	wrongMagic[0] = 'X'
	newerVersion := bytes.Clone(packed)
	newerVersion[len(Magic)] = FormatVersion + 1
	cases := []struct {
		name    string
		data    []byte
		id      ModelIdentity
		backend string
		want    error
		mention string
	}{
		{"wrong magic", wrongMagic, testIdentity, "standin", ErrFormat, "magic"},
		{"newer version", newerVersion, testIdentity, "standin", ErrUnsupportedVersion, fmt.Sprintf("unsupported format version %d: this program reads versions 2 to %d", FormatVersion+1, FormatVersion)},
		{"wrong model", packed, other, "standin", ErrModelMismatch, "weights sha256 1212"},
		{"wrong tokenizer", packed, otherTokenizer, "standin", ErrTokenizerMismatch, "tokenizer.json of sha256 cdcd"},
		{"wrong backend", packed, testIdentity, "xla:cuda", ErrBackendMismatch, "xla:cuda"},
		{"truncated", packed[:len(packed)-3], testIdentity, "standin", ErrFormat, "truncated"},
		{"extended", append(bytes.Clone(packed), 0), testIdentity, "standin", ErrFormat, "truncated or extended"},
		{"header cut", packed[:10], testIdentity, "standin", ErrFormat, "truncated"},
		{"empty", nil, testIdentity, "standin", ErrFormat, "magic"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decompressForTest(c.data, c.id, c.backend)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %q does not mention %q", err, c.mention)
			}
			if len(got) != 0 {
				t.Errorf("wrote %d bytes despite the error", len(got))
			}
		})
	}
}

// TestDecompressDamage flips bits and cuts the file everywhere: none may
// give different data without an error. (A flip in the last payload bits can
// leave the decoded value inside the final interval and the data intact.)
func TestDecompressDamage(t *testing.T) {
	data := testFile()
	packed, _ := compressForTest(t, data, Options{ChunkSize: 512, BatchSize: 2})
	undetected := 0
	check := func(what string, damaged []byte) {
		got, err := decompressForTest(damaged, testIdentity, "standin")
		if err == nil && !bytes.Equal(got, data) {
			t.Fatalf("%s: wrong data without an error", what)
		}
		if err == nil {
			undetected++
		}
	}
	for i := 0; i < len(packed); i += 1 + i/16 {
		for bit := range 8 {
			damaged := bytes.Clone(packed)
			damaged[i] ^= 1 << bit
			check("flipping bit "+string(rune('0'+bit))+" of a byte", damaged)
		}
	}
	for n := 0; n < len(packed); n += 1 + n/8 {
		check("truncating", packed[:n])
	}
	if undetected > 8 {
		t.Errorf("%d damaged files decoded without an error (to the right data)", undetected)
	}
}

// TestConfigChangeIsNamed is issue 25's U2: the same weights with another
// config.json used to fail as "corrupt compressed data ... token 50280 is
// not in the vocabulary"; the container now records the config's sha256.
func TestConfigChangeIsNamed(t *testing.T) {
	packed, _ := compressForTest(t, testFile(), Options{ChunkSize: 256, BatchSize: 2})
	other := testIdentity
	other.ConfigSHA256 = strings.Repeat("01", 32)
	_, err := decompressForTest(packed, other, "standin")
	if !errors.Is(err, ErrConfigMismatch) || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "another model configuration") ||
		!strings.Contains(err.Error(), testIdentity.ConfigSHA256) || !strings.Contains(err.Error(), other.ConfigSHA256) {
		t.Errorf("another config.json: %v; want ErrConfigMismatch naming both sums", err)
	}
}

// TestSameContentDecodesWhateverItsName is issue 25's U3: a container made
// from a hub checkpoint decodes with the very same files from a local
// folder (no repository, no revision): sums are compared, not names.
func TestSameContentDecodesWhateverItsName(t *testing.T) {
	data := testFile()
	packed, _ := compressForTest(t, data, Options{ChunkSize: 256, BatchSize: 2})
	local := testIdentity
	local.Repo, local.Revision = "", ""
	got, err := decompressForTest(packed, local, "standin")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the same files from a folder: %v", err)
	}
	local.WeightsSHA256 = strings.Repeat("99", 32)
	if _, err := decompressForTest(packed, local, "standin"); !errors.Is(err, ErrModelMismatch) {
		t.Errorf("other weights: %v, want ErrModelMismatch", err)
	}
}

// TestEngineIsNamedWhenDecodingFails: the container records the engine;
// when decoding fails under another one (its floats differ, as the
// stand-in's do with another vocabulary), the error names the engine that
// wrote the data - for a version-2 container, the one every version-2
// container was written with.
func TestEngineIsNamedWhenDecodingFails(t *testing.T) {
	data := testFile()
	packed, _ := compressForTest(t, data, Options{ChunkSize: 256, BatchSize: 2})
	h, err := ReadHeader(packed)
	if err != nil || h.Engine != standinEngine {
		t.Fatalf("header engine %q, %v; want %q", h.Engine, err, standinEngine)
	}
	for _, tc := range []struct {
		name      string
		container []byte
		engine    string
		wants     []string
	}{
		{"another engine", packed, "standin v2", []string{"compressed with engine standin v1, this program runs standin v2"}},
		{"the same engine", packed, standinEngine, nil},
		{"a version-2 container", mustRead(t, "standin-v2.pprz"), standinEngine, []string{"compressed with engine " + version2Engine, "format version 2"}},
	} {
		_, err := decompressWith(tc.container, testIdentity, &standinModel{vocab: 201, backend: "standin", engine: tc.engine})
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt (the floats differ)", tc.name, err)
			continue
		}
		for _, want := range tc.wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, want)
			}
		}
		if tc.wants == nil && strings.Contains(err.Error(), "engine") {
			t.Errorf("%s: error %q blames the engine", tc.name, err)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(testenv.Testdata(t, "protocol", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
