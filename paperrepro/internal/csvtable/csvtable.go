// Package csvtable reads small CSV tables with a header row - the paper's
// numbers, result summaries, golden fixtures - as records addressed by
// column name. Every error names the file and the line (and the field), once:
// "table2_text.csv:4: field step: "x" is not a whole number".
package csvtable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Table is a CSV file's header and rows.
type Table struct {
	// Name is the file name errors use.
	Name string
	// Header holds the column names, trimmed and lower-cased.
	Header []string
	// Records are the rows after the header, in file order.
	Records []Record

	column map[string]int
}

// Record is one row of a Table.
type Record struct {
	// Line is the row's line number in the file (the header is line 1).
	Line   int
	table  *Table
	fields []string
}

// ReadFile reads the CSV file at path.
func ReadFile(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(bytes.NewReader(data), path)
}

// Read reads CSV data with a header row; name (usually the file path) is
// used in errors. A row with more or fewer fields than the header is an
// error; a table without rows is not.
func Read(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file, expected a header row", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	t := &Table{Name: name, column: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		t.Header = append(t.Header, h)
		t.column[h] = i
	}
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %w (missing or extra cell?)", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		t.Records = append(t.Records, Record{Line: line, table: t, fields: fields})
	}
}

// Has reports whether the header has column.
func (t *Table) Has(column string) bool {
	_, ok := t.column[column]
	return ok
}

// Require checks that the header has every one of columns.
func (t *Table) Require(columns ...string) error {
	for _, c := range columns {
		if !t.Has(c) {
			return fmt.Errorf("%s:1: header lacks the %q column (has %s)", t.Name, c, strings.Join(t.Header, ","))
		}
	}
	return nil
}

// Errorf is an error about the record, prefixed with its file and line; %w
// wraps as in fmt.Errorf.
func (r Record) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{r.table.Name, r.Line}, args...)...)
}

// Raw returns the record's value in column, trimmed, and "" when the header
// has no such column.
func (r Record) Raw(column string) string {
	i, ok := r.table.column[column]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// String returns the record's non-empty value in column.
func (r Record) String(column string) (string, error) {
	if err := r.table.Require(column); err != nil {
		return "", err
	}
	v := r.Raw(column)
	if v == "" {
		return "", r.Errorf("field %s: empty (missing cell)", column)
	}
	return v, nil
}

// Float returns the record's value in column as a number.
func (r Record) Float(column string) (float64, error) {
	s, err := r.String(column)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, r.Errorf("field %s: %q is not a number", column, s)
	}
	return v, nil
}

// Map returns the record as column name -> value.
func (r Record) Map() map[string]string {
	m := make(map[string]string, len(r.table.Header))
	for i, h := range r.table.Header {
		m[h] = r.fields[i]
	}
	return m
}
