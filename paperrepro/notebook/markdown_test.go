package notebook

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"os"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
)

func TestMarkdownHTML(t *testing.T) {
	for _, c := range []struct {
		name, md, want string
	}{
		{"paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p><p>three</p>"},
		{"escaped", "a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"},
		{"bold, italic, code", "**bold** and *it* and `a*b<c`", "<p><b>bold</b> and <i>it</i> and <code>a*b&lt;c</code></p>"},
		{"bold holds code and math", "**the `x` and $y$**", "<p><b>the <code>x</code> and $y$</b></p>"},
		{"math is left for MathJax", `$\sum_t -\log_2 p$ and $$a<b*c$$`, `<p>$\sum_t -\log_2 p$ and $$a&lt;b*c$$</p>`},
		{"unclosed markers are text", "2 * 3 and a ** b and `x", "<p>2 * 3 and a ** b and `x</p>"},
		{"stars inside a word emphasise, as in Markdown", "b*P^-alpha*S", "<p>b<i>P^-alpha</i>S</p>"},
		{"heading", "### Reading *Table 1*", "<h3>Reading <i>Table 1</i></h3>"},
		{"bullets", "Two things:\n\n- **one**\n- two", "<p>Two things:</p><ul><li><b>one</b></li><li>two</li></ul>"},
		{"numbered", "1. first\n2. second\n\nafter", "<ol><li>first</li><li>second</li></ol><p>after</p>"},
		{"superscript", "x<sup>**2**</sup> and <sup>unclosed", "<p>x<sup><b>2</b></sup> and &lt;sup&gt;unclosed</p>"},
		{"backslash escapes", `a\_b \*not italic\* *it\*s* \q`, `<p>a_b *not italic* <i>it*s</i> \q</p>`},
		{"character references pass, a bare & is escaped", "&lt;x&gt; &#38; & y", "<p>&lt;x&gt; &#38; &amp; y</p>"},
		{"a cited fact", cite.Fact{Value: "a_b<c", Source: "x [y]"}.Markdown(), "<p>" + cite.Fact{Value: "a_b<c", Source: "x [y]"}.HTML() + "</p>"},
		{"a literal", Literal("a*b_c `d` $e$ <f> &lt; \\"), "<p>a*b_c `d` $e$ &lt;f&gt; &amp;lt; \\</p>"},
		{"code block", "*run:*\n\n    make data\n    make notebooks", "<p><i>run:</i></p><pre><code>make data\nmake notebooks</code></pre>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := markdownHTML(c.md); got != c.want {
				t.Errorf("markdownHTML(%q)\n got %q\nwant %q", c.md, got, c.want)
			}
		})
	}
}

func TestTableHTML(t *testing.T) {
	tab := NewTable([]string{"model", "CR"}, []string{"pythia-70m", "**0.175**"})
	tab.Caption = "Table 2 · text"
	tab.Rows = append(tab.Rows, []Cell{{Text: "dark", Shade: color.RGBA{30, 60, 120, 255}}, {Text: "pale", Shade: color.RGBA{240, 245, 250, 255}, Cols: 2}})
	want := `<table><caption>Table 2 · text</caption><tr><th>model</th><th>CR</th></tr>` +
		`<tr><td>pythia-70m</td><td><b>0.175</b></td></tr>` +
		`<tr><td bgcolor="#1e3c78"><font color="white">dark</font></td><td colspan="2" bgcolor="#f0f5fa">pale</td></tr></table>`
	if got := tab.HTML(); got != want {
		t.Errorf("HTML()\n got %s\nwant %s", got, want)
	}
	if got, want := tab.Text(), "Table 2 · text\nmodel\tCR\npythia-70m\t**0.175**\ndark\tpale"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestReport(t *testing.T) {
	var out bytes.Buffer
	text = &out
	t.Cleanup(func() { text = os.Stdout })
	Report(func(w io.Writer) { fmt.Fprintf(w, "a\tb <c>\n") })
	if out.String() != "a\tb <c>\n\n" {
		t.Errorf("Report outside GoNB printed %q", out.String())
	}
	if got := preHTML("a\tb <c>\n"); got != "<pre>a\tb &lt;c&gt;</pre>" {
		t.Errorf("preHTML = %q", got)
	}
}
