package baselines

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sampleTable is a small table of made-up sizes.
func sampleTable() Table {
	base := Result{Modality: "image", Rule: "tiles", Codec: "png", Setting: "best, 64 pixels wide",
		Implementation: "Go go1.26.8 image/png", Chunks: 4, ChunkSize: 2048, HeaderBytes: 67, DataSHA256: "0123abcd"}
	var t Table
	for i, a := range Accountings {
		r := base
		r.Accounting, r.CompressedBytes = a, int64(5000+i*333)
		t.Rows = append(t.Rows, r)
	}
	return t
}

func TestCSVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baselines.csv")
	want := sampleTable()
	if err := WriteCSV(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}

// TestDecodeBadInput checks that each kind of bad row gives an error naming
// the line and the field.
func TestDecodeBadInput(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	lines := strings.Split(strings.TrimSpace(good), "\n")
	header, row := lines[0], lines[1] // row: image,tiles,png,...,stream,4,2048,8192,5000,67,0.6103515625,4.8828125,0123abcd
	for _, tc := range []struct{ name, csv, want string }{
		{"empty", "", "empty file"},
		{"missing column", strings.Replace(header, ",data_sha256", "", 1) + "\n", `no "data_sha256" column`},
		{"ragged row", header + "\nimage,tiles\n", "wrong number of fields"},
		{"bad number", header + "\n" + strings.Replace(row, ",5000,", ",many,", 1), `line 2: field compressed_bytes: "many"`},
		{"bad accounting", header + "\n" + strings.Replace(row, ",stream,", ",lumped,", 1), `line 2: field accounting: "lumped"`},
		{"zero chunks", header + "\n" + strings.Replace(row, ",4,2048,8192,", ",0,2048,0,", 1), "line 2: field chunks: 0"},
		{"input disagrees", header + "\n" + strings.Replace(row, ",8192,", ",8000,", 1), "line 2: field input_bytes: 8000"},
		{"ratio disagrees", header + "\n" + strings.Replace(row, ",0.6103515625,", ",0.5,", 1), "line 2: field compression_ratio: 0.5"},
		{"bits disagree", header + "\n" + strings.Replace(row, ",4.8828125,", ",4,", 1), "line 2: field bits_per_byte: 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.csv), "b.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "b.csv") {
				t.Errorf("error %v, want one starting with b.csv and containing %q", err, tc.want)
			}
		})
	}
}
