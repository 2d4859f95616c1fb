package grid

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is the run's progress bar: chunks done of all pending, with ETA,
// and the current cell with its tokens/s in the description. A nil writer
// gives a progress that shows nothing.
type progress struct {
	bar     *progressbar.ProgressBar
	cell    string
	tokens  int
	seconds float64
}

func newProgress(w io.Writer, total int) *progress {
	if w == nil || total == 0 {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetItsString("chunks"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(250*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)}
}

// describe names the cell being computed.
func (p *progress) describe(cell string, tokensPerSecond float64) {
	if p.bar == nil {
		return
	}
	if cell != p.cell {
		p.cell, p.tokens, p.seconds = cell, 0, 0
	}
	p.bar.Describe(fmt.Sprintf("%s %6.0f tok/s", cell, tokensPerSecond))
}

// add counts chunks done and the tokens they held.
func (p *progress) add(chunks, tokens int, seconds float64) {
	if p.bar == nil {
		return
	}
	p.tokens += tokens
	p.seconds += seconds
	if p.seconds > 0 {
		p.describe(p.cell, float64(p.tokens)/p.seconds)
	}
	p.bar.Add(chunks)
}

// drop takes chunks out of the total (or adds them, when negative): cells
// another worker holds or finished, chunks it saved, since the run counted
// them.
func (p *progress) drop(chunks int) {
	if p.bar == nil || chunks == 0 {
		return
	}
	p.bar.ChangeMax(p.bar.GetMax() - chunks)
}

// clear erases the bar so a line can be printed in its place.
func (p *progress) clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
