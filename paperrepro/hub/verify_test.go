package hub_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testnet"
)

// flipByte flips one byte in the middle of the file a snapshot path links to.
func flipByte(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedCacheBlobIsSeen is issue 25's S2: a byte flipped in a cached
// weights blob used to be loaded unnoticed, and its name reported as the
// weights' sha256. Offline it is now an error naming the blob and the fix;
// online it is fetched again, and the sum reported is the bytes'.
func TestDamagedCacheBlobIsSeen(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	ckpt, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	served := s.SHA256(model, "step1000", weights)
	flipByte(t, filepath.Join(ckpt.Dir, weights))

	offline := newClient(s, cache)
	offline.Offline = true
	_, err = offline.Fetch(context.Background(), repo, "step1000")
	var damaged *hub.DamagedError
	if !errors.As(err, &damaged) || damaged.Want != served || damaged.Got == served {
		t.Fatalf("offline, damaged blob: %v, want a DamagedError naming sha256 %s", err, served)
	}
	for _, want := range []string{"blobs/" + served, "fetch", "damaged"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := hub.LocalDir(ckpt.Dir); !errors.As(err, &damaged) {
		t.Errorf("LocalDir of the damaged snapshot: %v, want a DamagedError", err)
	}

	downloads := s.LFSDownloads()
	again, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	if s.LFSDownloads() != downloads+1 || again.WeightsSHA256 != served {
		t.Errorf("online: %d downloads (want 1), weights sha256 %s (want %s)", s.LFSDownloads()-downloads, again.WeightsSHA256, served)
	}
	if _, err := offline.Fetch(context.Background(), repo, "step1000"); err != nil {
		t.Errorf("offline after the repair: %v", err)
	}
}

// TestDamagedConfigIsSeen: config.json is a small git file, named in the
// cache by its git blob sha1; a changed byte there is refused too.
func TestDamagedConfigIsSeen(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	ckpt, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	if ckpt.ConfigSHA256 != s.SHA256(model, "step1000", "config.json") {
		t.Errorf("config sha256 %s, want the served file's %s", ckpt.ConfigSHA256, s.SHA256(model, "step1000", "config.json"))
	}
	flipByte(t, filepath.Join(ckpt.Dir, "config.json"))
	offline := newClient(s, cache)
	offline.Offline = true
	var damaged *hub.DamagedError
	if _, err := offline.Fetch(context.Background(), repo, "step1000"); !errors.As(err, &damaged) || damaged.Kind != "git blob sha1" {
		t.Errorf("damaged config.json: %v, want a DamagedError on its git blob sha1", err)
	}
}

// TestFetchShardedPytorchBin: the layout of the step revisions of Pythia
// 2.8b-12b, pytorch_model.bin.index.json over pytorch_model-0000i-of-00002.bin.
func TestFetchShardedPytorchBin(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pythia-12b", "step1000")
	files := map[string]string{
		"config.json":                      `{"model_type": "gpt_neox"}`,
		"pytorch_model.bin.index.json":     `{"metadata": {"total_size": 8}, "weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "pytorch_model-00002-of-00002.bin"}}`,
		"pytorch_model-00001-of-00002.bin": "shard one",
		"pytorch_model-00002-of-00002.bin": "shard two",
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := hubtest.Start(t, root, org)
	ckpt, err := newClient(s, t.TempDir()).Fetch(context.Background(), org+"/pythia-12b", "step1000")
	if err != nil {
		t.Fatal(err)
	}
	if len(ckpt.Weights) != 2 || ckpt.Weights[0].Name != "pytorch_model-00001-of-00002.bin" || ckpt.Weights[1].SHA256 != s.SHA256("pythia-12b", "step1000", "pytorch_model-00002-of-00002.bin") {
		t.Errorf("weights %+v, want both shards with their sums", ckpt.Weights)
	}
	for name := range files {
		if _, err := os.Stat(filepath.Join(ckpt.Dir, name)); err != nil {
			t.Errorf("%s not in the snapshot: %v", name, err)
		}
	}
}

// TestSilentHubIsGivenUp: Fetch against a hub that never answers ends, in
// bounded time, in an error that says what to do offline.
func TestSilentHubIsGivenUp(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	client := newClient(s, t.TempDir())
	client.Endpoint = silentHub(t)
	start := time.Now()
	_, err := client.Fetch(context.Background(), repo, "step1000")
	if err == nil {
		t.Fatal("no error")
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("gave up after %v", elapsed)
	}
	for _, want := range []string{"cannot reach", "HF_ENDPOINT", "HF_HUB_OFFLINE=1", client.CacheDir, "paperrepro fetch -models EleutherAI/tiny -steps step1000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestTimeoutsFromEnv: huggingface_hub's timeout variables set the policy,
// so that a silent hub is given up on after HF_HUB_ETAG_TIMEOUT seconds.
func TestTimeoutsFromEnv(t *testing.T) {
	t.Setenv("HF_ENDPOINT", silentHub(t))
	t.Setenv("HF_HUB_ETAG_TIMEOUT", "0.2")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	client := hub.NewFromEnv()
	client.Progress = nil
	start := time.Now()
	_, err := client.Fetch(context.Background(), repo, "step1000")
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("got %v, want a 'cannot reach' error", err)
	}
	if elapsed := time.Since(start); elapsed > 15*time.Second {
		t.Errorf("gave up after %v with HF_HUB_ETAG_TIMEOUT=0.2", elapsed)
	}
}

// TestDamagedTokenizerIsSeen: a single file fetched alone (tokenizer.json,
// as fetch-data brings it) is checked against its blob's name too: offline
// a damaged one is refused, online it is fetched again.
func TestDamagedTokenizerIsSeen(t *testing.T) {
	root := fakeRepos(t)
	if err := os.WriteFile(filepath.Join(root, model, "step1000", "tokenizer.json"), []byte(`{"model": {"type": "BPE"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := hubtest.Start(t, root, org)
	cache := t.TempDir()
	path, err := newClient(s, cache).FetchFile(context.Background(), repo, "step1000", "tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	flipByte(t, path)
	offline := newClient(s, cache)
	offline.Offline = true
	var damaged *hub.DamagedError
	if _, err := offline.FetchFile(context.Background(), repo, "step1000", "tokenizer.json"); !errors.As(err, &damaged) {
		t.Errorf("offline, damaged tokenizer.json: %v, want a DamagedError", err)
	}
	if _, err := newClient(s, cache).FetchFile(context.Background(), repo, "step1000", "tokenizer.json"); err != nil {
		t.Fatalf("online: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != `{"model": {"type": "BPE"}}` {
		t.Errorf("after fetching again: %q, %v", data, err)
	}
}

// silentHub is an HF_ENDPOINT that accepts connections and never answers
// (issue 25, H1).
func silentHub(t *testing.T) string {
	t.Helper()
	addr, _ := testnet.SilentListener(t)
	return "http://" + addr
}
