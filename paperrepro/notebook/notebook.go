// Package notebook is the preamble every notebook shares: stopping a cell on
// an error, showing results in GoNB, and finding a notebook's inputs in one
// documented order, with, for a missing one, the exact command that brings
// it.
//
// # Where inputs are looked for
//
// Each input is looked for in these places, in this order, and the first
// that holds it is used:
//
//  1. the data folder: $PAPERREPRO_DATA, else ~/.cache/paperrepro/data
//     (what `make data` fills; layout in the datasets package);
//  2. the Hugging Face cache: $HF_HUB_CACHE, else $HF_HOME/hub, else
//     ~/.cache/huggingface/hub (checkpoints, and the tokenizer they carry);
//  3. the repository's testdata/ folder (Pythia's tokenizer is there, so
//     every clone has it);
//  4. ../shared beside the checkout, or $PAPERREPRO_SHARED (the developers'
//     and CI's real data sample and test checkpoints).
//
// A place that cannot hold an input is skipped for it (the data sets are
// not in the Hugging Face cache or testdata/, a Pythia checkpoint is not in
// the data folder). When no place holds it, the cell shows which places were
// tried and the command that fetches it, and the notebook goes on; under
// CI=true that is a failure instead, as in the Go tests.
//
// Outside GoNB (a test, a plain program) what would be displayed is printed
// as text to standard output.
package notebook

import (
	"fmt"
	"io"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
)

// Must returns v, or stops the cell with a panic on err (which fails
// `make notebooks`).
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check stops the cell with a panic on err.
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// text receives what would be displayed when the program runs outside GoNB.
var text io.Writer = os.Stdout

// HTML shows html in the notebook and waits until GoNB has it: without the
// wait, output can be lost when the cell's program ends.
func HTML(html string) {
	if !gonbui.IsNotebook {
		fmt.Fprintln(text, html)
		return
	}
	gonbui.DisplayHTML(html)
	sync()
}

// Markdown shows md in the notebook and waits until GoNB has it.
func Markdown(md string) {
	if !gonbui.IsNotebook {
		fmt.Fprintln(text, md)
		return
	}
	gonbui.DisplayMarkdown(md)
	sync()
}

// PNG shows a PNG image in the notebook and waits until GoNB has it.
func PNG(png []byte) {
	if !gonbui.IsNotebook {
		fmt.Fprintf(text, "[PNG image, %d bytes]\n", len(png))
		return
	}
	gonbui.DisplayPNG(png)
	sync()
}

func sync() {
	gonbui.Sync()
	Check(gonbui.Error())
}
