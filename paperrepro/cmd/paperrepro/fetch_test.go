package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
)

// TestFetchShardedLargerModel: `fetch -models 12b` on a hub whose step
// revision stores the weights as sharded pytorch_model.bin files, as
// Pythia-12b's do (here the tiny PyTorch-sharded fixture under that name):
// every shard lands in the cache, and the checkpoint loads.
func TestFetchShardedLargerModel(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "pythia-12b", "step143000"), os.DirFS(testenv.Testdata(t, "neox", "bin-f16-sharded"))); err != nil {
		t.Fatal(err)
	}
	server := hubtest.Start(t, root, "EleutherAI")
	cache := t.TempDir()
	t.Setenv("HF_ENDPOINT", server.URL)
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")
	code, stdout, stderr := run(t, "fetch", "-models", "12b", "-steps", "143000")
	if code != exitOK || !strings.Contains(stdout, "pythia-12b@step143000") {
		t.Fatalf("fetch: exit %d\n%s%s", code, stdout, stderr)
	}
	snapshots, _ := filepath.Glob(filepath.Join(cache, "models--EleutherAI--pythia-12b", "snapshots", "*", "pytorch_model-0000?-of-00003.bin"))
	if len(snapshots) != 3 {
		t.Errorf("%d shards in the cache, want 3: %v", len(snapshots), snapshots)
	}
	m, err := neox.Load(filepath.Dir(snapshots[0]))
	if err != nil {
		t.Fatalf("the fetched checkpoint does not load: %v", err)
	}
	m.Close()
}
