package protocol

import (
	"fmt"
	"slices"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func TestMod128(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte("plain ASCII"), "plain ASCII"},
		{[]byte{0x00, 0x7f, 0x80, 0xff, 0xc3, 0xa9}, "\x00\x7f\x00\x7f\x43\x29"},
	} {
		if got := Mod128(tc.in); got != tc.want {
			t.Errorf("Mod128(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	got := Mod128(all)
	for i := range 256 {
		if got[i] != byte(i%128) {
			t.Fatalf("Mod128 byte %d -> %d, want %d", i, got[i], i%128)
		}
	}
}

func TestTruncate(t *testing.T) {
	ids := []int{5, 6, 7, 8}
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{0, []int{}},
		{2, []int{5, 6}},
		{4, ids},
		{9, ids},
		{-1, ids},
	} {
		if got := Truncate(ids, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Truncate(%v, %d) = %v, want %v", ids, tc.n, got, tc.want)
		}
	}
}

func TestSeedTokens(t *testing.T) {
	chunk := []byte{'a', 'b' | 0x80, 'c', 'd', 'e'}
	for _, tc := range []struct {
		maxTokens int
		want      string
	}{
		{0, "abcde"}, // PaperMaxTokens keeps all five
		{3, "abc"},
		{-1, "abcde"},
	} {
		ids, err := Seed{Tokenizer: newStandinTokenizer(), MaxTokens: tc.maxTokens}.Tokens(chunk)
		if err != nil {
			t.Fatal(err)
		}
		text, err := newStandinTokenizer().Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if text != tc.want {
			t.Errorf("MaxTokens %d: tokens decode to %q, want %q", tc.maxTokens, text, tc.want)
		}
	}
}

// The data sets cut chunks of the size the protocols assume.
func TestDefaultChunkSizeMatchesDatasets(t *testing.T) {
	if DefaultChunkSize != datasets.DefaultChunkSize {
		t.Errorf("protocol.DefaultChunkSize %d, datasets.DefaultChunkSize %d: the paper's chunk has one size", DefaultChunkSize, datasets.DefaultChunkSize)
	}
}

func ExampleMod128() {
	// Bytes >= 128 lose their top bit: 0xe9 ('é' in Latin-1) becomes 'i'.
	fmt.Printf("%q\n", Mod128([]byte{'c', 'a', 'f', 0xe9, 0x80}))
	// Output: "cafi\x00"
}

// The paper scores at most the first 1024 tokens of each chunk.
func ExampleTruncate() {
	ids := make([]int, 1500)
	fmt.Println(len(Truncate(ids, PaperMaxTokens)))
	fmt.Println(len(Truncate(ids[:700], PaperMaxTokens)))
	// Output:
	// 1024
	// 700
}
