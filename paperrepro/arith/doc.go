// Package arith is the entropy coder of the lossless protocol: a range coder
// with a 64-bit state, and the deterministic quantisation that turns a
// model's floating-point next-token distribution into the integer cumulative
// frequencies the coder needs. It knows nothing of models or tokens; package
// protocol drives it with the model's distributions.
//
// # The coder
//
// Encoder and Decoder implement a carry-propagating range coder in the style
// of LZMA's, widened to a 56-bit window held in a uint64 (bit 56 catches the
// carry). The range is renormalised to at least 2^48 before every symbol, so
// with a frequency total of at most 2^32 the integer division range/total
// loses at most 2^-16 of the interval: under 3e-5 bits per symbol. The first
// output byte of such a coder is always zero and is not written, and the
// final flush picks the value with the most trailing zero bits in the last
// interval and drops trailing zero bytes (the decoder reads zeros past the
// end), so a stream costs at most about two bytes more than its ideal size.
//
// # Quantisation
//
// CDF.SetLogProbs turns natural-log probabilities (one float32 per symbol)
// into cumulative frequencies whose total is exactly 2^TotalBits = 2^30
// (the protocol needs at least 2^24: a 2^16 total costs 1-2 bits per token
// over a 50k vocabulary, 2^30 costs about 7e-5). Every symbol gets frequency
// at least 1, so any symbol can be coded. The function is pure: a fixed
// sequential order of float64 operations with no parallel sums and no map
// iteration, so the encoder and the decoder, given bit-identical floats, build
// bit-identical tables. It runs once per token over the whole vocabulary, so
// e^x comes from two small tables (x rounded to 2^-12) rather than math.Exp:
// about 170 µs of CPU for 50,304 symbols. Floats that differ in the last bit (another backend,
// another CPU architecture) give different tables, which is why compressed
// data records the model and backend that made it.
//
// BitModel is an adaptive binary probability coded through the same
// Encoder/Decoder, for side information such as the top bit of each byte.
package arith
