package tokenize

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestRoundTripASCII checks exact round trips on text like the paper's:
// every byte value mod 128, in runs and mixed with special tokens.
func TestRoundTripASCII(t *testing.T) {
	tok := loadPythia(t)
	all := make([]byte, 0, 4*128)
	for rep := range 4 {
		for b := range 128 {
			all = append(all, byte((b*(rep+1))%128))
		}
	}
	texts := []string{
		string(all),
		"<|endoftext|>" + string(all) + "<|padding|><|endoftext|>",
		"\x00\x00\x00   \x00  \t\t\n\n\n\r\n" + string(make([]byte, 100)),
		string(slices.Repeat([]byte(" "), 1000)),
	}
	for _, text := range texts {
		ids, err := tok.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tok.Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if back != text {
			t.Errorf("Decode(Encode(%q)) = %q", text, back)
		}
	}
}

// FuzzRoundTrip checks, for any string: invalid UTF-8 is refused; valid text
// encodes to ids that decode to the text (exactly when it is NFC, up to
// canonical equivalence otherwise); encoding again, now through the word
// cache, gives the same ids. Run it with
//
//	go test -fuzz=FuzzRoundTrip ./paperrepro/tokenize
func FuzzRoundTrip(f *testing.F) {
	for _, c := range readGolden(f, testenv.Testdata(f, "tokenizer")) {
		if text := c.text(f); len(text) < 512 {
			f.Add(text)
		}
	}
	f.Add("Hello  world <|endoftext|>\u0338 e\u0301\u3000\n\n x")
	tok := loadPythia(f)
	f.Fuzz(func(t *testing.T, text string) {
		ids, err := tok.Encode(text)
		if !utf8.ValidString(text) {
			if err == nil {
				t.Fatalf("Encode(%q) accepted invalid UTF-8", text)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		back, err := tok.Decode(ids)
		if err != nil {
			t.Fatalf("Decode(Encode(%q)): %v", text, err)
		}
		checkRoundTrip(t, text, back)
		again, err := tok.Encode(text)
		if err != nil || !slices.Equal(again, ids) {
			t.Fatalf("Encode(%q) gave %v, then %v (%v)", text, ids, again, err)
		}
	})
}

// FuzzSplitWords checks the hand-written scanner against the regular
// expression it implements.
func FuzzSplitWords(f *testing.F) {
	f.Add("I'm  here\n\n\tnow 42½ e\u0301\u3000!")
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		if got, want := scannerWords(text), regexpWords(t, text); !slices.Equal(got, want) {
			t.Fatalf("splitWords(%q) = %q, the regular expression gives %q", text, got, want)
		}
	})
}
