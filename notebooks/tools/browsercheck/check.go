package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// expectedOutputs returns, per cell of the notebook at path, how many
// outputs Notebook 6 draws for it: one per output, except that a stream
// output following one of the same stream joins it.
func expectedOutputs(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				OutputType string `json:"output_type"`
				Name       string `json:"name"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("reading %s as a notebook: %w", path, err)
	}
	counts := make([]int, len(nb.Cells))
	for i, c := range nb.Cells {
		prev := ""
		for _, o := range c.Outputs {
			stream := ""
			if o.OutputType == "stream" {
				stream = o.Name
			}
			if stream == "" || stream != prev {
				counts[i]++
			}
			prev = stream
		}
	}
	return counts, nil
}

// page is what the browser shows of a notebook (pageScript's result).
type page struct {
	Trusted bool `json:"trusted"`
	Cells   []struct {
		Outputs []struct {
			Kind    string `json:"kind"`
			Empty   bool   `json:"empty"`
			Mangled bool   `json:"mangled"`
		} `json:"outputs"`
	} `json:"cells"`
}

// loadedScript is true once Notebook 6 has drawn the notebook and MathJax
// has typeset it.
const loadedScript = `(() => {
	const nb = window.Jupyter && Jupyter.notebook;
	if (!nb || !nb._fully_loaded) return false;
	const q = window.MathJax && MathJax.Hub && MathJax.Hub.queue;
	return !q || (!q.pending && !q.running);
})()`

// pageScript reads, per cell, the outputs Notebook 6 drew: their kind, and
// whether one shows nothing (no text and no loaded image) or holds a style
// the sanitiser mangled ("undefined:undefined" is what Notebook 6 leaves of
// an untrusted inline style).
const pageScript = `(() => ({
	trusted: Jupyter.notebook.trusted,
	cells: Jupyter.notebook.get_cells().map(c => ({
		outputs: Array.from(c.element[0].querySelectorAll('.output_area')).map(a => {
			const sub = a.querySelector('.output_subarea');
			const imgs = sub ? Array.from(sub.querySelectorAll('img')) : [];
			return {
				kind: sub ? sub.className.replace('output_subarea', '').trim() : '',
				empty: !sub || (sub.innerText.trim() === '' && !imgs.some(i => i.complete && i.naturalWidth > 0)),
				mangled: a.querySelector('[style*="undefined"]') !== null,
			};
		}),
	})),
}))()`

// checkNotebook opens the notebook name (served at srv) in a new tab of b,
// untrusted, and returns what a reader would miss: outputs of the file the
// page does not draw, outputs drawn empty or with a mangled style, and the
// console's "Ignoring untrusted" messages. With shots set, it writes
// screenshots of the whole notebook there as name-NN.png.
func checkNotebook(ctx context.Context, b *browser, srv, dir, name, shots string) (problems []string, outputs int, err error) {
	want, err := expectedOutputs(filepath.Join(dir, name))
	if err != nil {
		return nil, 0, err
	}
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, 0, err
	}
	defer b.call(context.Background(), "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, 0, err
	}
	s := attached.SessionID
	for _, m := range []string{"Runtime.enable", "Log.enable", "Page.enable"} {
		if err := b.call(ctx, s, m, map[string]any{}, nil); err != nil {
			return nil, 0, err
		}
	}
	if err := b.call(ctx, s, "Page.navigate", map[string]any{"url": srv + "/notebooks/" + url.PathEscape(name)}, nil); err != nil {
		return nil, 0, err
	}
	if err := waitFor(ctx, b, s, loadedScript, 90*time.Second); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	var p page
	if err := b.evaluate(ctx, s, pageScript, &p); err != nil {
		return nil, 0, err
	}
	if p.Trusted {
		problems = append(problems, "the notebook opened trusted, so this check proves nothing about an untrusted one")
	}
	if len(p.Cells) != len(want) {
		return append(problems, fmt.Sprintf("the page shows %d cells, the file holds %d", len(p.Cells), len(want))), 0, nil
	}
	for i, c := range p.Cells {
		outputs += want[i]
		if len(c.Outputs) != want[i] {
			problems = append(problems, fmt.Sprintf("cell %d: the file holds %d outputs, the page shows %d", i+1, want[i], len(c.Outputs)))
		}
		for j, o := range c.Outputs {
			if o.Empty {
				problems = append(problems, fmt.Sprintf("cell %d, output %d (%s): shows nothing", i+1, j+1, o.Kind))
			}
			if o.Mangled {
				problems = append(problems, fmt.Sprintf("cell %d, output %d (%s): an inline style the sanitiser mangled", i+1, j+1, o.Kind))
			}
		}
	}
	for _, msg := range b.consoleOf(s) {
		if strings.Contains(msg, "Ignoring untrusted") {
			problems = append(problems, "console: "+msg)
		}
	}
	if shots != "" {
		if err := screenshots(ctx, b, s, filepath.Join(shots, strings.TrimSuffix(name, ".ipynb"))); err != nil {
			return problems, outputs, err
		}
	}
	return problems, outputs, nil
}

// waitFor polls a JavaScript condition until it is true.
func waitFor(ctx context.Context, b *browser, session, condition string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		if err := b.evaluate(ctx, session, condition, &ok); err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the page was not drawn within %v", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// shotHeight is the height of one screenshot, in CSS pixels.
const shotHeight = 2400

// screenshots writes the whole page, prefix-01.png and on, shotHeight
// pixels each: the notebook's scrolling panel is let out to its full height
// first.
func screenshots(ctx context.Context, b *browser, session, prefix string) error {
	const unroll = `(() => {
		const s = document.createElement('style');
		s.textContent = '#site { height: auto !important; overflow: visible !important } html, body { height: auto !important; overflow: visible !important }';
		document.head.appendChild(s);
		return document.documentElement.scrollHeight;
	})()`
	var height int
	if err := b.evaluate(ctx, session, unroll, &height); err != nil {
		return err
	}
	const width = 1280
	for i, y := 0, 0; y < height; i, y = i+1, y+shotHeight {
		var shot struct {
			Data string `json:"data"`
		}
		clip := map[string]any{"x": 0, "y": y, "width": width, "height": min(shotHeight, height-y), "scale": 1}
		if err := b.call(ctx, session, "Page.captureScreenshot", map[string]any{"format": "png", "clip": clip, "captureBeyondViewport": true}, &shot); err != nil {
			return err
		}
		png, err := base64.StdEncoding.DecodeString(shot.Data)
		if err != nil {
			return err
		}
		if err := os.WriteFile(fmt.Sprintf("%s-%02d.png", prefix, i+1), png, 0o644); err != nil {
			return err
		}
	}
	return nil
}
