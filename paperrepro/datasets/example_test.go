package datasets_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

func ExampleOpen() {
	// A data directory laid out as Open expects, holding a (tiny) enwik8 prefix.
	dataDir, _ := os.MkdirTemp("", "datasets-example")
	defer os.RemoveAll(dataDir)
	os.MkdirAll(filepath.Join(dataDir, "enwik8"), 0o755)
	os.WriteFile(filepath.Join(dataDir, "enwik8", "enwik8.prefix"), []byte("<mediawiki xmlns=...>"), 0o644)

	src, err := datasets.Open(datasets.Text, dataDir, datasets.Options{ChunkSize: 10, Count: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range src.NumChunks() {
		chunk, _ := src.Chunk(i)
		fmt.Printf("chunk %d: %q\n", i, chunk)
	}
	fmt.Println("rule:", src.Provenance().Rule)
	// Output:
	// chunk 0: "<mediawiki"
	// chunk 1: " xmlns=..."
	// rule: consecutive
}

func ExampleWriteChunks() {
	dir, _ := os.MkdirTemp("", "datasets-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "enwik8")
	os.WriteFile(path, []byte("abcdefgh"), 0o644)

	src, _ := datasets.Open(datasets.Text, "", datasets.Options{Path: path, ChunkSize: 3, Count: 2})
	datasets.WriteChunks(os.Stdout, src)
	fmt.Println()
	// Output: abcdef
}

func ExampleFetch() {
	// A stand-in for mattmahoney.net serving an enwik8.zip whose enwik8 is
	// "<mediawiki>"; FetchOptions.MD5 gives that file's md5 in place of
	// the real enwik8's.
	var archive bytes.Buffer
	w := zip.NewWriter(&archive)
	member, _ := w.Create("enwik8")
	member.Write([]byte("<mediawiki>"))
	w.Close()
	server := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write(archive.Bytes())
	}))
	defer server.Close()
	dataDir, _ := os.MkdirTemp("", "datasets-example")
	defer os.RemoveAll(dataDir)

	path, err := datasets.Fetch(context.Background(), datasets.Text, dataDir, datasets.FetchOptions{
		URL: server.URL + "/dc/enwik8.zip",
		MD5: "d3cc42055ed44a22b562f1ecaa383c62",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(dataDir, path)
	fmt.Println(filepath.ToSlash(rel))
	// Output: enwik8/enwik8
}
