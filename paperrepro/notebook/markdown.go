package notebook

import (
	"cmp"
	"html"
	"regexp"
	"strings"
)

// markdownHTML renders the Markdown the notebooks' cells write as HTML that
// every Jupyter front end shows without trust: Jupyter Notebook 6 drops an
// untrusted text/markdown output (it logs "Ignoring untrusted text/markdown
// output.") but shows sanitised HTML, and MathJax typesets the $…$ and $$…$$
// left in it.
//
// It knows the subset the cells use: paragraphs, "#" headings, "- " and
// "1. " lists (one line per item), lines indented by four spaces (a code
// block), **bold**, *italic*, `code`, <sup>superscripts</sup>, backslash
// escapes and character references (such as &lt;) of Markdown, and math,
// which it passes on as written (escaped) for MathJax: the Markdown a
// cite.Fact writes renders too. Anything else is text, escaped.
func markdownHTML(md string) string {
	var b strings.Builder
	lines := strings.Split(strings.TrimSpace(md), "\n")
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			i++
		case strings.HasPrefix(line, "    "):
			var code []string
			for ; i < len(lines) && (strings.HasPrefix(lines[i], "    ") || strings.TrimSpace(lines[i]) == ""); i++ {
				code = append(code, strings.TrimPrefix(lines[i], "    "))
			}
			b.WriteString("<pre><code>" + html.EscapeString(strings.TrimRight(strings.Join(code, "\n"), "\n")) + "</code></pre>")
		case heading.MatchString(line):
			m := heading.FindStringSubmatch(line)
			level := string(rune('0' + len(m[1])))
			b.WriteString("<h" + level + ">" + inlineHTML(m[2]) + "</h" + level + ">")
			i++
		case bullet.MatchString(line), numbered.MatchString(line):
			item, tag := bullet, "ul"
			if numbered.MatchString(line) {
				item, tag = numbered, "ol"
			}
			b.WriteString("<" + tag + ">")
			for ; i < len(lines) && item.MatchString(lines[i]); i++ {
				b.WriteString("<li>" + inlineHTML(item.ReplaceAllString(lines[i], "")) + "</li>")
			}
			b.WriteString("</" + tag + ">")
		default:
			var para []string
			for ; i < len(lines) && startsParagraph(lines[i]); i++ {
				para = append(para, strings.TrimSpace(lines[i]))
			}
			b.WriteString("<p>" + inlineHTML(strings.Join(para, "\n")) + "</p>")
		}
	}
	return b.String()
}

var (
	heading  = regexp.MustCompile(`^(#{1,6}) +(.*)$`)
	bullet   = regexp.MustCompile(`^[-*] +`)
	numbered = regexp.MustCompile(`^\d+\. +`)
)

// startsParagraph reports whether line continues a paragraph: it is not
// blank and starts no other block.
func startsParagraph(line string) bool {
	return strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "    ") &&
		!heading.MatchString(line) && !bullet.MatchString(line) && !numbered.MatchString(line)
}

// inlineHTML renders a line's **bold**, *italic*, `code` and
// <sup>superscript</sup>, a backslash-escaped punctuation character as
// itself and a character reference (&lt;, &#38;) as written, passes $math$
// on for MathJax, and escapes the rest. A marker without its closing twin
// is text.
func inlineHTML(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		if len(s) > 1 && s[0] == '\\' && strings.IndexByte(markdownPunctuation, s[1]) >= 0 {
			b.WriteString(html.EscapeString(s[1:2]))
			s = s[2:]
			continue
		}
		if ref := charReference.FindString(s); ref != "" {
			b.WriteString(ref)
			s = s[len(ref):]
			continue
		}
		d, inner, rest, ok := span(s)
		if !ok {
			b.WriteString(html.EscapeString(s[:1]))
			s = s[1:]
			continue
		}
		content := html.EscapeString(inner)
		if !d.verbatim {
			content = inlineHTML(inner)
		}
		b.WriteString(d.before + content + d.after)
		s = rest
	}
	return b.String()
}

// markdownPunctuation are the characters a backslash escapes in Markdown.
const markdownPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// charReference matches an HTML character reference at the start of a
// string: a named one or a decimal or hexadecimal one.
var charReference = regexp.MustCompile(`^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});`)

// inline is an inline element: its opening marker, its closing one ("" for
// the same as the opening), and what it becomes around its content.
type inline struct {
	marker, closer, before, after string
	// verbatim content is escaped but not read for markers.
	verbatim bool
}

// inlines are the inline markers, longest first so that "**" is not read
// as two "*" nor "$$" as two "$". Math stays as written, for MathJax.
var inlines = []inline{
	{"`", "", "<code>", "</code>", true},
	{"$$", "", "$$", "$$", true},
	{"$", "", "$", "$", true},
	{"<sup>", "</sup>", "<sup>", "</sup>", false},
	{"**", "", "<b>", "</b>", false},
	{"*", "", "<i>", "</i>", false},
}

// span recognises the inline element s starts with: its marker, its
// content and what follows it. Content may not start or end with a space.
func span(s string) (d inline, inner, rest string, ok bool) {
	for _, d := range inlines {
		if !strings.HasPrefix(s, d.marker) {
			continue
		}
		closer := cmp.Or(d.closer, d.marker)
		body := s[len(d.marker):]
		end := strings.Index(body, closer)
		if !d.verbatim {
			end = indexUnescaped(body, closer)
		}
		if end <= 0 || strings.HasPrefix(body, " ") || strings.HasSuffix(body[:end], " ") {
			return inline{}, "", "", false
		}
		return d, body[:end], body[end+len(closer):], true
	}
	return inline{}, "", "", false
}

// indexUnescaped is strings.Index(s, sub) passing over backslash-escaped
// characters, which are text and close nothing.
func indexUnescaped(s, sub string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
		case strings.HasPrefix(s[i:], sub):
			return i
		}
	}
	return -1
}

// Literal escapes s for Markdown (Markdown, Cell.Text) so that it shows as
// written: a form's name such as "b*ln(P) + c*S^-beta" keeps its stars.
func Literal(s string) string { return literal.Replace(s) }

var literal = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "$", `\$`, "<", `\<`, "&", `\&`)
