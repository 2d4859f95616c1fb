package protocol

import (
	"bytes"
	"fmt"
)

// The grid scores chunks under the paper's protocol like this, with a
// *tokenize.Tokenizer and a *neox.Model in place of the stand-ins.
func ExampleSeed_Score() {
	chunks := [][]byte{
		bytes.Repeat([]byte("the cat sat on the mat. "), 86)[:2048],
		make([]byte, 2048), // all NULs: too predictable, CR below 0.01
	}
	seed := Seed{Tokenizer: newStandinTokenizer(), Model: &standinModel{vocab: 200}, Float16: true}
	res, err := seed.Score(chunks)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range res.Chunks {
		fmt.Printf("chunk %d: %d tokens, %.0f bits, CR %.4f, dropped %v\n", i, c.Tokens, c.Bits, c.CR, c.Dropped)
	}
	fmt.Printf("mean CR %.4f over %d chunks, %d dropped\n", res.MeanCR, res.Kept, res.Dropped)
	// Output:
	// chunk 0: 1024 tokens, 3294 bits, CR 0.2011, dropped false
	// chunk 1: 1024 tokens, 58 bits, CR 0.0035, dropped true
	// mean CR 0.2011 over 1 chunks, 1 dropped
}

// Compress and Decompress handle a whole file; the command line calls them
// with a *neox.Model, its *tokenize.Tokenizer and the checkpoint's identity.
func ExampleCompress() {
	original := []byte("Any bytes at all: text, \x00\xff binary, \r\n line ends.")
	model := &standinModel{vocab: 200, backend: "go"}
	id := ModelIdentity{Repo: "EleutherAI/pythia-70m", Revision: "step143000", WeightsSHA256: "0123abcd", TokenizerSHA256: "4567ef"}

	var packed bytes.Buffer
	rep, err := Compress(&packed, bytes.NewReader(original), model, newStandinTokenizer(), id, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// On so short an input the container's header (magic, model, config
	// and tokenizer identity, engine, checksums: about 110 bytes here)
	// outweighs what coding saves.
	fmt.Printf("%d bytes -> %d bytes in %d chunk(s)\n", len(original), rep.CompressedBytes, len(rep.Chunks))

	var restored bytes.Buffer
	if _, err := Decompress(&restored, &packed, model, newStandinTokenizer(), id); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.Equal(restored.Bytes(), original))
	// Output:
	// 48 bytes -> 140 bytes in 1 chunk(s)
	// true
}

// The grid's lossless cells code chunks directly, without a container, and
// read the statistics.
func ExampleEncodeChunks() {
	chunks := [][]byte{[]byte("first chunk of text"), []byte("second \x80\x81\x82 chunk")}
	model := &standinModel{vocab: 200, backend: "go"}
	tok := newStandinTokenizer()
	opt := Options{BatchSize: 2}
	enc, err := EncodeChunks(model, tok, chunks, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	payloads := [][]byte{enc[0].Payload, enc[1].Payload}
	got, err := DecodeChunks(model, tok, payloads, []int{len(chunks[0]), len(chunks[1])}, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, e := range enc {
		fmt.Printf("chunk %d: %d tokens, %d bytes, round trip %v\n", i, e.Stats.Tokens, e.Stats.CompressedBytes, bytes.Equal(got[i], chunks[i]))
	}
	// Output:
	// chunk 0: 18 tokens, 21 bytes, round trip true
	// chunk 1: 16 tokens, 18 bytes, round trip true
}
