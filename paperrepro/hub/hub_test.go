package hub_test

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

const (
	org      = "EleutherAI"
	model    = "tiny"
	repo     = org + "/" + model
	weights  = "model.safetensors"
	fileSize = 1 << 20
)

// fakeRepos writes two revisions of one model, and a model whose only
// revision has pytorch_model.bin, and returns their root.
func fakeRepos(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(model, rev, name string, size int) {
		dir := filepath.Join(root, model, rev)
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if name == "config.json" {
			data = []byte(`{"model_type": "gpt_neox", "revision": "` + rev + `"}`)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, rev := range []string{"step1000", "step2000"} {
		write(model, rev, "config.json", 0)
		write(model, rev, weights, fileSize)
	}
	write("old", "step1", "config.json", 0)
	write("old", "step1", "pytorch_model.bin", fileSize)
	return root
}

// testPolicy gives up on an unanswering server in tenths of a second.
var testPolicy = download.Policy{Connect: time.Second, Header: 300 * time.Millisecond, Idle: 300 * time.Millisecond, Attempts: 2, Backoff: 10 * time.Millisecond}

func newClient(s *hubtest.Server, cache string) *hub.Client {
	return &hub.Client{Endpoint: s.URL, CacheDir: cache, HTTP: download.NewClient(testPolicy)}
}

func TestFetchWritesTheHubCacheLayout(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	ckpt, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	commit := s.Commit(model, "step1000")
	folder := filepath.Join(cache, "models--EleutherAI--tiny")
	if ckpt.Commit != commit || ckpt.Dir != filepath.Join(folder, "snapshots", commit) {
		t.Errorf("checkpoint commit %s dir %s, want %s in %s", ckpt.Commit, ckpt.Dir, commit, folder)
	}
	ref, err := os.ReadFile(filepath.Join(folder, "refs", "step1000"))
	if err != nil || string(ref) != commit {
		t.Errorf("refs/step1000 = %q, %v; want %q", ref, err, commit)
	}
	wantSum := s.SHA256(model, "step1000", weights)
	if ckpt.WeightsSHA256 != wantSum || len(ckpt.Weights) != 1 || ckpt.Weights[0].Name != weights {
		t.Errorf("weights %+v sha256 %s, want %s with sha256 %s", ckpt.Weights, ckpt.WeightsSHA256, weights, wantSum)
	}
	link, err := os.Readlink(filepath.Join(ckpt.Dir, weights))
	if err != nil || link != filepath.Join("..", "..", "blobs", wantSum) {
		t.Errorf("snapshot %s links to %q (%v), want ../../blobs/<sha256> as huggingface_hub does", weights, link, err)
	}
	data, err := os.ReadFile(filepath.Join(ckpt.Dir, weights))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != wantSum {
		t.Errorf("cached weights have sha256 %x, want %s", sum, wantSum)
	}
	config, err := os.ReadFile(filepath.Join(ckpt.Dir, "config.json"))
	if err != nil || !strings.Contains(string(config), `"step1000"`) {
		t.Errorf("config.json = %q, %v; want step1000's", config, err)
	}
	if ckpt.Name() != "tiny@step1000" {
		t.Errorf("Name() = %q", ckpt.Name())
	}
}

func TestFetchPytorchBinWhenNoSafetensors(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	ckpt, err := newClient(s, t.TempDir()).Fetch(context.Background(), org+"/old", "step1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ckpt.Weights) != 1 || ckpt.Weights[0].Name != "pytorch_model.bin" || ckpt.WeightsSHA256 != s.SHA256("old", "step1", "pytorch_model.bin") {
		t.Errorf("weights %+v, want pytorch_model.bin with the served sha256", ckpt.Weights)
	}
}

func TestFetchReusesTheCache(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	first, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	downloads := s.LFSDownloads()
	second, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	if s.LFSDownloads() != downloads {
		t.Errorf("second fetch downloaded the weights again (%d GETs, want %d)", s.LFSDownloads(), downloads)
	}
	if first.Dir != second.Dir || first.WeightsSHA256 != second.WeightsSHA256 {
		t.Errorf("second fetch gave %+v, first %+v", second, first)
	}
	// By commit, as Python's tools may ask.
	byCommit, err := newClient(s, cache).Fetch(context.Background(), repo, first.Commit)
	if err != nil || byCommit.Dir != first.Dir {
		t.Errorf("fetch by commit: %+v, %v; want dir %s", byCommit, err, first.Dir)
	}
}

func TestOffline(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	offline := newClient(s, cache)
	offline.Offline = true
	_, err := offline.Fetch(context.Background(), repo, "step1000")
	if !errors.Is(err, hub.ErrNotCached) {
		t.Fatalf("offline fetch with an empty cache: %v, want ErrNotCached", err)
	}
	for _, want := range []string{"HF_HUB_OFFLINE", cache, "paperrepro fetch -models EleutherAI/tiny -steps step1000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(s.Requests()) != 0 {
		t.Errorf("offline fetch made %d requests", len(s.Requests()))
	}
	online, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	requests := len(s.Requests())
	got, err := offline.Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Requests()) != requests {
		t.Errorf("offline fetch made %d requests", len(s.Requests())-requests)
	}
	if got.Dir != online.Dir || got.Commit != online.Commit || got.WeightsSHA256 != online.WeightsSHA256 {
		t.Errorf("offline checkpoint %+v, online %+v", got, online)
	}
}

func TestUnreachableHubFallsBackToTheCache(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	if _, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000"); err != nil {
		t.Fatal(err)
	}
	client := newClient(s, cache)
	s.Close()
	if _, err := client.Fetch(context.Background(), repo, "step1000"); err != nil {
		t.Errorf("cached checkpoint with the hub down: %v", err)
	}
	if _, err := client.Fetch(context.Background(), repo, "step2000"); err == nil {
		t.Errorf("uncached checkpoint with the hub down: no error")
	}
}

