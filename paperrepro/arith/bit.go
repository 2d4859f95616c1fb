package arith

import "math"

const (
	bitTotalBits = 16
	bitTotal     = 1 << bitTotalBits
	// bitSlowest: after the first bits, each coded bit moves the
	// probability 1/32 of the way to it, so it keeps following changes.
	bitSlowest = 32
)

// BitModel is an adaptive probability for a binary event, starting at 1/2.
// The n-th bit seen moves the probability 1/(n+2) of the way towards
// itself (a running frequency estimate, quick to learn a nearly constant
// bit), down to 1/32 from the 30th bit on. The zero value is not usable;
// call NewBitModel.
type BitModel struct {
	p0 uint32 // probability of 0, in units of 2^-16; stays within [1, 2^16-1]
	n  uint32 // bits seen, up to bitSlowest-2
}

// NewBitModel returns a BitModel with P(0) = 1/2.
func NewBitModel() BitModel { return BitModel{p0: bitTotal / 2} }

// Bits returns what coding bit would cost now, in bits.
func (m *BitModel) Bits(bit int) float64 {
	p := m.p0
	if bit != 0 {
		p = bitTotal - m.p0
	}
	return bitTotalBits - math.Log2(float64(p))
}

func (m *BitModel) update(bit int) {
	d := m.n + 2
	if bit == 0 {
		m.p0 += (bitTotal - m.p0) / d
	} else {
		m.p0 -= m.p0 / d
	}
	if d < bitSlowest {
		m.n++
	}
}

// EncodeBit codes bit (0 or 1) with m and updates m.
func (e *Encoder) EncodeBit(m *BitModel, bit int) error {
	var err error
	if bit == 0 {
		err = e.Encode(0, m.p0, bitTotal)
	} else {
		err = e.Encode(m.p0, bitTotal-m.p0, bitTotal)
	}
	m.update(bit)
	return err
}

// DecodeBit decodes one bit with m and updates m.
func (d *Decoder) DecodeBit(m *BitModel) (int, error) {
	v, err := d.Target(bitTotal)
	if err != nil {
		return 0, err
	}
	bit := 0
	if v < m.p0 {
		d.Consume(0, m.p0)
	} else {
		bit = 1
		d.Consume(m.p0, bitTotal-m.p0)
	}
	m.update(bit)
	return bit, nil
}
