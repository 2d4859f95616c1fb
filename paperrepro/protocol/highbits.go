package protocol

import "github.com/paperrepro/paperrepro/paperrepro/arith"

// highBitContexts are the adaptive models for the top bit of each byte; see
// highBitContext.
type highBitContexts [32]arith.BitModel

func newHighBitContexts() *highBitContexts {
	var c highBitContexts
	for i := range c {
		c[i] = arith.NewBitModel()
	}
	return &c
}

// highBitContext picks the model for byte i's top bit from what the decoder
// knows by then: all earlier bytes and the low 7 bits of every byte. It uses
// byte parity (16-bit samples alternate low and high bytes), the previous
// byte's top two bits and the top bit of the one before (smooth images and
// audio stay near their neighbours), and bit 6 of this byte (a byte just
// across 127/128 from its neighbour).
func highBitContext(chunk []byte, i int) int {
	var prev, prev2 byte
	if i >= 1 {
		prev = chunk[i-1]
	}
	if i >= 2 {
		prev2 = chunk[i-2]
	}
	return i&1 | int(prev>>6)<<1 | int(prev2>>7)<<3 | int(chunk[i]>>6&1)<<4
}
