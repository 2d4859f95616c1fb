package notebook

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	touch(t, filepath.Join(p.DataDir, "librispeech", "flac", "a.flac"))
	if got, err := p.Data("speech"); err != nil || got.Place != DataFolder || got.Path != filepath.Join(p.DataDir, "librispeech", "flac") {
		t.Errorf("speech in the data folder too: %v, %v", got, err)
	}
	_, err = p.Data("image")
	if err == nil || !strings.Contains(err.Error(), "HF_TOKEN") {
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
	if Available(missing) || !strings.Contains(out.String(), "The speech data is not here (looked in /d, /s)") || !strings.Contains(out.String(), "    make data") {
		t.Errorf("shown: %q", out.String())
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
