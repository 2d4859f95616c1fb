// Command browsercheck opens executed notebooks in headless Chromium against
// a real Jupyter Notebook 6 server, untrusted, as a reader of a fresh clone
// sees them, and fails when the page hides anything the file holds.
//
//	browsercheck [-screenshots dir] executed.ipynb...
//
// A notebook nobody has trusted loses, in Notebook 6, every output the
// front end will not sanitise: text/markdown and image/svg+xml outputs are
// dropped (the console says "Ignoring untrusted text/markdown output."),
// inline styles and inline SVG are stripped from HTML. browsercheck fails
// on any "untrusted" console message, on a cell whose outputs the page
// draws fewer (or more) of than the file holds, on an output drawn empty,
// on a style the sanitiser mangled, and on a notebook that opened trusted.
// With -screenshots, it also writes each notebook's page, top to bottom,
// as dir/<notebook>-NN.png, to look at.
//
// It needs `jupyter notebook` (Notebook 6) and Chromium on PATH (or named by
// $JUPYTER and $CHROMIUM). JupyterLab's sanitiser keeps what Notebook 6's
// does for these outputs and more; nbcheck checks the HTML against both.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func main() {
	shots := flag.String("screenshots", "", "write each notebook's page as `dir`/<notebook>-NN.png")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: browsercheck [-screenshots dir] executed.ipynb...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ok, err := run(context.Background(), flag.Args(), *shots, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "browsercheck:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// run checks the notebooks at paths, reporting one line per notebook (and
// one per problem) to w; ok is false when any notebook hides an output.
func run(ctx context.Context, paths []string, shots string, w io.Writer) (ok bool, err error) {
	jupyter, err := exec.LookPath(cmp.Or(os.Getenv("JUPYTER"), "jupyter"))
	if err != nil {
		return false, fmt.Errorf("no jupyter to serve the notebooks (make setup installs it): %w", err)
	}
	chromium, err := findChromium()
	if err != nil {
		return false, err
	}
	work, err := os.MkdirTemp("", "browsercheck-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(work)
	// The notebooks are served from a copy, so that the server's checkpoints
	// and any save stay out of the reader's folders.
	served := filepath.Join(work, "notebooks")
	if err := os.Mkdir(served, 0o755); err != nil {
		return false, err
	}
	var names []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return false, err
		}
		names = append(names, filepath.Base(p))
		if err := os.WriteFile(filepath.Join(served, filepath.Base(p)), data, 0o644); err != nil {
			return false, err
		}
	}
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			return false, err
		}
	}
	srv, err := startJupyter(ctx, jupyter, served, work)
	if err != nil {
		return false, err
	}
	defer srv.stop()
	b, err := startBrowser(chromium, filepath.Join(work, "profile"))
	if err != nil {
		return false, err
	}
	defer b.close()

	ok = true
	for _, name := range names {
		start := time.Now()
		nctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		problems, outputs, err := checkNotebook(nctx, b, srv.url, served, name, shots)
		cancel()
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		status := "ok  "
		if len(problems) > 0 {
			status, ok = "FAIL", false
		}
		fmt.Fprintf(w, "%s %s: %d outputs in the file, untrusted in Notebook 6 (%.1fs)\n", status, name, outputs, time.Since(start).Seconds())
		for _, p := range problems {
			fmt.Fprintf(w, "\t%s\n", p)
		}
	}
	return ok, nil
}

// findChromium returns $CHROMIUM, else the first Chromium or Chrome on PATH.
func findChromium() (string, error) {
	if c := os.Getenv("CHROMIUM"); c != "" {
		return exec.LookPath(c)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium on PATH to open the notebooks in (Debian: apt-get install chromium; or set CHROMIUM)")
}
