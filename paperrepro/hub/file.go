package hub

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CachedFile returns the path of one file of a model repository at revision
// in the cache, never touching the network. The error wraps ErrNotCached
// when the cache lacks the revision or the file, and is a *DamagedError
// when the file's blob does not hold what its name says.
func (c *Client) CachedFile(repo, revision, name string) (string, error) {
	if err := checkRepoID(repo); err != nil {
		return "", err
	}
	folder := RepoFolder(c.CacheDir, repo)
	commit := revision
	if !isCommit(revision) {
		data, err := os.ReadFile(filepath.Join(folder, "refs", filepath.FromSlash(revision)))
		if err != nil {
			return "", fmt.Errorf("%s@%s: revision %w %s", repo, revision, ErrNotCached, c.CacheDir)
		}
		commit = strings.TrimSpace(string(data))
	}
	path := filepath.Join(folder, "snapshots", commit, filepath.FromSlash(name))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s@%s: %s %w %s", repo, revision, name, ErrNotCached, c.CacheDir)
	}
	if _, err := checkedSHA256(path); err != nil {
		return "", fmt.Errorf("%s@%s: %w; `%s` fetches it again", repo, revision, err, FetchCommand(repo, revision))
	}
	return path, nil
}

// FetchFile makes one file of a model repository at revision present in the
// cache (snapshots/<commit>/<name>, verified like Fetch's files) and returns
// its path: a tokenizer.json without the checkpoint's weights, for example.
// Offline, it is CachedFile.
func (c *Client) FetchFile(ctx context.Context, repo, revision, name string) (string, error) {
	if err := checkRepoID(repo); err != nil {
		return "", err
	}
	if revision == "" {
		revision = "main"
	}
	if c.Offline {
		path, err := c.CachedFile(repo, revision, name)
		if err != nil {
			return "", fmt.Errorf("HF_HUB_OFFLINE is set, so only the cache is used: %w (and unset HF_HUB_OFFLINE to download)", err)
		}
		return path, nil
	}
	info, err := c.revisionInfo(ctx, repo, revision)
	if err != nil {
		return "", c.withOfflineHelp(err, fmt.Sprintf("paperrepro fetch-data -modalities tokenizer (or %s)", FetchCommand(repo, revision)))
	}
	if !isCommit(info.SHA) {
		return "", fmt.Errorf("%s@%s: the hub answered commit %q, expected 40 hex digits", repo, revision, info.SHA)
	}
	for _, s := range info.Siblings {
		if s.Name != name {
			continue
		}
		folder := RepoFolder(c.CacheDir, repo)
		get := func(string) (string, error) { return c.fetchFile(ctx, repo, revision, info.SHA, folder, s) }
		if _, err := c.verified(ctx, repo, revision, s, get); err != nil {
			return "", err
		}
		path := filepath.Join(folder, "snapshots", info.SHA, filepath.FromSlash(name))
		if err := writeRef(folder, revision, info.SHA); err != nil {
			return "", fmt.Errorf("%s@%s: recording the revision in the cache: %w", repo, revision, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("%s@%s has no file %s", repo, revision, name)
}
