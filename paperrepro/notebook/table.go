package notebook

import (
	"fmt"
	"image/color"
	"strings"
)

// Table is a table of results as the notebooks show it: HTML that Jupyter
// shows without trust (no inline styles, which an untrusted notebook's
// sanitiser removes; shading through the bgcolor attribute, which it keeps).
type Table struct {
	// Caption is shown above the table (inline Markdown); "" shows none.
	Caption string
	// Head holds the header rows, Rows the body rows.
	Head, Rows [][]Cell
}

// Cell is one table cell.
type Cell struct {
	// Text is the cell's content, inline Markdown (**bold**, `code`, $math$).
	Text string
	// Cols and RowSpan are the columns and rows the cell spans (0 means 1).
	Cols, RowSpan int
	// Shade is the cell's background; nil leaves it plain. Text on a dark
	// shade is white.
	Shade color.Color
}

// Row makes a row of plain cells.
func Row(texts ...string) []Cell {
	row := make([]Cell, len(texts))
	for i, t := range texts {
		row[i] = Cell{Text: t}
	}
	return row
}

// NewTable is a table with one header row and the given body rows.
func NewTable(header []string, rows ...[]string) Table {
	t := Table{Head: [][]Cell{Row(header...)}}
	for _, r := range rows {
		t.Rows = append(t.Rows, Row(r...))
	}
	return t
}

// Add appends a body row of plain cells.
func (t *Table) Add(texts ...string) {
	t.Rows = append(t.Rows, Row(texts...))
}

// HTML renders the table.
func (t Table) HTML() string {
	var b strings.Builder
	b.WriteString("<table>")
	if t.Caption != "" {
		b.WriteString("<caption>" + inlineHTML(t.Caption) + "</caption>")
	}
	for _, row := range t.Head {
		writeRow(&b, "th", row)
	}
	for _, row := range t.Rows {
		writeRow(&b, "td", row)
	}
	b.WriteString("</table>")
	return b.String()
}

func writeRow(b *strings.Builder, tag string, row []Cell) {
	b.WriteString("<tr>")
	for _, c := range row {
		b.WriteString("<" + tag)
		if c.Cols > 1 {
			fmt.Fprintf(b, ` colspan="%d"`, c.Cols)
		}
		if c.RowSpan > 1 {
			fmt.Fprintf(b, ` rowspan="%d"`, c.RowSpan)
		}
		text := inlineHTML(c.Text)
		if c.Shade != nil {
			r, g, bl, _ := color.NRGBAModel.Convert(c.Shade).RGBA()
			fmt.Fprintf(b, ` bgcolor="#%02x%02x%02x"`, r>>8, g>>8, bl>>8)
			if isDark(c.Shade) {
				text = `<font color="white">` + text + "</font>"
			}
		}
		b.WriteString(">" + text + "</" + tag + ">")
	}
	b.WriteString("</tr>")
}

// isDark reports whether black text would be hard to read on c (relative
// luminance below one half).
func isDark(c color.Color) bool {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	return 0.2126*float64(r>>8)+0.7152*float64(g>>8)+0.0722*float64(b>>8) < 128
}

// Text renders the table as tab-separated lines, what a reader without HTML
// sees (the text/plain beside the HTML).
func (t Table) Text() string {
	var lines []string
	if t.Caption != "" {
		lines = append(lines, t.Caption)
	}
	for _, row := range append(append([][]Cell{}, t.Head...), t.Rows...) {
		var cells []string
		for _, c := range row {
			cells = append(cells, c.Text)
		}
		lines = append(lines, strings.Join(cells, "\t"))
	}
	return strings.Join(lines, "\n")
}
