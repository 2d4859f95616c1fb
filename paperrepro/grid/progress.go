package grid

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is the run's progress bar: chunks done of all pending, and in
// the description the current cell, the run's tokens/s and the ETA of the
// pending chunks at that rate (their tokens estimated from the chunks done),
// in the units `paperrepro bench` reports. A nil writer gives a progress
// that shows nothing.
type progress struct {
	bar     *progressbar.ProgressBar
	cell    string
	total   int // chunks pending: counted when the run started, less those other workers took
	done    int
	tokens  int
	seconds float64
}

func newProgress(w io.Writer, total int) *progress {
	if w == nil || total == 0 {
		return &progress{}
	}
	return &progress{total: total, bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetItsString("chunks"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(250*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)}
}

// describe names the cell being computed.
func (p *progress) describe(cell string) {
	if p.bar == nil {
		return
	}
	p.cell = cell
	if p.seconds == 0 {
		p.bar.Describe(cell)
		return
	}
	rate := float64(p.tokens) / p.seconds
	left := float64(p.total-p.done) * float64(p.tokens) / float64(p.done) / rate
	p.bar.Describe(fmt.Sprintf("%s %.0f tokens/s, ETA %s", cell, rate, FormatDuration(left)))
}

// add counts chunks done and the tokens they held.
func (p *progress) add(chunks, tokens int, seconds float64) {
	if p.bar == nil {
		return
	}
	p.done += chunks
	p.tokens += tokens
	p.seconds += seconds
	p.describe(p.cell)
	p.bar.Add(chunks)
}

// drop takes chunks out of the total (or adds them, when negative): cells
// another worker holds or finished, chunks it saved, since the run counted
// them.
func (p *progress) drop(chunks int) {
	if p.bar == nil || chunks == 0 {
		return
	}
	p.total -= chunks
	p.bar.ChangeMax(p.bar.GetMax() - chunks)
}

// FormatDuration writes seconds as a reader plans with them: "45s",
// "12m30s", "5h07m", "3.2 days".
func FormatDuration(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second)).Round(time.Second)
	switch {
	case math.IsInf(seconds, 0) || math.IsNaN(seconds):
		return "unknown"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
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

// report prints one line on the progress writer in place of the bar.
func (st *run) report(format string, args ...any) {
	if st.Progress == nil {
		return
	}
	st.bar.clear()
	fmt.Fprintf(st.Progress, format+"\n", args...)
}
