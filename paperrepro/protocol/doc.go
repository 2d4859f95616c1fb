// Package protocol turns a language model's predictions into compression
// numbers, in two ways. It sits after neox (log-probabilities) and uses arith
// (the range coder); the grid runs it over models and chunks.
//
// # seed: the paper's protocol, exactly as its code did it
//
// Seed.Score maps each byte b to the character chr(b % 128), tokenizes the
// text without special tokens, keeps the first 1024 tokens, runs one forward
// pass, and sums -log2 p(token_t | tokens_<t) over t = 1..n-1: the first
// token costs nothing. CR = bits / (8 * chunk bytes). Chunks with CR outside
// (0.01, 10) are dropped before averaging, as the paper's code did; the result
// counts them. With Seed.Float16 set, each token's probability is rounded to
// float16 as the paper's 8-bit/float16 model produced it, and one that rounds
// to 0 (below about 3e-8, half float16's smallest subnormal) is floored at
// 1e-10, i.e. 33.2 bits. These flaws are kept on purpose: the truncation
// scores only about half of an image or speech chunk (about one token per
// byte there) while dividing by all 2048 bytes, and mod 128 discards the top
// bit of every byte.
//
// # lossless: a real compressor that round-trips every byte
//
// EncodeChunks and DecodeChunks (and Compress and Decompress over a whole
// file in a container) code each chunk independently:
//
//  1. The low 7 bits of every byte form an ASCII text, tokenized with the
//     model's tokenizer. The text must come back from the tokens exactly:
//     the decoder rebuilds it as the concatenation of each token's decoded
//     text and stops when it has the chunk's length (known from the
//     container), so no end marker or token count is stored. If the
//     tokenizer's ids do not rebuild the text that way (it can, for example,
//     match a literal "<|endoftext|>"), the chunk falls back to one token per
//     character, which always rebuilds it but costs more bits; ChunkStats
//     says when that happened. Every token is coded, the first one
//     conditioned on <|endoftext|> (id 0), with the model's next-token
//     distribution quantised by arith.CDF.SetLogProbs.
//  2. The top bit of every byte is coded after the tokens with adaptive
//     binary models (arith.BitModel) in 32 contexts: byte parity, the top
//     two bits of the previous byte, the top bit of the byte before it, and
//     bit 6 of the current byte. Text costs almost nothing here (the top bit
//     is nearly always 0); for image and speech bytes it is the price of
//     not giving the model the full byte. Measured on the first 2048-byte
//     chunk of each modality: text 33 bits (0.016 bits/byte), image 292
//     bits (0.14 bits/byte), speech 576 bits (0.28 bits/byte).
//
// The coder's own overhead is small: the range coder costs about 0.001
// bits per token plus at most about two bytes per chunk for the flush, and
// quantising to a 2^30 total changes the cost by under 1e-4 bits per token
// for a well-calibrated model. (The random tiny test checkpoints put about
// 2^-22 on the actual tokens, where the minimum frequency of 1/2^30 given to
// every token helps: quantised costs come out 0.05-0.15 bits per token below
// the float ones there.)
//
// The model runs incrementally (a KV-cache Decoder), for compressing and
// decompressing alike, because the full forward pass and the incremental one
// agree only to about 1e-4, and the coder needs bit-identical floats on both
// sides. Chunks go through the Decoder BatchSize at a time in lockstep, one
// stream per chunk: a group of fewer chunks (a short file, the last group)
// runs only the streams it has. The decompressor forms the same groups from
// the chunk count and the batch size, which the container records, so both
// sides run the same decoder shapes and see the same floats. Turning a
// stream's floats into its integer CDF (arith.CDF.SetLogProbs over Pythia's
// 50,304 words, far costlier than coding with it: arith's
// BenchmarkTokenVocab50304 against BenchmarkCoderOnly) happens on the host,
// for all the streams of a step in parallel: the quantisation stays one
// pure-Go function of the floats, identical on every backend, where
// quantising in the graph would make the coded integers depend on how each
// backend rounds and orders its exp and sums.
//
// # The container
//
// Compress writes: magic "PPRZ", format version (FormatVersion), protocol
// name, the model's identity (repository, revision, weights SHA-256), the
// tokenizer.json's SHA-256, the backend that computed the probabilities,
// chunk and batch size, the original length and its CRC-32, a CRC-32 of this
// header, then each chunk's payload length and the payloads. Decompress
// checks all of it and refuses another format version, model, tokenizer or
// backend with an error saying which: floating-point results differ between
// backends (and CPU architectures, which are part of the backend string), and
// a single differing bit in a probability table desynchronises the decoder.
package protocol
