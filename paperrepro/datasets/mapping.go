package datasets

// Mod128 maps each byte b to the character chr(b % 128), the paper's
// byte-to-text mapping before tokenizing. It is lossy: bytes b and b+128 give
// the same character. The result is ASCII, hence valid UTF-8.
func Mod128(chunk []byte) string {
	out := make([]byte, len(chunk))
	for i, b := range chunk {
		out[i] = b & 0x7f
	}
	return string(out)
}
