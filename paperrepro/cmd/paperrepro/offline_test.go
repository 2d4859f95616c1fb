package main

import (
	"net"
	"strings"
	"testing"
)

// closedPort is an address on 127.0.0.1 where nothing listens: a hub this
// machine cannot reach, without leaving the loopback interface.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestOfflineErrorsSayWhatToDo: fetch and fetch-data on a machine that
// cannot reach the hub name the cause and the fixes (issue 24: they printed
// a raw network error): a mirror (HF_ENDPOINT), a Hugging Face cache copied
// from a machine with a network with HF_HUB_OFFLINE=1, `make data` there.
func TestOfflineErrorsSayWhatToDo(t *testing.T) {
	hfCache := t.TempDir()
	t.Setenv("HF_ENDPOINT", closedPort(t))
	t.Setenv("HF_HUB_CACHE", hfCache)
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_ETAG_TIMEOUT", "0.5")
	dataDir := t.TempDir()
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"fetch", "-models", "70m", "-steps", "1000"},
			[]string{"cannot reach", "HF_ENDPOINT", "HF_HUB_OFFLINE=1", hfCache, "fetch -models EleutherAI/pythia-70m -steps step1000"}},
		{[]string{"fetch-data", "-modalities", "speech", "-chunks", "4", "-data-dir", dataDir},
			[]string{"cannot reach", "HF_ENDPOINT", "make data", dataDir}},
		{[]string{"fetch-data", "-modalities", "tokenizer", "-data-dir", dataDir},
			[]string{"cannot reach", "HF_ENDPOINT", "HF_HUB_OFFLINE=1", hfCache}},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitFail {
			t.Errorf("%v: exit %d, want %d", tc.args, code, exitFail)
		}
		for _, want := range tc.wants {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr does not mention %q:\n%s", tc.args, want, stderr)
			}
		}
	}
}
