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

// Count the parameters of the Pythia suite three ways, from the configs:
// what a scaling law may take as the model size P.
func ExamplePythiaSuite() {
	for _, p := range neox.PythiaSuite() {
		c := p.Config
		fmt.Printf("%-12s total %14d  embedding %11d  non-embedding %14d\n",
			p.Name, c.Parameters(), c.EmbeddingParameters(), c.NonEmbeddingParameters())
	}
	// Output:
	// pythia-70m   total       70426624  embedding    51511296  non-embedding       18915328
	// pythia-160m  total      162322944  embedding    77266944  non-embedding       85056000
	// pythia-410m  total      405334016  embedding   103022592  non-embedding      302311424
	// pythia-1b    total     1011781632  embedding   206045184  non-embedding      805736448
	// pythia-1.4b  total     1414647808  embedding   206045184  non-embedding     1208602624
	// pythia-2.8b  total     2775208960  embedding   257556480  non-embedding     2517652480
	// pythia-6.9b  total     6857302016  embedding   413138944  non-embedding     6444163072
	// pythia-12b   total    11846072320  embedding   519045120  non-embedding    11327027200
}
