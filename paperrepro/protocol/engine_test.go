package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// engineModel is the stand-in model naming its engine, as *neox.Model does.
type engineModel struct {
	*standinModel
	engine string
}

func (m engineModel) Engine() string { return m.engine }

// TestEngineIsRecorded: the container records the engine of a model that
// names one, and decoding with another engine is refused as a backend
// mismatch naming both, since its floats would not decode the data.
func TestEngineIsRecorded(t *testing.T) {
	data := testFile()[:700]
	id := testIdentity
	model := func(engine string) engineModel {
		return engineModel{&standinModel{vocab: 200, backend: "go"}, engine}
	}
	var packed bytes.Buffer
	if _, err := Compress(&packed, bytes.NewReader(data), model("gomlx v9, AVX-512 kernels"), newStandinTokenizer(), id, Options{ChunkSize: 300}); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(packed.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := BackendID("go") + " (gomlx v9, AVX-512 kernels)"; h.Backend != want {
		t.Errorf("header backend %q, want %q", h.Backend, want)
	}
	var out bytes.Buffer
	if _, err := Decompress(&out, bytes.NewReader(packed.Bytes()), model("gomlx v9, AVX-512 kernels"), newStandinTokenizer(), id); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("same engine: %v", err)
	}
	_, err = Decompress(&out, bytes.NewReader(packed.Bytes()), model("gomlx v9, AVX2 kernels"), newStandinTokenizer(), id)
	if !errors.Is(err, ErrBackendMismatch) || !strings.Contains(err.Error(), "AVX-512") || !strings.Contains(err.Error(), "AVX2") {
		t.Errorf("another engine: %v; want a backend mismatch naming both engines", err)
	}
}

// TestUnrecordedEngineIsRefusedByName: a container written before the
// engine was recorded (as every real model's was on GoMLX v0.26), decoded
// by a model that names its engine, is refused naming the engine that
// wrote it; models that name none (the stand-in's golden files) still
// decode it.
func TestUnrecordedEngineIsRefusedByName(t *testing.T) {
	path := testenv.Testdata(t, "protocol", fmt.Sprintf("standin-v%d.pprz", FormatVersion))
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err = Decompress(&out, bytes.NewReader(golden), engineModel{&standinModel{vocab: 200, backend: "standin"}, "gomlx v0.28.16, compute v0.1.14, AVX-512 kernels"}, newStandinTokenizer(), testIdentity)
	if !errors.Is(err, ErrBackendMismatch) || !strings.Contains(err.Error(), unrecordedEngine) || !strings.Contains(err.Error(), "gomlx v0.28.16") {
		t.Errorf("decompressing %s with an engine-naming model: %v; want a refusal naming %s", path, err, unrecordedEngine)
	}
	if _, err := decompressForTest(golden, testIdentity, "standin"); err != nil {
		t.Errorf("decompressing %s with the stand-in: %v", path, err)
	}
}
