package notebook

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cachedCheckpoint lays out repo@rev in a hub cache with the given files.
func cachedCheckpoint(t *testing.T, cache, repo, rev string, files ...string) string {
	t.Helper()
	commit := strings.Repeat("a", 40)
	folder := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
	touch(t, filepath.Join(folder, "refs", rev))
	if err := os.WriteFile(filepath.Join(folder, "refs", rev), []byte(commit), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		touch(t, filepath.Join(folder, "snapshots", commit, f))
	}
	return filepath.Join(folder, "snapshots", commit)
}

// places makes the four places in a temporary folder, empty.
func places(t *testing.T) Places {
	root := t.TempDir()
	return Places{DataDir: filepath.Join(root, "data"), HubCache: filepath.Join(root, "hub"), Repo: filepath.Join(root, "repo"), Shared: filepath.Join(root, "shared")}
}

func TestTokenizerLookupOrder(t *testing.T) {
	p := places(t)
	_, err := p.Tokenizer()
	var missing *MissingError
	if !errors.As(err, &missing) || len(missing.Tried) != 4 || !strings.Contains(err.Error(), "fetch-data -modalities tokenizer") {
		t.Fatalf("nothing anywhere: %v", err)
	}
	// Filled from the last place to the first, each must win over the ones after it.
	steps := []struct {
		place Place
		make  func() string
	}{
		{Shared, func() string { return touch(t, filepath.Join(p.Shared, "data", "tokenizer", "tokenizer.json")) }},
		{Testdata, func() string { return touch(t, filepath.Join(p.Repo, "testdata", "tokenizer", "tokenizer.json")) }},
		{HubCache, func() string {
			return filepath.Join(cachedCheckpoint(t, p.HubCache, "EleutherAI/pythia-70m", "main", "tokenizer.json"), "tokenizer.json")
		}},
		{DataFolder, func() string { return touch(t, filepath.Join(p.DataDir, "tokenizer", "tokenizer.json")) }},
	}
	for _, s := range steps {
		want := s.make()
		got, err := p.Tokenizer()
		if err != nil || got.Path != want || got.Place != s.place {
			t.Errorf("with one in %s: got %v, %v; want %s", s.place, got, err, want)
		}
	}
}

func TestDataAndModelLookup(t *testing.T) {
	p := places(t)
	_, err := p.Data("speech")
	if err == nil || !strings.Contains(err.Error(), "make data") {
		t.Errorf("no speech data: %v", err)
	}
	touch(t, filepath.Join(p.Shared, "data", "librispeech-sample", "a.flac"))
	if got, err := p.Data("speech"); err != nil || got.Place != Shared {
		t.Errorf("speech in ../shared: %v, %v", got, err)
	}
	touch(t, filepath.Join(p.Repo, "testdata", "data", "librispeech-sample", "a.flac"))
	if got, err := p.Data("speech"); err != nil || got.Place != Testdata {
		t.Errorf("speech in testdata/data too: %v, %v", got, err)
	}
	touch(t, filepath.Join(p.DataDir, "librispeech", "flac", "a.flac"))
	if got, err := p.Data("speech"); err != nil || got.Place != DataFolder || got.Path != filepath.Join(p.DataDir, "librispeech", "flac") {
		t.Errorf("speech in the data folder too: %v, %v", got, err)
	}
	_, err = p.Data("image")
	var missing *MissingError
	if !errors.As(err, &missing) || missing.Command != "make data" || !strings.Contains(missing.Note, "HF_TOKEN") || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("no image data: %v", err)
	}

	if _, _, err := p.Model(); err == nil || !strings.Contains(err.Error(), "make data-model") {
		t.Errorf("no model: %v", err)
	}
	tiny := filepath.Dir(touch(t, filepath.Join(p.Shared, "fixtures", "pythia-tiny", "pythia-tiny-32", "step2000", "config.json")))
	if got, real, err := p.Model(); err != nil || real || got.Path != tiny {
		t.Errorf("tiny model in ../shared: %v real=%v, %v", got, real, err)
	}
	dir := cachedCheckpoint(t, p.HubCache, "EleutherAI/pythia-70m", "step143000", "config.json", "model.safetensors")
	if got, real, err := p.Model(); err != nil || !real || got.Path != dir || got.Place != HubCache {
		t.Errorf("pythia-70m in the cache: %v real=%v, %v", got, real, err)
	}
}

func TestAvailableShowsTheCommandOrFailsUnderCI(t *testing.T) {
	var out bytes.Buffer
	text = &out
	t.Cleanup(func() { text = os.Stdout })
	missing := &MissingError{What: "the speech data", Tried: []string{"/d", "/s"}, Command: "make data"}
	t.Setenv("CI", "")
	if Available(missing) || !strings.Contains(out.String(), "The speech data is not here (looked in /d, /s)") || !strings.Contains(out.String(), "\n\n    make data\n") {
		t.Errorf("shown: %q", out.String())
	}
	out.Reset()
	gated := &MissingError{What: "the image data", Tried: []string{"/d"}, Command: "make data", Note: "It needs HF_TOKEN."}
	if Available(gated) || !strings.Contains(out.String(), "\n\n    make data\n\n*It needs HF_TOKEN.*") {
		t.Errorf("shown with a note: %q", out.String())
	}
	if !Available(nil) {
		t.Error("Available(nil) = false")
	}
	t.Setenv("CI", "true")
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "make data") {
			t.Errorf("under CI=true: recovered %v, want a panic naming the command", r)
		}
	}()
	Available(missing)
}