func TestToken(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	s.RequireToken("hf_secret")
	client := newClient(s, t.TempDir())
	_, err := client.Fetch(context.Background(), repo, "step1000")
	if !errors.Is(err, hub.ErrRepoNotFound) || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("without a token: %v, want ErrRepoNotFound suggesting HF_TOKEN", err)
	}
	t.Setenv("HF_TOKEN", "hf_secret")
	client.Token = hub.NewFromEnv().Token
	before := len(s.Requests())
	if _, err := client.Fetch(context.Background(), repo, "step1000"); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Requests()[before:] {
		if r.Authorization != "Bearer hf_secret" {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Authorization)
		}
	}
}

func TestNotFound(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	client := newClient(s, t.TempDir())
	tests := []struct {
		repo, rev string
		is        error
		says      string
	}{
		{repo, "step999", hub.ErrRevisionNotFound, `no revision "step999"`},
		{org + "/pythia-7m", "step1000", hub.ErrRepoNotFound, "EleutherAI/pythia-7m not found"},
		{"pythia-70m", "step1000", nil, "--model-dir"},
		{"../etc", "step1000", nil, "not a hub repository id"},
	}
	for _, tt := range tests {
		_, err := client.Fetch(context.Background(), tt.repo, tt.rev)
		if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("Fetch(%s, %s) = %v; want an error saying %q", tt.repo, tt.rev, err, tt.says)
		}
	}
}

func TestInterruptedDownloadResumes(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	s.SetFault(model, "step1000", weights, hubtest.Fault{CutAfter: fileSize / 3, CutTimes: 1})
	ckpt, err := newClient(s, t.TempDir()).Fetch(context.Background(), repo, "step1000")
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	for _, r := range s.Requests() {
		resumed = resumed || r.Range == "bytes=349525-"
	}
	if !resumed {
		t.Errorf("no Range request resumed the cut transfer: %+v", s.Requests())
	}
	if ckpt.WeightsSHA256 != s.SHA256(model, "step1000", weights) {
		t.Errorf("resumed weights sha256 %s", ckpt.WeightsSHA256)
	}
}

func TestPartialFileFromAnEarlierRunIsResumed(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	cache := t.TempDir()
	sum := s.SHA256(model, "step2000", weights)
	blobs := filepath.Join(hub.RepoFolder(cache, repo), "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	resp, err := s.Client().Get(s.URL + "/" + repo + "/resolve/step2000/" + weights)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := os.WriteFile(filepath.Join(blobs, sum+".part"), head, 0o644); err != nil {
		t.Fatal(err)
	}
	ckpt, err := newClient(s, cache).Fetch(context.Background(), repo, "step2000")
	if err != nil {
		t.Fatal(err)
	}
	if last := s.Requests()[len(s.Requests())-1]; last.Range != "bytes=1000-" {
		t.Errorf("last request %+v, want a Range from byte 1000", last)
	}
	if ckpt.WeightsSHA256 != sum {
		t.Errorf("weights sha256 %s, want %s", ckpt.WeightsSHA256, sum)
	}
}

