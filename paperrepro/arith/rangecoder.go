package arith

import (
	"errors"
	"fmt"
)

const (
	windowBits = 56
	windowMask = 1<<windowBits - 1
	// renormBound is the smallest range allowed before coding a symbol.
	renormBound = 1 << (windowBits - 8)
	// MaxTotal is the largest frequency total a symbol may be coded with.
	MaxTotal = 1<<32 - 1
)

// ErrCorrupt reports a compressed stream that cannot have been produced by
// an Encoder with the same sequence of frequency tables.
var ErrCorrupt = errors.New("arith: corrupt stream")

// Encoder is a range coder writing to an in-memory buffer. The zero value is
// not usable; call NewEncoder.
type Encoder struct {
	low       uint64 // bits 0..55: bottom of the interval; bit 56: pending carry
	rng       uint64 // width of the interval, in [renormBound, 2^56) between symbols
	cache     byte   // the last byte that a carry may still change
	cacheSize int    // cache plus cacheSize-1 bytes of 0xFF are pending
	started   bool   // the always-zero first byte has been dropped
	out       []byte
}

// NewEncoder returns an Encoder with an empty output.
func NewEncoder() *Encoder {
	return &Encoder{rng: windowMask, cacheSize: 1}
}

// Encode codes a symbol that occupies [start, start+size) of a frequency
// total. The decoder must call Decoder.Target with the same total and then
// Decoder.Consume with the same start and size.
func (e *Encoder) Encode(start, size, total uint32) error {
	if size == 0 || total == 0 || uint64(start)+uint64(size) > uint64(total) {
		return fmt.Errorf("arith: encoding [%d, %d+%d) of total %d: need size >= 1 and start+size <= total", start, start, size, total)
	}
	r := e.rng / uint64(total)
	e.low += r * uint64(start)
	e.rng = r * uint64(size)
	for e.rng < renormBound {
		e.rng <<= 8
		e.shiftLow()
	}
	return nil
}

// shiftLow moves the top byte of the window out, holding it back (with any
// run of 0xFF bytes after it) until it is known no carry can reach it.
func (e *Encoder) shiftLow() {
	if e.low&windowMask < 0xFF<<(windowBits-8) || e.low > windowMask {
		carry := byte(e.low >> windowBits)
		b := e.cache
		for ; e.cacheSize > 0; e.cacheSize-- {
			e.emit(b + carry)
			b = 0xFF
		}
		e.cache = byte(e.low >> (windowBits - 8))
	}
	e.cacheSize++
	e.low = (e.low & (1<<(windowBits-8) - 1)) << 8
}

func (e *Encoder) emit(b byte) {
	if !e.started {
		// The interval never leaves [0, 2^56), so the first byte is 0.
		e.started = true
		return
	}
	e.out = append(e.out, b)
}

// Finish flushes the coder and returns the compressed bytes. The Encoder
// must not be used afterwards.
func (e *Encoder) Finish() []byte {
	// Any value in [low, low+rng) decodes the same; take the one with the
	// most trailing zero bits, which become zero bytes that are dropped.
	for k := windowBits; k >= 0; k-- {
		mask := uint64(1)<<k - 1
		v := (e.low + mask) &^ mask
		if v >= e.low && v < e.low+e.rng {
			e.low = v
			break
		}
	}
	for range windowBits/8 + 1 {
		e.shiftLow()
	}
	end := len(e.out)
	for end > 0 && e.out[end-1] == 0 {
		end--
	}
	return e.out[:end]
}

// Decoder reads a stream written by an Encoder. Reading past the end of the
// input yields zero bytes, matching Encoder.Finish's trimming.
type Decoder struct {
	code uint64 // offset of the coded value from the bottom of the interval
	rng  uint64
	r    uint64 // rng / total of the pending symbol, set by Target
	in   []byte
	pos  int
}

// NewDecoder returns a Decoder over in.
func NewDecoder(in []byte) *Decoder {
	d := &Decoder{rng: windowMask, in: in}
	for range windowBits / 8 {
		d.code = d.code<<8 | uint64(d.next())
	}
	return d
}

func (d *Decoder) next() byte {
	if d.pos >= len(d.in) {
		d.pos++
		return 0
	}
	b := d.in[d.pos]
	d.pos++
	return b
}

// Target returns the cumulative frequency, in [0, total), that the next
// symbol's interval contains. The caller finds the symbol whose
// [start, start+size) holds it and passes those to Consume.
func (d *Decoder) Target(total uint32) (uint32, error) {
	if total == 0 {
		return 0, fmt.Errorf("arith: decoding with frequency total 0")
	}
	d.r = d.rng / uint64(total)
	v := d.code / d.r
	if v >= uint64(total) {
		return 0, ErrCorrupt
	}
	return uint32(v), nil
}

// Consume removes the symbol [start, start+size) found after Target.
func (d *Decoder) Consume(start, size uint32) {
	d.code -= d.r * uint64(start)
	d.rng = d.r * uint64(size)
	for d.rng < renormBound {
		d.rng <<= 8
		d.code = d.code<<8 | uint64(d.next())
	}
}

// Unread returns how many input bytes the decoder has not read. After the
// last symbol of a valid stream it is 0: the encoder writes no byte the
// decoder does not read, so unread bytes mean trailing garbage.
func (d *Decoder) Unread() int {
	return max(0, len(d.in)-d.pos)
}
