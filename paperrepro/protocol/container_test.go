package protocol

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var testIdentity = ModelIdentity{Repo: "standin/tiny", Revision: "step1", WeightsSHA256: strings.Repeat("ab", 32), TokenizerSHA256: strings.Repeat("cd", 32)}

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
	var out bytes.Buffer
	_, err := Decompress(&out, bytes.NewReader(data), &standinModel{vocab: 200, backend: backend}, newStandinTokenizer(), id)
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
	other.Revision = "step2"
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
		{"newer version", newerVersion, testIdentity, "standin", ErrUnsupportedVersion, "unsupported format version 3: this program reads version 2 only"},
		{"wrong model", packed, other, "standin", ErrModelMismatch, "step2"},
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
