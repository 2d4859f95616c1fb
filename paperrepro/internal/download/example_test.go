package download_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

func ExampleFile() {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer server.Close()
	dir, _ := os.MkdirTemp("", "download-example")
	defer os.RemoveAll(dir)

	dest := filepath.Join(dir, "hello.txt")
	err := download.File(context.Background(), nil, download.Request{
		URL:    server.URL + "/hello.txt",
		Dest:   dest,
		SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	content, _ := os.ReadFile(dest)
	fmt.Println(string(content))
	// Output: hello
}
