package tokenize

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"golang.org/x/text/unicode/norm"
)

// goldenCase is one line of a golden .jsonl file: a text and the ids Hugging
// Face's tokenizers gives it with add_special_tokens=false.
type goldenCase struct {
	Name    string `json:"name"`
	TextB64 string `json:"text_b64"`
	IDs     []int  `json:"ids"`
}

// readGolden reads every case of every *.jsonl file in dir.
func readGolden(t testing.TB, dir string) []goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden *.jsonl files in %s (err %v)", dir, err)
	}
	var cases []goldenCase
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for line := 1; sc.Scan(); line++ {
			var c goldenCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", file, line, err)
			}
			c.Name = filepath.Base(file) + ":" + c.Name
			cases = append(cases, c)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		f.Close()
	}
	return cases
}

func (c goldenCase) text(t testing.TB) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(c.TextB64)
	if err != nil {
		t.Fatalf("%s: text_b64: %v", c.Name, err)
	}
	return string(b)
}

// loadPythia loads the Pythia tokenizer.json copied into testdata.
func loadPythia(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := Load(testenv.Testdata(t, "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// firstDiff returns the first index where a and b differ.
func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// checkGolden encodes every golden case in dir with tok and compares with
// the reference ids; with roundTrip it also checks that decoding gives the
// text back.
func checkGolden(t *testing.T, tok *Tokenizer, dir string, roundTrip bool) {
	cases := readGolden(t, dir)
	t.Logf("%d golden cases in %s", len(cases), dir)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			text := c.text(t)
			got, err := tok.Encode(text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.IDs) {
				i := firstDiff(got, c.IDs)
				t.Fatalf("%d ids, want %d; first difference at %d: got %v, want %v",
					len(got), len(c.IDs), i, got[i:min(i+8, len(got))], c.IDs[i:min(i+8, len(c.IDs))])
			}
			if !roundTrip {
				return
			}
			back, err := tok.Decode(got)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, text, back)
		})
	}
}

// TestGolden checks the Pythia tokenizer against Hugging Face's ids for every
// case in testdata/tokenizer/*.jsonl.
func TestGolden(t *testing.T) {
	checkGolden(t, loadPythia(t), testenv.Testdata(t, "tokenizer"), true)
}

// TestGoldenAddedTokenFlags checks the added-token flags Pythia does not use
// (single_word, lstrip, rstrip, normalized on a token NFC changes) and Hugging
// Face's id assignment, which ignores the ids written in the file, on a small
// tokenizer made for it. Stripped whitespace does not come back on decoding,
// so there is no round trip here.
func TestGoldenAddedTokenFlags(t *testing.T) {
	dir := testenv.Testdata(t, "tokenizer", "flags")
	tok, err := Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, tok, dir, false)
}

// TestGoldenShared checks that the testdata copy of the golden file still
// matches the shared fixture it was copied from.
func TestGoldenShared(t *testing.T) {
	for _, name := range []string{"golden.jsonl"} {
		shared, err := os.ReadFile(testenv.Shared(t, "fixtures", "tokenizer", name))
		if err != nil {
			t.Fatal(err)
		}
		local, err := os.ReadFile(testenv.Testdata(t, "tokenizer", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(shared) != string(local) {
			t.Errorf("testdata/tokenizer/%s differs from the shared fixture", name)
		}
	}
}

// checkRoundTrip checks back = Decode(Encode(text)): equal to text when text
// is in NFC, canonically equivalent to it otherwise (Hugging Face normalizes
// the pieces between special tokens one by one, so back need not be NFC(text)
// itself: ">" before U+0338 stays apart when ">" ends <|endoftext|>).
func checkRoundTrip(t *testing.T, text, back string) {
	t.Helper()
	if norm.NFC.IsNormalString(text) {
		if back != text {
			t.Errorf("Decode(Encode(%q)) = %q, want the NFC text back unchanged", text, back)
		}
		return
	}
	if norm.NFC.String(back) != norm.NFC.String(text) {
		t.Errorf("Decode(Encode(%q)) = %q, not canonically equivalent to the text", text, back)
	}
}

// TestEnwik8Chunks checks every 2048-byte chunk of the shared enwik8 prefix,
// mapped with chr(b % 128) as in the paper, against the token count and a
// digest of Hugging Face's ids (testdata/tokenizer/enwik8_chunks.txt, made by
// bench_hf.mjs --digest): the text modality's whole input, not a sample.
func TestEnwik8Chunks(t *testing.T) {
	text := enwik8Text(t)
	want, err := os.ReadFile(testenv.Testdata(t, "tokenizer", "enwik8_chunks.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tok := loadPythia(t)
	var got strings.Builder
	for i, start := 0, 0; start < len(text); i, start = i+1, start+chunkSize {
		ids, err := tok.Encode(text[start:min(start+chunkSize, len(text))])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%d %d %x\n", i, len(ids), sha256.Sum256([]byte(joinInts(ids))))
	}
	gotLines, wantLines := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d chunks, the reference has %d", len(gotLines)-1, len(wantLines)-1)
	}
	for i := range wantLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("chunk line %q, Hugging Face %q", gotLines[i], wantLines[i])
		}
	}
}

func joinInts(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ",")
}

// TestEncodeConcurrent encodes the golden cases from several goroutines at
// once through one Tokenizer (and its shared word cache); run with -race.
func TestEncodeConcurrent(t *testing.T) {
	tok := loadPythia(t)
	cases := readGolden(t, testenv.Testdata(t, "tokenizer"))
	errs := make(chan error, 4)
	for worker := range 4 {
		go func() {
			for i := range cases {
				c := cases[(i+worker*len(cases)/4)%len(cases)]
				text, _ := base64.StdEncoding.DecodeString(c.TextB64)
				got, err := tok.Encode(string(text))
				if err == nil && !slices.Equal(got, c.IDs) {
					err = fmt.Errorf("%s: ids differ from Hugging Face's when encoded concurrently", c.Name)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
