package results

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/internal/csvtable"
)

// Column names of a table CSV.
const (
	colModality = "modality"
	colModel    = "model"
	colParams   = "params"
	colStep     = "step"
	colCR       = "compression_ratio"
)

// ReadTableCSV reads a CSV holding the table of one modality. Errors name the
// file, line and field at fault; a grid with a missing cell is an error.
func ReadTableCSV(path string) (Table, error) {
	tables, err := ReadCSV(path)
	if err != nil {
		return Table{}, err
	}
	if len(tables) != 1 {
		return Table{}, fmt.Errorf("reading %s: expected one modality, found %d (%s); use ReadCSV", path, len(tables), modalityList(tables))
	}
	return tables[0], nil
}

// ReadCSV reads a CSV holding the tables of one or more modalities (a
// modality column tells them apart), in the order of Modalities.
func ReadCSV(path string) ([]Table, error) {
	t, err := csvtable.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading results table: %w", err)
	}
	return decodeTable(t)
}

// ReadDir reads every CSV in dir that has a compression_ratio column, and
// returns their tables in the order of Modalities. Other CSVs (such as the
// paper's fitted coefficients) are left alone. Two files giving the same
// modality are an error.
func ReadDir(dir string) ([]Table, error) {
	paths, err := tableFiles(dir)
	if err != nil {
		return nil, err
	}
	var tables []Table
	from := map[string]string{}
	for _, path := range paths {
		csvTable, err := csvtable.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading results table: %w", err)
		}
		if !csvTable.Has(colCR) {
			continue
		}
		ts, err := decodeTable(csvTable)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if prev, ok := from[t.Modality]; ok {
				return nil, fmt.Errorf("reading results folder %s: %s and %s both hold the %s table", dir, prev, path, t.label())
			}
			from[t.Modality] = path
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("reading results folder %s: no CSV with a %s column", dir, colCR)
	}
	sortByModality(tables)
	return tables, nil
}

// tableFiles lists the CSV files of dir, which ReadDir reads.
func tableFiles(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return nil, fmt.Errorf("reading results folder %s: %w", dir, err)
	}
	return paths, nil
}

// Sources lists the files Read(path) reads: path itself, or a folder's
// result files, or when it has none its CSV files. A command that writes
// beside its inputs checks that it replaces none of them.
func Sources(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	cells, err := cellFiles(path)
	if err != nil || len(cells) > 0 {
		return cells, err
	}
	return tableFiles(path)
}

// Read reads the tables at path, whatever form they take: a folder of result
// files (one protocol's folder of a run: its cells, read with ReadCells,
// are the source of truth, and any CSV beside them is ignored), a folder of
// table CSVs (ReadDir; the paper's expected/), or one CSV (ReadCSV).
func Read(path string) ([]Table, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	if !info.IsDir() {
		return ReadCSV(path)
	}
	cells, err := ReadCells(path)
	if err != nil {
		return nil, err
	}
	if len(cells) == 0 {
		return ReadDir(path)
	}
	tables, err := CellTables(cells)
	if err != nil {
		return nil, fmt.Errorf("reading results under %s: %w", path, err)
	}
	return tables, nil
}

// Decode reads table CSV data; name (usually the file path) is used in
// errors and, when there is no modality column, to find the modality.
func Decode(r io.Reader, name string) ([]Table, error) {
	t, err := csvtable.Read(r, name)
	if err != nil {
		return nil, err
	}
	return decodeTable(t)
}

