package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
)

// A fetch against a fake hub serving one checkpoint; against the real hub,
// use hub.NewFromEnv() and a repository such as EleutherAI/pythia-70m.
func ExampleClient_Fetch() {
	root, _ := os.MkdirTemp("", "hub-example")
	defer os.RemoveAll(root)
	dir := filepath.Join(root, "pythia-70m", "step1000")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "gpt_neox"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("weights"), 0o644)
	server, _ := hubtest.New(root, "EleutherAI")
	defer server.Close()

	client := &hub.Client{Endpoint: server.URL, CacheDir: filepath.Join(root, "cache")}
	ckpt, err := client.Fetch(context.Background(), "EleutherAI/pythia-70m", "step1000")
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(client.CacheDir, ckpt.Dir)
	fmt.Println(ckpt.Name())
	fmt.Println(rel)
	fmt.Println("weights sha256:", ckpt.WeightsSHA256)
	// Output:
	// pythia-70m@step1000
	// models--EleutherAI--pythia-70m/snapshots/8e9354c9f8afbed5179adb911a24c5c3a3c667f5
	// weights sha256: 9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c
}
