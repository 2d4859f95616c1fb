// Package tokenize turns text into the token ids a Pythia (GPT-NeoX) model
// reads, and back, exactly as Hugging Face's tokenizers library does with the
// same tokenizer.json.
//
// In the pipeline it sits between datasets, which cuts byte chunks and maps
// them to text with chr(b % 128), and neox, which scores the ids:
//
//	datasets (text) -> tokenize (ids) -> neox (log-probabilities)
//
// Every id matters: the paper's compression ratios are sums of per-token
// bits, so one id that differs from Hugging Face's changes the result. Encode
// reproduces Hugging Face's steps in their order:
//
//  1. Added tokens whose "normalized" flag is false (Pythia's <|endoftext|> and
//     <|padding|>) are split out of the raw text, leftmost-longest, honouring
//     each token's single_word, lstrip and rstrip flags.
//  2. Each remaining piece is normalized on its own (NFC for Pythia).
//  3. Added tokens whose "normalized" flag is true (Pythia's runs of 2 to 24
//     spaces, ids 50254-50276) are split out of the normalized pieces.
//  4. Each remaining piece is cut into words by the GPT-2 pattern
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//     (a hand-written scanner; the lookahead matters for runs of whitespace).
//  5. Each word's UTF-8 bytes become byte-level symbols, which BPE merges by
//     rank, lowest rank first and leftmost first among equals.
//
// The vocabulary, the merge table and the byte-level alphabet come from
// github.com/sugarme/tokenizer v0.3.0; the steps around them are this
// package's, because that library's own pipeline differs from Hugging Face's:
// its NFC iterates in NFD (it decomposes), it drops added tokens, its pattern
// lacks the lookahead, and its merge loop gives other ids for some words
// (19 of the 12,901 distinct words in enwik8's first 400 kB, " 1000" among
// them).
//
// Because of step 2, Decode(Encode(s)) returns s itself only when s is
// already in NFC, as all ASCII text is, so the paper's chr(b % 128) text
// always round trips exactly. Otherwise it returns a string canonically
// equivalent to s: NFC of each piece between special tokens, which is not
// always NFC(s) (in "<|endoftext|>\u0338" the ">" and the combining U+0338
// stay apart).
//
// Letters, numbers and whitespace are told apart with Go's unicode tables,
// and NFC is golang.org/x/text's; Hugging Face uses Oniguruma's tables and
// its own NFC. A character assigned by a newer Unicode version than both
// know could be classed differently; none can occur in the paper's ASCII
// text.
package tokenize
