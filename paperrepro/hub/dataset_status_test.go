package hub

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDatasetStatusError: each hub answer about a dataset file gives a
// message that says what happened and what to do, naming the revision.
func TestDatasetStatusError(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name   string
		status int
		code   string
		token  string
		file   string
		want   string
		is     error
	}{
		{"gated, no token", 401, "", "", "data/0.parquet", "is gated", ErrGated},
		{"gated, token refused by the repo", 403, "GatedRepo", "t", "data/0.parquet", "the token sent was refused: accept the terms", ErrGated},
		{"a bad token on a public dataset", 401, "", "expired", "data/0.parquet", "the hub refused the token sent", nil},
		{"no such file", 404, "EntryNotFound", "", "data/9.parquet", "file data/9.parquet@" + commit + ": no such file", nil},
		{"no such repository", 404, "RepoNotFound", "", "", "not found on", ErrRepoNotFound},
		{"server error", 500, "", "", "data/0.parquet", "@" + commit + ": the hub answered 500", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{Endpoint: "https://hub.example", Token: tc.token}
			u, _ := url.Parse("https://hub.example/datasets/org/name/resolve/" + commit + "/" + tc.file)
			resp := &http.Response{StatusCode: tc.status, Status: fmt.Sprintf("%d %s", tc.status, http.StatusText(tc.status)),
				Header: http.Header{}, Request: &http.Request{URL: u}}
			if tc.code != "" {
				resp.Header.Set("X-Error-Code", tc.code)
			}
			err := c.datasetStatusError(resp, "org/name", commit, tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}
