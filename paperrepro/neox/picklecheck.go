package neox

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// checkPickle walks the opcodes of a pickle before gopickle unpickles it,
// refusing what gopickle would turn into a huge allocation or a silent nil:
// a length field that runs past the end of the data (gopickle allocates the
// announced length first, up to 4 GB from a damaged byte), an opcode it does
// not know, a read of a memo slot never stored (gopickle pushes nil), and
// data that ends before STOP. Errors give the byte offset in data.pkl.
func checkPickle(data []byte) error {
	memo := map[uint64]bool{}
	for pos := 0; pos < len(data); {
		op := data[pos]
		arg, ok := pickleArgs[op]
		if !ok {
			return fmt.Errorf("byte %d: unknown pickle opcode 0x%02x", pos, op)
		}
		start := pos
		pos++
		fail := func(format string, args ...any) error {
			return fmt.Errorf("byte %d: opcode %q: %s", start, op, fmt.Sprintf(format, args...))
		}
		need := func(n uint64) bool { return n <= uint64(len(data)-pos) }
		var value uint64 // the 1, 2, 4 or 8-byte argument, or the length of what follows
		switch {
		case arg.fixed > 0:
			if !need(uint64(arg.fixed)) {
				return fail("truncated")
			}
			value = littleEndian(data[pos : pos+arg.fixed])
			pos += arg.fixed
			if op == 0x95 && !need(value) { // FRAME: gopickle reads the frame whole
				return fail("frame of %d bytes, %d are left", value, len(data)-pos)
			}
			if arg.counted {
				if !need(value) {
					return fail("announces %d bytes, %d are left", value, len(data)-pos)
				}
				pos += int(value)
			}
		case arg.lines > 0:
			for range arg.lines {
				end := bytes.IndexByte(data[pos:], '\n')
				if end < 0 {
					return fail("unterminated line")
				}
				if op == 'g' || op == 'p' { // GET, PUT: a decimal slot
					if _, err := fmt.Sscan(string(data[pos:pos+end]), &value); err != nil {
						return fail("memo slot %q: %v", data[pos:pos+end], err)
					}
				}
				pos += end + 1
			}
		}
		switch op {
		case 'q', 'r', 'p': // BINPUT, LONG_BINPUT, PUT
			memo[value] = true
		case 0x94: // MEMOIZE
			memo[uint64(len(memo))] = true
		case 'h', 'j', 'g': // BINGET, LONG_BINGET, GET
			if !memo[value] {
				return fail("reads memo slot %d, which data.pkl never stored: a damaged file", value)
			}
		case '.': // STOP
			return nil
		}
	}
	return fmt.Errorf("byte %d: the pickle ends without STOP (truncated)", len(data))
}

// pickleArg is how an opcode's argument is laid out: fixed bytes (a
// little-endian number, or a length of counted bytes that follow), or lines.
type pickleArg struct {
	fixed   int
	counted bool
	lines   int
}

// pickleArgs are the argument layouts of the opcodes of pickle protocols 0
// to 5 (Python's pickletools lists them).
var pickleArgs = func() map[byte]pickleArg {
	args := map[byte]pickleArg{}
	for _, op := range []byte("(.012NRabd}el]ost)uQ\x85\x86\x87\x88\x89\x81\x8f\x90\x91\x92\x93\x94\x97\x98") {
		args[op] = pickleArg{}
	}
	for op, n := range map[byte]int{'K': 1, 'h': 1, 'q': 1, 0x80: 1, 0x82: 1, 'M': 2, 0x83: 2, 'J': 4, 'j': 4, 'r': 4, 0x84: 4, 'G': 8, 0x95: 8} {
		args[op] = pickleArg{fixed: n}
	}
	for op, n := range map[byte]int{'U': 1, 'C': 1, 0x8c: 1, 0x8a: 1, 'T': 4, 'B': 4, 'X': 4, 0x8b: 4, 0x8d: 8, 0x8e: 8, 0x96: 8} {
		args[op] = pickleArg{fixed: n, counted: true}
	}
	for _, op := range "ILSVFPgp" {
		args[byte(op)] = pickleArg{lines: 1}
	}
	for _, op := range "ci" {
		args[byte(op)] = pickleArg{lines: 2}
	}
	return args
}()

// littleEndian reads an unsigned little-endian number of 1, 2, 4 or 8 bytes.
func littleEndian(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}
