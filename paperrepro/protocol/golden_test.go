package protocol

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/protocol/standin-v<FormatVersion>.pprz")

// TestGoldenContainer keeps the current format version readable: a file
// written when the format was fixed must still decompress, and compressing
// the same input must still give the same bytes (a change needs a new
// FormatVersion).
func TestGoldenContainer(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// The backend string names the architecture, and the stand-in's
		// floats may round differently elsewhere: exactly why containers
		// are tied to one backend.
		t.Skipf("the golden file was made on amd64, this is %s", runtime.GOARCH)
	}
	path := testenv.Testdata(t, "protocol", fmt.Sprintf("standin-v%d.pprz", FormatVersion))
	data := testFile()
	packed, _ := compressForTest(t, data, Options{ChunkSize: 300, BatchSize: 2})
	if *update {
		if err := os.WriteFile(path, packed, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	got, err := decompressForTest(golden, testIdentity, "standin")
	if err != nil {
		t.Fatalf("decompressing %s: %v", path, err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("%s decompresses to other data", path)
	}
	if !bytes.Equal(packed, golden) {
		t.Errorf("compressing gives %d bytes that differ from %s (%d bytes): the format changed", len(packed), path, len(golden))
	}
}

// TestOldVersionIsRefusedByName: a container of an earlier format version
// is refused as such, not reported as damaged data.
func TestOldVersionIsRefusedByName(t *testing.T) {
	old, err := os.ReadFile(testenv.Testdata(t, "protocol", "standin-v1.pprz"))
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"ReadHeader": func() error { _, err := ReadHeader(old); return err }(),
		"Decompress": func() error { _, err := decompressForTest(old, testIdentity, "standin"); return err }(),
	} {
		if !errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrFormat) || errors.Is(err, ErrCorrupt) ||
			!strings.Contains(err.Error(), "unsupported format version 1: this program reads versions 2 to 3") {
			t.Errorf("%s of a version-1 file: %v; want an unsupported-version error", name, err)
		}
	}
}

// TestVersion2StillDecodes: a container written before version 3 (no config
// sum, no engine) still decodes where the floats have not changed - as the
// stand-in's have not - whatever config the model given has.
func TestVersion2StillDecodes(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("the golden file was made on amd64, this is %s", runtime.GOARCH)
	}
	v2, err := os.ReadFile(testenv.Testdata(t, "protocol", "standin-v2.pprz"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(v2)
	if err != nil || h.Version != 2 || h.Engine != "" || h.Model.ConfigSHA256 != "" {
		t.Fatalf("header %+v, %v; want version 2 without engine or config sum", h, err)
	}
	got, err := decompressForTest(v2, testIdentity, "standin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, testFile()) {
		t.Error("standin-v2.pprz decompresses to other data")
	}
}
