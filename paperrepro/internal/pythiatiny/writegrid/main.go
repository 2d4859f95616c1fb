// Command writegrid writes the tiny test checkpoints of package pythiatiny
// into a folder, for the PyTorch reference that computes their expected
// numbers (testdata/pythia-tiny/make_expected.sh):
//
//	go run ./paperrepro/internal/pythiatiny/writegrid DIR
package main

import (
	"fmt"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/internal/pythiatiny"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: writegrid DIR")
		os.Exit(2)
	}
	if err := pythiatiny.WriteGrid(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "writegrid:", err)
		os.Exit(1)
	}
}
