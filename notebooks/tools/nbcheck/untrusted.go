package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A notebook a reader has not trusted (every fresh clone's) shows only what
// its front end can sanitise. Jupyter Notebook 6 picks the first type of an
// output in its order (JavaScript, HTML, Markdown, LaTeX, SVG, PNG, JPEG,
// PDF, plain text) and, untrusted, drops JavaScript, Markdown and SVG with
// "Ignoring untrusted ... output." on the console, going on to the next
// type; HTML it sanitises. JupyterLab renders an untrusted output with its
// highest-ranked safe renderer, and SVG is not one.
//
// So an output that holds JavaScript, Markdown or SVG is hidden (or shown
// only in its fallback, with the console's complaint) unless it holds HTML,
// which both front ends prefer. And HTML must keep to what both sanitisers
// leave intact: Notebook 6's (Google Caja) and JupyterLab's (sanitize-html,
// with an allowlist taken from Caja's) both keep the tags and attributes
// below; Notebook 6 mangles any inline style, and both strip scripts and
// inline SVG. browsercheck proves the Notebook 6 side in a browser.
var hiddenTypes = []string{"application/javascript", "text/markdown", "image/svg+xml"}

// allowedHTML maps each tag the notebooks' HTML may use to the attributes
// it may carry (beyond title, allowed everywhere).
var allowedHTML = map[string][]string{
	"table": nil, "caption": nil, "thead": nil, "tbody": nil,
	"tr": {"bgcolor"}, "th": {"colspan", "rowspan", "align", "bgcolor"}, "td": {"colspan", "rowspan", "align", "bgcolor"},
	"font": {"color"}, "mark": nil, "span": nil, "div": nil,
	"p": nil, "br": nil, "hr": nil, "pre": nil, "code": nil, "kbd": nil,
	"b": nil, "strong": nil, "i": nil, "em": nil, "sup": nil, "sub": nil, "small": nil,
	"ul": nil, "ol": nil, "li": nil,
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
}

var (
	htmlTag       = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	htmlAttribute = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?`)
)

// untrustedProblems says what of an output's data an untrusted notebook
// would not show as written: a type it drops, or HTML a sanitiser changes.
func untrustedProblems(data map[string]json.RawMessage) ([]string, error) {
	var problems []string
	raw, hasHTML := data["text/html"]
	if !hasHTML {
		for _, t := range hiddenTypes {
			if _, ok := data[t]; ok {
				problems = append(problems, fmt.Sprintf("an output of type %s without text/html, which an untrusted notebook does not show", t))
			}
		}
		return problems, nil
	}
	if _, ok := data["application/javascript"]; ok {
		problems = append(problems, "an output with application/javascript, which an untrusted notebook drops")
	}
	html, err := joinText(raw)
	if err != nil {
		return nil, fmt.Errorf("text/html: %w", err)
	}
	seen := map[string]bool{}
	for _, m := range htmlTag.FindAllStringSubmatch(html, -1) {
		tag := strings.ToLower(m[2])
		attrs, ok := allowedHTML[tag]
		if !ok {
			if !seen[tag] {
				problems = append(problems, fmt.Sprintf("HTML with <%s>, which a sanitiser removes", tag))
			}
			seen[tag] = true
			continue
		}
		if m[1] == "/" {
			continue
		}
		for _, a := range htmlAttribute.FindAllStringSubmatch(m[3], -1) {
			name := strings.ToLower(a[1])
			if name != "title" && !slices.Contains(attrs, name) && !seen[tag+" "+name] {
				seen[tag+" "+name] = true
				problems = append(problems, fmt.Sprintf("HTML with <%s %s=...>, which a sanitiser removes or mangles", tag, name))
			}
		}
	}
	return problems, nil
}