func TestCorruptedDownloadIsDetected(t *testing.T) {
	s := hubtest.Start(t, fakeRepos(t), org)
	s.SetFault(model, "step1000", weights, hubtest.Fault{Corrupt: true})
	cache := t.TempDir()
	_, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000")
	if err == nil || !strings.Contains(err.Error(), "sha256") || !strings.Contains(err.Error(), weights) {
		t.Fatalf("corrupted weights: %v, want a sha256 mismatch naming %s", err, weights)
	}
	sum := s.SHA256(model, "step1000", weights)
	for _, p := range []string{
		filepath.Join(hub.RepoFolder(cache, repo), "blobs", sum),
		filepath.Join(hub.RepoFolder(cache, repo), "snapshots", s.Commit(model, "step1000"), weights),
	} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists after a corrupted download", p)
		}
	}
	offline := newClient(s, cache)
	offline.Offline = true
	if _, err := offline.Fetch(context.Background(), repo, "step1000"); !errors.Is(err, hub.ErrNotCached) {
		t.Errorf("offline after a corrupted download: %v, want ErrNotCached", err)
	}
	s.SetFault(model, "step1000", weights, hubtest.Fault{})
	if _, err := newClient(s, cache).Fetch(context.Background(), repo, "step1000"); err != nil {
		t.Errorf("fetch after the fault is gone: %v", err)
	}
}

func TestNewFromEnv(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HF_ENDPOINT", "http://hub.example/")
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HUGGINGFACE_HUB_CACHE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_TOKEN_PATH", "")
	t.Setenv("HF_HUB_OFFLINE", "1")
	if err := os.WriteFile(filepath.Join(home, "token"), []byte("hf_saved\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := hub.NewFromEnv()
	if c.Endpoint != "http://hub.example" || c.CacheDir != filepath.Join(home, "hub") || c.Token != "hf_saved" || !c.Offline {
		t.Errorf("NewFromEnv() = %+v", c)
	}
	t.Setenv("HF_HUB_CACHE", filepath.Join(home, "elsewhere"))
	t.Setenv("HF_HUB_OFFLINE", "0")
	t.Setenv("HF_TOKEN", "hf_env")
	c = hub.NewFromEnv()
	if c.CacheDir != filepath.Join(home, "elsewhere") || c.Token != "hf_env" || c.Offline {
		t.Errorf("NewFromEnv() = %+v", c)
	}
}

func TestLocalDir(t *testing.T) {
	root := fakeRepos(t)
	dir := filepath.Join(root, model, "step1000")
	ckpt, err := hub.LocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, weights))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if ckpt.WeightsSHA256 != hex.EncodeToString(sum[:]) || ckpt.Repo != "" || ckpt.Name() != "step1000" {
		t.Errorf("LocalDir = %+v, want weights sha256 %x", ckpt, sum)
	}
	if _, err := hub.LocalDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("LocalDir of an empty folder: %v, want an error naming config.json", err)
	}
	noWeights := t.TempDir()
	if err := os.WriteFile(filepath.Join(noWeights, "config.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.LocalDir(noWeights); err == nil || !strings.Contains(err.Error(), "model.safetensors") {
		t.Errorf("LocalDir without weights: %v, want an error naming the weights files", err)
	}
}

// TestCachedReadsAPythonLayout builds the cache huggingface_hub writes -
// refs/<revision>, snapshots/<commit>/<file> linking ../../blobs/<etag> - by
// hand, and reads it offline.
func TestCachedReadsAPythonLayout(t *testing.T) {
	cache := t.TempDir()
	folder := hub.RepoFolder(cache, "EleutherAI/pythia-70m")
	commit := strings.Repeat("a1", 20)
	weights := []byte("not really weights")
	sum := sha256.Sum256(weights)
	config := []byte(`{"model_type": "gpt_neox"}`)
	configBlob := gitBlobSHA1(config) // small files are named by their git blob id
	files := map[string][]byte{
		"blobs/" + hex.EncodeToString(sum[:]):        weights,
		"blobs/" + configBlob:                        config,
		"refs/step143000":                            []byte(commit),
		".no_exist/" + commit + "/model.safetensors": nil,
	}
	for name, data := range files {
		path := filepath.Join(folder, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := filepath.Join(folder, "snapshots", commit)
	if err := os.MkdirAll(snapshot, 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"config.json": configBlob, "pytorch_model.bin": hex.EncodeToString(sum[:])}
	for name, blob := range links {
		if err := os.Symlink(filepath.Join("..", "..", "blobs", blob), filepath.Join(snapshot, name)); err != nil {
			t.Fatal(err)
		}
	}
	client := &hub.Client{CacheDir: cache, Offline: true}
	ckpt, err := client.Fetch(context.Background(), "EleutherAI/pythia-70m", "step143000")
	if err != nil {
		t.Fatal(err)
	}
	if ckpt.Commit != commit || ckpt.Dir != snapshot || ckpt.WeightsSHA256 != hex.EncodeToString(sum[:]) || ckpt.Weights[0].Name != "pytorch_model.bin" {
		t.Errorf("checkpoint from a Python-made cache: %+v", ckpt)
	}
}

// gitBlobSHA1 is the id git gives data: sha1("blob <size>\0" + data).
func gitBlobSHA1(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
