package main

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
)

func TestFetchDataSkipsAGatedDataSetOnRequest(t *testing.T) {
	server := hubtest.Start(t, t.TempDir(), "EleutherAI")
	server.AddDataset("ILSVRC/imagenet-1k", map[string][]byte{"data/validation-00000-of-00001.parquet": []byte("PAR1")})
	server.GateDataset("ILSVRC/imagenet-1k", "secret")
	t.Setenv("HF_ENDPOINT", server.URL)
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HOME", t.TempDir())
	dataDir := t.TempDir()

	code, _, errOut := run(t, "fetch-data", "-modalities", "image", "-chunks", "4", "-data-dir", dataDir)
	if code != exitFail || !strings.Contains(errOut, "gated") || !strings.Contains(errOut, "image-net.org") {
		t.Errorf("without a token: exit %d, %s", code, errOut)
	}
	code, _, errOut = run(t, "fetch-data", "-modalities", "image", "-chunks", "4", "-data-dir", dataDir, "-skip-gated")
	if code != exitOK || !strings.Contains(errOut, "skipping image") {
		t.Errorf("with -skip-gated: exit %d, %s", code, errOut)
	}
}
