package neox_test

import (
	"fmt"
	"log"

	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

// Score a token sequence: the bits an ideal coder driven by the model spends
// on each token after the first.
func ExampleModel_TokenBits() {
	m, err := neox.Load("../../testdata/neox/parallel-f32") // a tiny random GPT-NeoX
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	bits, err := m.TokenBits([][]int{{464, 68, 758, 21, 180}})
	if err != nil {
		log.Fatal(err)
	}
	total := 0.0
	for _, b := range bits[0] {
		total += b
	}
	fmt.Printf("%d tokens scored, %.1f bits\n", len(bits[0]), total)
	// Output: 4 tokens scored, 41.9 bits
}

// Decode incrementally: one token per stream per step, with a key/value cache.
func ExampleModel_NewDecoder() {
	m, err := neox.Load("../../testdata/neox/parallel-f32")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	d, err := m.NewDecoder(2, 16) // two streams of up to 16 tokens
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	var dists [][]float32
	for _, step := range [][]int{{1, 5}, {2, 6}, {3, 7}} {
		if dists, err = d.Next(step); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d streams, %d next-token log-probabilities each\n", len(dists), len(dists[0]))
	// Output: 2 streams, 1000 next-token log-probabilities each
}
