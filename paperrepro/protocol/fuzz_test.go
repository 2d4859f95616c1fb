package protocol

import (
	"bytes"
	"testing"
)

// fuzzInputBytes caps the original bytes a fuzz input makes the coder
// handle. The stand-in model costs microseconds per token, but the fuzzer
// grows inputs to kilobytes, and it minimizes every new interesting input
// by rerunning it thousands of times, showing 0 execs/s meanwhile: with
// uncapped inputs it sat in that state for most of a run. A few chunks of up
// to 64 bytes already reach every path of the chunking, batching and
// top-bit coding.
const fuzzInputBytes = 128

// FuzzRoundTrip: any input compresses and decompresses to itself.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello, world\r\n"), uint8(16), uint8(2))
	f.Add([]byte{0xFF, 0x00, 0x80, 0x7F}, uint8(1), uint8(1))
	f.Add([]byte("<|endoftext|>the"), uint8(5), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, chunk, batch uint8) {
		data = data[:min(len(data), fuzzInputBytes)]
		opt := Options{ChunkSize: 1 + int(chunk)%64, BatchSize: 1 + int(batch)%4}
		packed, _ := compressForTest(t, data, opt)
		got, err := decompressForTest(packed, testIdentity, "standin")
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%+v: decoded %q, want %q", opt, got, data)
		}
	})
}

// FuzzDecompress: random and mutated containers never panic and never
// decode to anything but the original without an error.
func FuzzDecompress(f *testing.F) {
	original := []byte("the cat sat on the mat\x00\xff\x80 [[link]]\r\n")
	packed, _ := compressForTest(f, original, Options{ChunkSize: 16, BatchSize: 2})
	f.Add(packed)
	f.Add([]byte(Magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := ReadHeader(data); err == nil && h.Length > fuzzInputBytes {
			// A damaged payload decodes to h.Length bytes of garbage before
			// the CRC refuses it; long ones only make each input slow.
			return
		}
		got, err := decompressForTest(data, testIdentity, "standin")
		if err != nil {
			return
		}
		if bytes.Equal(got, original) {
			return
		}
		// Anything else must be a genuine container of what it decoded to:
		// compressing that again gives the same bytes.
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatalf("decoded %d bytes from a container whose header does not parse: %v", len(got), err)
		}
		again, _ := compressForTest(t, got, h.Options)
		if !bytes.Equal(again, data) {
			t.Fatalf("decoded %q without an error from a container that is not its compression", got)
		}
	})
}
