package hub

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
	"github.com/paperrepro/paperrepro/paperrepro/internal/filesum"
)

// Errors a fetch wraps, for callers that branch on them.
var (
	// ErrRepoNotFound: the hub has no such repository, or it is private or
	// gated and the token does not give access.
	ErrRepoNotFound = errors.New("repository not found")
	// ErrRevisionNotFound: the repository has no such branch, tag or commit.
	ErrRevisionNotFound = errors.New("revision not found")
)

// repoInfo is the part of /api/models/{repo}/revision/{rev}?blobs=true that
// a fetch needs.
type repoInfo struct {
	SHA      string    `json:"sha"`
	Siblings []sibling `json:"siblings"`
}

type sibling struct {
	Name   string `json:"rfilename"`
	BlobID string `json:"blobId"`
	Size   int64  `json:"size"`
	LFS    *struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	} `json:"lfs"`
}

// Fetch returns the checkpoint of repo at revision, downloading into the
// cache whatever it lacks. Offline, it is Cached. When the hub cannot be
// reached at all, a checkpoint already in the cache is used with a warning.
func (c *Client) Fetch(ctx context.Context, repo, revision string) (*Checkpoint, error) {
	if err := checkRepoID(repo); err != nil {
		return nil, err
	}
	if revision == "" {
		revision = "main"
	}
	if c.Offline {
		ckpt, err := c.Cached(repo, revision)
		if err != nil {
			return nil, fmt.Errorf("HF_HUB_OFFLINE is set, so only the cache is used: %w (and unset HF_HUB_OFFLINE to download)", err)
		}
		return ckpt, nil
	}
	info, err := c.revisionInfo(ctx, repo, revision)
	if err != nil {
		var netErr *networkError
		if errors.As(err, &netErr) && ctx.Err() == nil {
			if ckpt, cacheErr := c.Cached(repo, revision); cacheErr == nil {
				c.warnf("hub unreachable (%v); using %s from the cache\n", netErr.err, ckpt.Name())
				return ckpt, nil
			}
		}
		return nil, c.withOfflineHelp(err, FetchCommand(repo, revision))
	}
	if !isCommit(info.SHA) {
		return nil, fmt.Errorf("%s@%s: the hub answered commit %q, expected 40 hex digits", repo, revision, info.SHA)
	}
	files := map[string]sibling{}
	for _, s := range info.Siblings {
		files[s.Name] = s
	}
	folder := RepoFolder(c.CacheDir, repo)
	get := func(name string) (string, error) {
		s, ok := files[name]
		if !ok {
			return "", fmt.Errorf("%s@%s has no file %s", repo, revision, name)
		}
		return c.fetchFile(ctx, repo, revision, info.SHA, folder, s)
	}
	has := func(name string) bool { _, ok := files[name]; return ok }
	if _, err := get(configFile); err != nil {
		return nil, err
	}
	if has(tokenizerFile) {
		if _, err := get(tokenizerFile); err != nil {
			return nil, err
		}
	}
	readIndex := func(name string) ([]byte, error) {
		path, err := get(name)
		if err != nil {
			return nil, err
		}
		return os.ReadFile(path)
	}
	weights, err := chooseWeights(has, readIndex)
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", repo, revision, err)
	}
	ckpt := &Checkpoint{Repo: repo, Revision: revision, Commit: info.SHA, Dir: filepath.Join(folder, "snapshots", info.SHA)}
	for _, name := range weights {
		sum, err := c.verified(ctx, repo, revision, files[name], get)
		if err != nil {
			return nil, err
		}
		ckpt.Weights = append(ckpt.Weights, WeightsFile{Name: name, SHA256: sum})
	}
	ckpt.WeightsSHA256 = weightsDigest(ckpt.Weights)
	if ckpt.ConfigSHA256, err = c.verified(ctx, repo, revision, files[configFile], get); err != nil {
		return nil, err
	}
	if err := writeRef(folder, revision, info.SHA); err != nil {
		return nil, fmt.Errorf("%s@%s: recording the revision in the cache: %w", repo, revision, err)
	}
	return ckpt, nil
}

