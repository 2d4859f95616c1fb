// Package cite marks what the project states but did not compute - a
// figure from a paper, a date from a release history, a line of someone
// else's code - together with where a reader can check it, so that a
// notebook shows it visibly apart from the numbers its cells compute.
//
// It imports nothing of the project: any stage may cite.
package cite

import (
	"fmt"
	"html"
	"strings"
)

// Fact is a value the project cites rather than computes.
type Fact struct {
	// Value is the fact as stated, e.g. "0.076" or "2025-07-09".
	Value string
	// Source is where it is stated, e.g. "Kaplan et al. (2020), Eq. 1.1".
	Source string
}

// String is the value followed by its source in brackets:
// "0.076 [cited: Kaplan et al. (2020), Eq. 1.1]".
func (f Fact) String() string { return fmt.Sprintf("%s [cited: %s]", f.Value, f.Source) }

// Markdown renders the fact for a notebook's Markdown: the value in
// italics and its source as a bracketed superscript, where the numbers a
// cell computes are printed upright (or bold). Markdown's emphasis and
// link characters in the text are escaped.
func (f Fact) Markdown() string {
	return fmt.Sprintf("*%s*<sup>[cited: %s]</sup>", escapeMarkdown(f.Value), escapeMarkdown(f.Source))
}

// HTML renders the fact for an HTML table cell, as Markdown does.
func (f Fact) HTML() string {
	return fmt.Sprintf("<i>%s</i><sup>[cited: %s]</sup>", html.EscapeString(f.Value), html.EscapeString(f.Source))
}

// markdownSpecial are the characters that would start emphasis, code or a
// link inside a cited value.
var markdownSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;")

func escapeMarkdown(s string) string { return markdownSpecial.Replace(s) }