func TestDefaultPlacesFindTheCheckout(t *testing.T) {
	t.Setenv("PAPERREPRO_SHARED", "")
	t.Setenv("PAPERREPRO_DATA", "/somewhere/data")
	p := DefaultPlaces()
	if _, err := os.Stat(filepath.Join(p.Repo, "testdata", "tokenizer", "tokenizer.json")); err != nil {
		t.Errorf("repository root %q has no testdata/tokenizer: %v", p.Repo, err)
	}
	if p.Shared != filepath.Join(filepath.Dir(p.Repo), "shared") || p.DataDir != "/somewhere/data" {
		t.Errorf("places %+v", p)
	}
	// On a fresh clone the tokenizer comes from testdata/ at the latest.
	p.DataDir, p.HubCache, p.Shared = t.TempDir(), t.TempDir(), ""
	if got, err := p.Tokenizer(); err != nil || got.Place != Testdata {
		t.Errorf("fresh clone: %v, %v", got, err)
	}
}

func TestOpenDataWithReadsTheFirstPlaceWithTheOptionsAsked(t *testing.T) {
	data := t.TempDir()
	content := make([]byte, 3*2048)
	for i := range content {
		content[i] = byte('a' + i%26)
	}
	touch(t, filepath.Join(data, "enwik8", "enwik8.prefix"))
	if err := os.WriteFile(filepath.Join(data, "enwik8", "enwik8.prefix"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAPERREPRO_DATA", data)
	t.Setenv("PAPERREPRO_SHARED", t.TempDir())
	t.Setenv("CI", "")
	src, found, ok := OpenDataWith("text", datasets.Options{Count: 2, ChunkSize: 1024})
	if !ok || found.Place != DataFolder || found.Path != filepath.Join(data, "enwik8", "enwik8.prefix") {
		t.Fatalf("OpenDataWith: ok=%v found=%v", ok, found)
	}
	if src.NumChunks() != 2 {
		t.Errorf("%d chunks, want the 2 asked for", src.NumChunks())
	}
	// Asked for more than there are, it opens all 3.
	if src, _, ok := OpenData("text", 2048); !ok || src.NumChunks() != 3 {
		t.Errorf("OpenData(text, 2048) on 3 chunks: ok=%v", ok)
	}
	if got, ok := Chunks("text", 1, 2); !ok || string(got) != string(content[2048:]) {
		t.Errorf("Chunks(text, 1, 2) = %d bytes, ok=%v; want chunks 1 and 2", len(got), ok)
	}
	if chunk, err := src.Chunk(1); err != nil || string(chunk) != string(content[1024:2048]) {
		t.Errorf("chunk 1 of 1024 bytes: %q, %v", chunk, err)
	}

	var out bytes.Buffer
	text = &out
	t.Cleanup(func() { text = os.Stdout })
	if _, _, ok := OpenDataWith("speech", datasets.Options{Count: 2}); ok || !strings.Contains(out.String(), "make data") {
		t.Errorf("no speech anywhere: ok=%v, shown %q", ok, out.String())
	}
}

func TestShortPathNamesNoMachineFolders(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/work/wt/repo/testdata/tokenizer/tokenizer.json", "testdata/tokenizer/tokenizer.json"},
		{"/work/wt/shared/data/enwik8/enwik8.prefix", "../shared/data/enwik8/enwik8.prefix"},
		{"/home/ann/.cache/paperrepro/data/enwik8/enwik8", "~/.cache/paperrepro/data/enwik8/enwik8"},
		{"/data/hf/hub/models--x/snapshots/a/tokenizer.json", "/data/hf/hub/models--x/snapshots/a/tokenizer.json"},
		{"/work/other/file", "/work/other/file"},
	} {
		if got := shortPath(c.path, "/work/wt/repo", "/home/ann"); got != c.want {
			t.Errorf("shortPath(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

func TestLoadTokenizerFindsTheCheckoutsOnAFreshClone(t *testing.T) {
	t.Setenv("PAPERREPRO_DATA", t.TempDir())
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("PAPERREPRO_SHARED", t.TempDir())
	t.Setenv("CI", "")
	tok, found, ok := LoadTokenizer()
	if !ok || found.Place != Testdata {
		t.Fatalf("LoadTokenizer: ok=%v found=%v", ok, found)
	}
	if ids, err := tok.Encode("Hello world"); err != nil || len(ids) != 2 {
		t.Errorf("Encode(\"Hello world\") = %v, %v; want Pythia's 2 tokens", ids, err)
	}
}

func TestInputsSayWhereEachInputIsAndWhatFetchesTheMissing(t *testing.T) {
	p := places(t)
	enwik8 := filepath.Join(p.Repo, "testdata", "data", "enwik8", "enwik8.prefix")
	touch(t, enwik8)
	if err := os.WriteFile(enwik8, make([]byte, 5*2048+7), 0o644); err != nil {
		t.Fatal(err)
	}
	touch(t, filepath.Join(p.Repo, "testdata", "tokenizer", "tokenizer.json"))
	got := inputsText(p, []Input{PaperNumbers, ComputedCells, TextData, ImageData, TokenizerFile})
	for _, want := range []string{
		"- the paper's numbers (its Tables 1–4 and Section 4.6's prediction): `expected/`",
		"- the grid's computed cells: none yet under `results/` (`make reproduce` computes them)",
		"- enwik8 (text): ", "(testdata/), rule `consecutive`, 5 chunks",
		"- ImageNet patches (image): **not here**; `make data` fetches it",
		"- Pythia's tokenizer: ",
		"The cells that need ImageNet patches (image) say so, with the command.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("inputs text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "developers' data sample") {
		t.Errorf("nothing came from ../shared, yet the text explains it:\n%s", got)
	}
}