// verified returns the sha256 of the bytes of file s of the snapshot (which
// get makes present), checked against the blob it links to and against
// the hub's LFS sha256. A damaged blob (a byte flipped on disk, a file
// copied in from elsewhere) is removed and fetched again, once.
func (c *Client) verified(ctx context.Context, repo, revision string, s sibling, get func(string) (string, error)) (string, error) {
	check := func() (string, string, error) {
		path, err := get(s.Name)
		if err != nil {
			return "", "", err
		}
		sum, err := checkedSHA256(path)
		if err == nil && s.LFS != nil && sum != s.LFS.SHA256 {
			err = fmt.Errorf("%s holds bytes of sha256 %s, but the hub lists %s for %s at this commit", path, sum, s.LFS.SHA256, s.Name)
		}
		return path, sum, err
	}
	path, sum, err := check()
	if path == "" || err == nil || ctx.Err() != nil {
		return sum, err
	}
	c.warnf("%s@%s: %v; fetching it again\n", repo, revision, err)
	if target, linkErr := filepath.EvalSymlinks(path); linkErr == nil {
		if err := os.Remove(target); err != nil {
			return "", fmt.Errorf("%s@%s: removing the damaged %s: %w", repo, revision, target, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s@%s: removing the damaged %s: %w", repo, revision, path, err)
	}
	if _, sum, err = check(); err != nil {
		return "", fmt.Errorf("%s@%s: %s: %w", repo, revision, s.Name, err)
	}
	return sum, nil
}

// fetchFile makes snapshots/<commit>/<name> present and returns its path.
// A snapshot file is addressed by commit, so one that exists is the right
// one; otherwise the file's etag (its blob name) comes from a HEAD on its
// resolve URL, and the blob is downloaded unless another snapshot already
// brought it.
func (c *Client) fetchFile(ctx context.Context, repo, revision, commit, folder string, s sibling) (string, error) {
	if !safeRelative(s.Name) {
		return "", fmt.Errorf("%s@%s: file name %q leaves the repository folder", repo, revision, s.Name)
	}
	snapshot := filepath.Join(folder, "snapshots", commit, filepath.FromSlash(s.Name))
	if _, err := os.Stat(snapshot); err == nil {
		return snapshot, nil
	}
	fileURL := c.resolveURL(repo, commit, s.Name)
	etag, err := c.etag(ctx, repo, revision, s.Name, fileURL)
	if err != nil {
		return "", err
	}
	if etag == "" || strings.ContainsAny(etag, `/\`) || etag == "." || etag == ".." {
		switch {
		case s.LFS != nil && isSHA256(s.LFS.SHA256):
			etag = s.LFS.SHA256
		case isCommit(s.BlobID):
			etag = s.BlobID
		default:
			return "", fmt.Errorf("%s@%s: %s: the hub gave no usable ETag (%q) to name the cached file", repo, revision, s.Name, etag)
		}
	}
	blob := filepath.Join(folder, "blobs", etag)
	if _, err := os.Stat(blob); err != nil {
		if err := c.download(ctx, fileURL, blob, s); err != nil {
			return "", fmt.Errorf("%s@%s: %s: %w", repo, revision, s.Name, err)
		}
	}
	if err := linkSnapshot(folder, commit, s.Name, etag); err != nil {
		return "", fmt.Errorf("%s@%s: %s: %w", repo, revision, s.Name, err)
	}
	return snapshot, nil
}

// download transfers one file into its blob path and verifies it: LFS files
// by their sha256 (during the transfer), small git files by their git blob
// sha1 (after it; a mismatch removes the file).
func (c *Client) download(ctx context.Context, fileURL, blob string, s sibling) error {
	req := download.Request{URL: fileURL, Dest: blob, Header: c.authHeader(), Progress: c.Progress}
	if s.LFS != nil {
		if !isSHA256(s.LFS.SHA256) {
			return fmt.Errorf("the hub's LFS metadata has sha256 %q, expected 64 hex digits", s.LFS.SHA256)
		}
		req.SHA256 = s.LFS.SHA256
	}
	if err := download.File(ctx, c.httpClient(), req); err != nil {
		return err
	}
	if req.SHA256 != "" {
		// download.File checked the bytes against this sum.
		_ = filesum.Remember(blob, req.SHA256)
	}
	if s.LFS == nil && isCommit(s.BlobID) {
		got, err := gitBlobSHA1(blob)
		if err != nil {
			return err
		}
		if got != s.BlobID {
			os.Remove(blob)
			return fmt.Errorf("downloaded file has git blob sha1 %s, the hub lists %s (removed; run again)", got, s.BlobID)
		}
	}
	return nil
}

// gitBlobSHA1 is the id git gives a file's contents: sha1("blob <size>\0" + data).
func gitBlobSHA1(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// resolveURL is a file's download URL at a commit.
func (c *Client) resolveURL(repo, commit, name string) string {
	return fmt.Sprintf("%s/%s/resolve/%s/%s", c.Endpoint, repo, url.PathEscape(commit), name)
}

// revisionInfo asks the hub's API which commit a model repository's
// revision is and which files it holds, with their LFS metadata.
func (c *Client) revisionInfo(ctx context.Context, repo, revision string) (*repoInfo, error) {
	return c.askRevision(ctx, "models", repo, revision, repo, func(resp *http.Response) error {
		return c.statusError(resp, repo, revision, "")
	})
}

// askRevision asks the hub's API about a revision of a repository of kind
// ("models" or "datasets"); what names the repository in errors, and
// statusError explains an answer other than 200.
func (c *Client) askRevision(ctx context.Context, kind, repo, revision, what string, statusError func(*http.Response) error) (*repoInfo, error) {
	apiURL := fmt.Sprintf("%s/api/%s/%s/revision/%s?blobs=true", c.Endpoint, kind, repo, url.PathEscape(revision))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", what, revision, err)
	}
	req.Header = c.authHeader()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, &networkError{fmt.Sprintf("%s@%s: asking %s", what, revision, apiURL), err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	var info repoInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("%s@%s: reading the hub's answer from %s: %w", what, revision, apiURL, err)
	}
	return &info, nil
}

// etag asks a file's resolve URL, without following its redirect, for the
// etag that names its blob in the cache (X-Linked-Etag for LFS files, ETag
// otherwise) - what huggingface_hub names it by.
func (c *Client) etag(ctx context.Context, repo, revision, name, fileURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, fileURL, nil)
	if err != nil {
		return "", err
	}
	req.Header = c.authHeader()
	req.Header.Set("Accept-Encoding", "identity")
	noRedirect := *c.httpClient()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", &networkError{fmt.Sprintf("%s@%s: asking %s", repo, revision, fileURL), err}
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return "", c.statusError(resp, repo, revision, name)
	}
	etag := resp.Header.Get("X-Linked-Etag")
	if etag == "" {
		etag = resp.Header.Get("ETag")
	}
	return strings.Trim(strings.TrimPrefix(etag, "W/"), `"`), nil
}

// statusError turns a hub error answer into a message that says what to do.
// The hub tells which thing was missing in X-Error-Code; it answers 401 for a
// repository that does not exist, so as not to reveal private ones.
func (c *Client) statusError(resp *http.Response, repo, revision, file string) error {
	code := resp.Header.Get("X-Error-Code")
	detail := resp.Header.Get("X-Error-Message")
	if detail == "" {
		detail = resp.Status
	}
	switch {
	case code == "RevisionNotFound":
		return fmt.Errorf("%s has no revision %q (%s): check the spelling; Pythia's are step0, step1, step2, step4, ..., step512, step1000, step2000, ..., step143000, listed at %s/%s/tree/main: %w",
			repo, revision, detail, c.Endpoint, repo, ErrRevisionNotFound)
	case code == "EntryNotFound" || (file != "" && resp.StatusCode == http.StatusNotFound):
		return fmt.Errorf("%s@%s has no file %s (%s)", repo, revision, file, detail)
	case code == "GatedRepo" || (resp.StatusCode == http.StatusForbidden):
		return fmt.Errorf("%s is gated or forbidden (%s): accept its terms at %s/%s and set HF_TOKEN to a token of that account", repo, detail, c.Endpoint, repo)
	case code == "RepoNotFound" || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
		hint := "set HF_TOKEN if it is private"
		if c.Token != "" {
			hint = "HF_TOKEN is set, so the token may lack access"
		}
		return fmt.Errorf("%s not found on %s (%s): check the name (Pythia's are EleutherAI/pythia-70m, -160m, -410m, -1b, -1.4b); %s: %w",
			repo, c.Endpoint, detail, hint, ErrRepoNotFound)
	}
	return fmt.Errorf("%s@%s: the hub answered %s for %s", repo, revision, detail, resp.Request.URL)
}

func (c *Client) warnf(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, "hub: "+format, args...)
	}
}

// networkError marks a failure to reach the hub at all, as opposed to an
// answer from it; only these fall back to the cache.
type networkError struct {
	what string
	err  error
}

func (e *networkError) Error() string { return e.what + ": " + e.err.Error() }
func (e *networkError) Unwrap() error { return e.err }

// withOfflineHelp adds to an error from a hub that could not be reached
// what the user can do about it; command is what fetches the missing files
// on a machine with a network.
func (c *Client) withOfflineHelp(err error, command string) error {
	var unreachable *download.UnreachableError
	if !errors.As(err, &unreachable) {
		return err
	}
	return fmt.Errorf("%w\n%s", err, c.OfflineHelp(command))
}

// OfflineHelp says what to do when the hub cannot be reached: use a
// mirror, or bring a Hugging Face cache from a machine with a network
// (where command fetches what is needed) and stay offline.
func (c *Client) OfflineHelp(command string) string {
	return fmt.Sprintf(`The hub at %s cannot be reached from this machine. Either:
  - set HF_ENDPOINT to a mirror of the hub this machine can reach, or
  - on a machine with a network run %s, copy its Hugging Face cache
    (~/.cache/huggingface/hub there, or $HF_HUB_CACHE) to %s here,
    and run again with HF_HUB_OFFLINE=1.`, c.Endpoint, command, c.CacheDir)
}
