package tokenize_test

import (
	"fmt"
	"log"

	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// Pythia's tokenizer turns a run of two spaces into one added token (50276)
// and keeps <|endoftext|> written in the text as its special id 0.
func Example() {
	tok, err := tokenize.Load("../../testdata/tokenizer/tokenizer.json")
	if err != nil {
		log.Fatal(err)
	}
	ids, err := tok.Encode("Hello  world<|endoftext|>")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ids)
	text, err := tok.Decode(ids)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", text)
	// Output:
	// [12092 50276 10186 0]
	// "Hello  world<|endoftext|>"
}
