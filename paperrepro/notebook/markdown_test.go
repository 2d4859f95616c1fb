package notebook

import (
	"image/color"
	"testing"
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
