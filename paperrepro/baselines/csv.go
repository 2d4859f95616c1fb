package baselines

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// csvColumns are the columns of a results CSV, in order. input_bytes,
// compression_ratio and bits_per_byte follow from the others; they are
// written for readers and checked when read back.
var csvColumns = []string{
	"modality", "rule", "codec", "setting", "implementation", "accounting",
	"chunks", "chunk_size", "input_bytes", "compressed_bytes", "header_bytes",
	"compression_ratio", "bits_per_byte", "data_sha256",
}

// Encode writes the table as CSV: a header row, then one row per result.
func Encode(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		row := []string{
			r.Modality, r.Rule, r.Codec, r.Setting, r.Implementation, string(r.Accounting),
			strconv.Itoa(r.Chunks), strconv.Itoa(r.ChunkSize), strconv.FormatInt(r.InputBytes(), 10),
			strconv.FormatInt(r.CompressedBytes, 10), strconv.Itoa(r.HeaderBytes),
			strconv.FormatFloat(r.CR(), 'g', -1, 64), strconv.FormatFloat(r.BitsPerByte(), 'g', -1, 64),
			r.DataSHA256,
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes the table to path with Encode.
func WriteCSV(path string, t Table) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing baselines: %w", err)
	}
	if err := Encode(f, t); err != nil {
		f.Close()
		return fmt.Errorf("writing baselines to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing baselines to %s: %w", path, err)
	}
	return nil
}

// ReadCSV reads a results CSV that WriteCSV wrote.
func ReadCSV(path string) (Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return Table{}, fmt.Errorf("reading baselines: %w", err)
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads a results CSV; name (usually its path) is used in errors,
// which give the line and field at fault. The derived columns must agree
// with the sizes they follow from.
func Decode(r io.Reader, name string) (Table, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Table{}, fmt.Errorf("%s: empty file, want a header row of %v", name, csvColumns)
	}
	if err != nil {
		return Table{}, fmt.Errorf("%s: %w", name, err)
	}
	index := map[string]int{}
	for i, c := range header {
		index[c] = i
	}
	for _, c := range csvColumns {
		if _, ok := index[c]; !ok {
			return Table{}, fmt.Errorf("%s: no %q column (want %v)", name, c, csvColumns)
		}
	}
	var t Table
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return Table{}, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		res, err := decodeRow(row, index)
		if err != nil {
			return Table{}, fmt.Errorf("%s: line %d: %w", name, line, err)
		}
		t.Rows = append(t.Rows, res)
	}
}

// decodeRow parses one row and checks its derived columns.
func decodeRow(row []string, index map[string]int) (Result, error) {
	field := func(c string) string { return row[index[c]] }
	var errs []error
	integer := func(c string) int64 {
		v, err := strconv.ParseInt(field(c), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %q is not a whole number", c, field(c)))
		}
		return v
	}
	number := func(c string) float64 {
		v, err := strconv.ParseFloat(field(c), 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %q is not a number", c, field(c)))
		}
		return v
	}
	r := Result{
		Modality: field("modality"), Rule: field("rule"),
		Codec: field("codec"), Setting: field("setting"), Implementation: field("implementation"),
		Accounting: Accounting(field("accounting")),
		Chunks:     int(integer("chunks")), ChunkSize: int(integer("chunk_size")),
		CompressedBytes: integer("compressed_bytes"), HeaderBytes: int(integer("header_bytes")),
		DataSHA256: field("data_sha256"),
	}
	input, ratio, bpb := integer("input_bytes"), number("compression_ratio"), number("bits_per_byte")
	if len(errs) > 0 {
		return Result{}, errs[0]
	}
	if err := r.validate(); err != nil {
		return Result{}, err
	}
	switch {
	case input != r.InputBytes():
		return Result{}, fmt.Errorf("field input_bytes: %d, but chunks x chunk_size = %d", input, r.InputBytes())
	case !agrees(ratio, r.CR()):
		return Result{}, fmt.Errorf("field compression_ratio: %g, but compressed_bytes / input_bytes = %g", ratio, r.CR())
	case !agrees(bpb, r.BitsPerByte()):
		return Result{}, fmt.Errorf("field bits_per_byte: %g, but 8 x compression_ratio = %g", bpb, r.BitsPerByte())
	}
	return r, nil
}

// agrees reports whether a written ratio matches the one recomputed, allowing
// for rounding by a spreadsheet that saved it with fewer digits.
func agrees(written, computed float64) bool {
	return math.Abs(written-computed) <= 1e-6*math.Abs(computed)
}
