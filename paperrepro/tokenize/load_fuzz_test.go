package tokenize

import (
	"os"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// FuzzLoad: any bytes as a tokenizer.json give an error or a tokenizer that
// encodes and decodes text to itself. The seeds are the small test
// tokenizers (a few hundred tokens), so each input parses in well under a
// millisecond; Pythia's 50k-token file would make every input cost tens.
func FuzzLoad(f *testing.F) {
	for _, path := range []string{
		testenv.Testdata(f, "tokenizer", "flags", "tokenizer.json"),
		testenv.Testdata(f, "tokenizer", "bad", "truncated.json"),
		testenv.Testdata(f, "tokenizer", "bad", "wordpiece.json"),
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	flags, _ := os.ReadFile(testenv.Testdata(f, "tokenizer", "flags", "tokenizer.json"))
	f.Add([]byte(strings.Replace(string(flags), `"yes": 260`, `"yes": 259`, 1)))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := parse(data)
		if err != nil {
			return
		}
		const text = "hello world, <mask> [SEP] \u00e9\u4e16\n"
		ids, err := tok.Encode(text)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		for _, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				t.Fatalf("Encode gave id %d outside [0, %d)", id, tok.VocabSize())
			}
		}
		if _, err := tok.Decode(ids); err != nil {
			t.Fatalf("Decode(Encode(%q)): %v", text, err)
		}
	})
}
