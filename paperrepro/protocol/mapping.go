package protocol

// The paper's chunk, byte mapping and truncation: one home for the numbers
// and rules both protocols start from.

// DefaultChunkSize is the paper's chunk: 2048 bytes.
const DefaultChunkSize = 2048

// PaperMaxTokens is the paper's truncation: only the first 1024 tokens of a
// chunk's text are scored (Pythia's context is 2048).
const PaperMaxTokens = 1024

// Mod128 maps each byte b to the character chr(b % 128), the paper's
// byte-to-text mapping before tokenizing. It is lossy: bytes b and b+128 give
// the same character (the lossless protocol codes the top bits separately).
// The result is ASCII, hence valid UTF-8.
func Mod128(chunk []byte) string {
	out := make([]byte, len(chunk))
	for i, b := range chunk {
		out[i] = b & 0x7f
	}
	return string(out)
}

// Truncate returns the first n ids (all of them when there are fewer): the
// paper's truncation with n = PaperMaxTokens. A negative n keeps all ids.
// The result shares ids' backing array.
func Truncate(ids []int, n int) []int {
	if n < 0 || len(ids) <= n {
		return ids
	}
	return ids[:n]
}
