// Package notebook is what the notebooks' cells call: showing results in
// GoNB as every Jupyter front end shows them without trust (HTML without
// inline styles, PNG images, plain text), stopping a cell on an error,
// finding a notebook's inputs in one documented order (with, for a missing
// one, the exact command that brings it), and the computations behind the
// notebooks' tables and sentences, each tested here, so that a cell reads
// like a sentence of the paper.
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
//  3. the repository's testdata/ folder: Pythia's tokenizer, and in
//     testdata/data a small sample of enwik8 and LibriSpeech, so that every
//     clone has them;
//  4. ../shared beside the checkout, or $PAPERREPRO_SHARED (the developers'
//     and CI's larger data sample, with ImageNet patches).
//
// The cells that ask how a codec's ratio depends on the number of chunks
// read the place that holds the most instead (LargestSample).
//
// A place that cannot hold an input is skipped for it (the data sets are
// not in the Hugging Face cache, a Pythia checkpoint is not in the data
// folder). A model to run is pythia-70m from the Hugging Face cache, else
// the tests' tiny random checkpoint, generated on the spot. When no place holds it, the cell shows which places were
// tried and the command that fetches it, and the notebook goes on; under
// CI=true that is a failure instead, as in the Go tests.
//
// Outside GoNB (a test, a plain program) what would be displayed is printed
// as text to standard output.
package notebook

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
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
// wait, output can be lost when the cell's program ends. The notebooks'
// HTML keeps to what an untrusted notebook's sanitiser leaves alone (no
// inline styles, scripts or inline SVG); Table and Markdown write such HTML.
func HTML(html string) {
	display(html, "")
}

// Markdown shows md, rendered as HTML, so that a notebook nobody trusted
// shows it too (Jupyter Notebook 6 drops untrusted text/markdown outputs);
// md itself goes beside it as the plain-text version. It knows the subset
// of Markdown the cells use: paragraphs, headings, lists, code blocks,
// **bold**, *italic*, `code` and $math$ (typeset by MathJax).
func Markdown(md string) {
	display(markdownHTML(md), md)
}

// Show shows a table.
func Show(t Table) {
	display(t.HTML(), t.Text())
}

// Report shows what write writes as preformatted text: a report of the
// fitreport package, say, as `paperrepro` prints it.
func Report(write func(w io.Writer)) {
	var b strings.Builder
	write(&b)
	display(preHTML(b.String()), b.String())
}

// preHTML is text as preformatted HTML, escaped.
func preHTML(text string) string {
	return "<pre>" + html.EscapeString(strings.TrimRight(text, "\n")) + "</pre>"
}

// PNG shows a PNG image in the notebook and waits until GoNB has it.
func PNG(png []byte) {
	if !gonbui.IsNotebook {
		fmt.Fprintf(text, "[PNG image, %d bytes]\n", len(png))
		return
	}
	gonbui.DisplayPNG(png)
	waitForGoNB()
}

// Figure shows a figure as a PNG, or stops the cell on err (the error of
// the function that drew it).
func Figure(f figures.Figure, err error) {
	Check(err)
	PNG(Must(f.NotebookPNG()))
}

// display sends html, with plain as its text/plain version when not empty,
// and waits until GoNB has it. Outside GoNB it prints plain, else html.
func display(html, plain string) {
	if !gonbui.IsNotebook {
		fmt.Fprintln(text, cmp.Or(plain, html))
		return
	}
	data := map[protocol.MIMEType]any{protocol.MIMETextHTML: html}
	if plain != "" {
		data[protocol.MIMETextPlain] = plain
	}
	gonbui.SendData(&protocol.DisplayData{Data: data})
	waitForGoNB()
}

func waitForGoNB() {
	gonbui.Sync()
	Check(gonbui.Error())
}