// decodeTable turns a CSV's records into one Table per modality.
func decodeTable(csvTable *csvtable.Table) ([]Table, error) {
	name := csvTable.Name
	if err := csvTable.Require(requiredColumns()...); err != nil {
		return nil, err
	}
	fileModality := modalityFromName(name)
	type key struct {
		modality, model string
		step            int
	}
	lineOf := map[key]int{}
	type sized struct {
		params float64
		line   int
	}
	sizeOf := map[string]sized{}
	byModality := map[string]*Table{}
	var order []string
	for _, rec := range csvTable.Records {
		var row Row
		var err error
		if row.Model, err = rec.String(colModel); err != nil {
			return nil, err
		}
		if row.Params, err = rec.Float(colParams); err != nil {
			return nil, err
		}
		if row.Step, err = parseStep(rec); err != nil {
			return nil, err
		}
		if row.CR, err = rec.Float(colCR); err != nil {
			return nil, err
		}
		if err := row.validate(); err != nil {
			return nil, rec.Errorf("%w", err)
		}
		modality := fileModality
		if csvTable.Has(colModality) {
			modality = rec.Raw(colModality)
		}
		k := key{modality, row.Model, row.Step}
		if prev, ok := lineOf[k]; ok {
			return nil, rec.Errorf("model %s step %d already given on line %d", row.Model, row.Step, prev)
		}
		lineOf[k] = rec.Line
		if s, ok := sizeOf[row.Model]; ok && s.params != row.Params {
			return nil, rec.Errorf("field %s: model %s has size %g here but %g on line %d", colParams, row.Model, row.Params, s.params, s.line)
		}
		sizeOf[row.Model] = sized{row.Params, rec.Line}
		t := byModality[modality]
		if t == nil {
			t = &Table{Modality: modality}
			byModality[modality] = t
			order = append(order, modality)
		}
		t.Rows = append(t.Rows, row)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", name)
	}
	tables := make([]Table, 0, len(order))
	for _, m := range order {
		t := *byModality[m]
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.Sort()
		tables = append(tables, t)
	}
	sortByModality(tables)
	return tables, nil
}

func requiredColumns() []string { return []string{colModel, colParams, colStep, colCR} }

// parseStep accepts "143000" and the checkpoint spelling "step143000".
func parseStep(rec csvtable.Record) (int, error) {
	s, err := rec.String(colStep)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(strings.TrimPrefix(s, "step"))
	if err != nil {
		return 0, rec.Errorf("field %s: %q is not a whole number of steps", colStep, s)
	}
	return v, nil
}

// modalityFromName finds a modality word in a file name, e.g. "text" in
// "table2_text.csv"; it returns "" when there is none.
func modalityFromName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	words := strings.FieldsFunc(strings.ToLower(base), func(r rune) bool { return r < 'a' || r > 'z' })
	for _, w := range words {
		if slices.Contains(Modalities, w) {
			return w
		}
	}
	return ""
}

// sortByModality orders tables as Modalities lists them; others go last,
// alphabetically.
func sortByModality(tables []Table) {
	rank := func(m string) int {
		if i := slices.Index(Modalities, m); i >= 0 {
			return i
		}
		return len(Modalities)
	}
	slices.SortStableFunc(tables, func(x, y Table) int {
		if d := rank(x.Modality) - rank(y.Modality); d != 0 {
			return d
		}
		return strings.Compare(x.Modality, y.Modality)
	})
}

func modalityList(tables []Table) string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.label()
	}
	return strings.Join(names, ", ")
}

// Encode writes tables as one CSV with the columns
// modality,model,params,step,compression_ratio, rows sorted by size and
// step. Values are written with full precision, so Decode gives them back
// exactly.
func Encode(w io.Writer, tables ...Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{colModality, colModel, colParams, colStep, colCR}); err != nil {
		return err
	}
	for _, t := range tables {
		sorted := Table{Modality: t.Modality, Rows: slices.Clone(t.Rows)}
		sorted.Sort()
		for _, r := range sorted.Rows {
			rec := []string{
				t.Modality, r.Model,
				strconv.FormatFloat(r.Params, 'g', -1, 64),
				strconv.Itoa(r.Step),
				strconv.FormatFloat(r.CR, 'g', -1, 64),
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes tables to path with Encode, atomically, after checking
// each with Validate.
func WriteCSV(path string, tables ...Table) error {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	var buf bytes.Buffer
	if err := Encode(&buf, tables...); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}
