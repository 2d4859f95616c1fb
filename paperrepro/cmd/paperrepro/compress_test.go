package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
)

// copySnapshot copies the files of the one cached snapshot of repo (links
// followed) into a new folder: the very same checkpoint, as a user's
// -model-dir.
func copySnapshot(t *testing.T, repo string) string {
	t.Helper()
	snapshots, err := filepath.Glob(filepath.Join(hub.RepoFolder(os.Getenv("HF_HUB_CACHE"), repo), "snapshots", "*"))
	if err != nil || len(snapshots) != 1 {
		t.Fatalf("snapshots of %s: %v, %v", repo, snapshots, err)
	}
	dir := filepath.Join(t.TempDir(), "step1000")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(snapshots[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(snapshots[0], e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDecompressComparesContent is issue 25's U3 and U2: a file compressed
// with a hub checkpoint decodes with the very same files in a folder (it
// used to say "model mismatch" although both sums shown were equal), and
// the same weights with an edited config.json are refused as another model
// configuration (it used to say "corrupt compressed data ... token 50280").
func TestDecompressComparesContent(t *testing.T) {
	data := fakeHubEnv(t)
	dir := t.TempDir()
	original := []byte("Compressed on the hub's checkpoint, decompressed from a folder.\n")
	input := filepath.Join(dir, "note.txt")
	if err := os.WriteFile(input, original, 0o644); err != nil {
		t.Fatal(err)
	}
	const repo = "EleutherAI/pythia-tiny-16"
	if code, stdout, stderr := run(t, "compress", "-models", repo, "-steps", "1000", "-data-dir", data, input); code != exitOK {
		t.Fatalf("compress: exit %d\n%s%s", code, stdout, stderr)
	}
	local := copySnapshot(t, repo)
	restored := filepath.Join(dir, "restored.txt")
	code, _, stderr := run(t, "decompress", "-model-dir", local, "-data-dir", data, "-o", restored, input+compressedSuffix)
	if code != exitOK {
		t.Fatalf("decompress from a folder holding the same files: exit %d\n%s", code, stderr)
	}
	if got, err := os.ReadFile(restored); err != nil || string(got) != string(original) {
		t.Errorf("round trip: %q, %v", got, err)
	}

	config := filepath.Join(local, "config.json")
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`"layer_norm_eps": *[0-9.e+-]+`).ReplaceAllString(string(text), `"layer_norm_eps": 0.5`)
	if edited == string(text) {
		t.Fatalf("%s has no layer_norm_eps to edit:\n%s", config, text)
	}
	if err := os.WriteFile(config, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "decompress", "-model-dir", local, "-data-dir", data, "-f", "-o", restored, input+compressedSuffix)
	if code != exitFail || !strings.Contains(stderr, "another model configuration") || strings.Contains(stderr, "corrupt") {
		t.Errorf("decompress with an edited config.json: exit %d\n%s", code, stderr)
	}
}
