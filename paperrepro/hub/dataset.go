package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
)

// ErrGated is returned (wrapped) when a dataset repository is gated and the
// request carried no token, or a token of an account that has not accepted
// the repository's terms.
var ErrGated = errors.New("gated repository")

// DatasetRevision is a dataset repository at one commit: the files the hub
// lists for it, with their sizes and LFS sha256.
type DatasetRevision struct {
	Repo     string
	Revision string
	// Commit is the commit the revision resolved to; every file is read at it.
	Commit string
	Files  []DatasetFile
}

// DatasetFile is one file of a dataset repository.
type DatasetFile struct {
	Path string
	Size int64
	// SHA256 is the LFS sha256 of the whole file, "" for a file kept in git.
	SHA256 string
}

// Match returns the files whose path starts with prefix and ends with
// suffix, sorted byte-wise by path: the order in which the datasets
// library's data-file patterns list a split's shards.
func (d *DatasetRevision) Match(prefix, suffix string) []DatasetFile {
	var out []DatasetFile
	for _, f := range d.Files {
		if strings.HasPrefix(f.Path, prefix) && strings.HasSuffix(f.Path, suffix) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Dataset asks the hub which commit a dataset repository's revision is and
// which files it holds (/api/datasets/{repo}/revision/{rev}?blobs=true). The
// hub lists the files of a gated repository to anyone; reading them needs a
// token (see OpenDatasetFile).
func (c *Client) Dataset(ctx context.Context, repo, revision string) (*DatasetRevision, error) {
	if err := checkDatasetID(repo); err != nil {
		return nil, err
	}
	if revision == "" {
		revision = "main"
	}
	if c.Offline {
		return nil, fmt.Errorf("dataset %s: HF_HUB_OFFLINE is set; unset it to read the dataset from %s", repo, c.Endpoint)
	}
	info, err := c.askRevision(ctx, "datasets", repo, revision, "dataset "+repo, func(resp *http.Response) error {
		return c.datasetStatusError(resp, repo, revision, "")
	})
	if err != nil {
		return nil, err
	}
	if !isCommit(info.SHA) {
		return nil, fmt.Errorf("dataset %s@%s: the hub answered commit %q, expected 40 hex digits", repo, revision, info.SHA)
	}
	d := &DatasetRevision{Repo: repo, Revision: revision, Commit: info.SHA}
	for _, s := range info.Siblings {
		if !safeRelative(s.Name) || path.Clean(s.Name) != s.Name {
			return nil, fmt.Errorf("dataset %s@%s: file name %q leaves the repository folder", repo, revision, s.Name)
		}
		f := DatasetFile{Path: s.Name, Size: s.Size}
		if s.LFS != nil {
			f.SHA256, f.Size = s.LFS.SHA256, s.LFS.Size
		}
		d.Files = append(d.Files, f)
	}
	return d, nil
}

// datasetFileURL is a dataset file's download URL at a commit.
func (c *Client) datasetFileURL(repo, commit, name string) string {
	return fmt.Sprintf("%s/datasets/%s/resolve/%s/%s", c.Endpoint, repo, url.PathEscape(commit), name)
}

// datasetStatusError turns a hub error answer about a dataset into a message
// that says what to do. A gated repository answers 401 without a token and
// 403 with the token of an account that has not accepted its terms; the hub
// names the case in X-Error-Code (GatedRepo), but a 401 from a resolve URL
// sent without a token is taken as gated too, since the repository's listing
// was already public. A 401 to a request with a token that the hub does not
// call gated is a refused token (expired or mistyped).
func (c *Client) datasetStatusError(resp *http.Response, repo, revision, file string) error {
	code := resp.Header.Get("X-Error-Code")
	detail := resp.Header.Get("X-Error-Message")
	if detail == "" {
		detail = resp.Status
	}
	what := "dataset " + repo
	if file != "" {
		what += " file " + file
	}
	unauthorized := resp.StatusCode == http.StatusUnauthorized
	gated := code == "GatedRepo" || resp.StatusCode == http.StatusForbidden ||
		(file != "" && unauthorized && c.Token == "")
	switch {
	case unauthorized && c.Token != "" && code != "GatedRepo":
		return fmt.Errorf("%s: the hub refused the token sent (%s): check HF_TOKEN (or `huggingface-cli login`), or unset it for a public dataset", what, detail)
	case code == "RevisionNotFound":
		return fmt.Errorf("%s has no revision %q (%s): %w", what, revision, detail, ErrRevisionNotFound)
	case gated && c.Token == "":
		return fmt.Errorf("%s is gated (%s) and no token was sent: accept its terms at %s/datasets/%s, then set HF_TOKEN to a token of that account (or run `huggingface-cli login`): %w",
			what, detail, c.Endpoint, repo, ErrGated)
	case gated:
		return fmt.Errorf("%s is gated (%s) and the token sent was refused: accept the terms at %s/datasets/%s with the account whose token HF_TOKEN holds: %w",
			what, detail, c.Endpoint, repo, ErrGated)
	case code == "EntryNotFound" || (file != "" && resp.StatusCode == http.StatusNotFound):
		return fmt.Errorf("%s@%s: no such file (%s)", what, revision, detail)
	case code == "RepoNotFound" || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s not found on %s (%s): %w", what, c.Endpoint, detail, ErrRepoNotFound)
	}
	return fmt.Errorf("%s@%s: the hub answered %s for %s", what, revision, detail, resp.Request.URL)
}

// checkDatasetID rejects names that are not dataset repository ids.
func checkDatasetID(repo string) error {
	if !isRepoID(repo) {
		return fmt.Errorf("dataset %q is not a hub repository id like openslr/librispeech_asr", repo)
	}
	return nil
}
