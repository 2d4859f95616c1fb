package hub

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// ErrNotCached is returned (wrapped) when a checkpoint is needed from the
// cache alone and the cache lacks it.
var ErrNotCached = errors.New("not in the hub cache")

// RepoFolder is the cache folder of a model repository:
// <cache>/models--ORG--NAME.
func RepoFolder(cacheDir, repo string) string {
	return filepath.Join(cacheDir, "models--"+strings.ReplaceAll(repo, "/", "--"))
}

// FetchCommand is the command line that downloads a checkpoint, for messages
// that tell a user how to get what is missing.
func FetchCommand(repo, revision string) string {
	return fmt.Sprintf("go run ./paperrepro/cmd/paperrepro fetch -models %s -steps %s", repo, revision)
}

// Cached returns a checkpoint from the cache alone, never touching the
// network. The error wraps ErrNotCached when the revision, its config or its
// weights are missing, and says how to fetch them.
func (c *Client) Cached(repo, revision string) (*Checkpoint, error) {
	if err := checkRepoID(repo); err != nil {
		return nil, err
	}
	folder := RepoFolder(c.CacheDir, repo)
	missing := func(what string) error {
		return fmt.Errorf("%s@%s: %s %w %s; fetch it with `%s`", repo, revision, what, ErrNotCached, c.CacheDir,
			FetchCommand(repo, revision))
	}
	commit := revision
	if !isCommit(revision) {
		data, err := os.ReadFile(filepath.Join(folder, "refs", filepath.FromSlash(revision)))
		if err != nil {
			return nil, missing("revision")
		}
		commit = strings.TrimSpace(string(data))
	}
	dir := filepath.Join(folder, "snapshots", commit)
	if _, err := os.Stat(filepath.Join(dir, configFile)); err != nil {
		return nil, missing(configFile)
	}
	ckpt, err := describeDir(&Checkpoint{Repo: repo, Revision: revision, Commit: commit, Dir: dir})
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		return nil, fmt.Errorf("%s@%s: %w; `%s` fetches it again", repo, revision, err, FetchCommand(repo, revision))
	}
	if err != nil {
		return nil, missing("weights (" + err.Error() + ")")
	}
	return ckpt, nil
}

// writeRef records which commit a revision pointed to, as huggingface_hub
// does, so offline lookups by revision name work for both.
func writeRef(folder, revision, commit string) error {
	if revision == commit {
		return nil
	}
	path := filepath.Join(folder, "refs", filepath.FromSlash(revision))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, []byte(commit), 0o644)
}

// linkSnapshot points snapshots/<commit>/<name> at blobs/<etag> with a
// relative symlink, the layout huggingface_hub uses.
func linkSnapshot(folder, commit, name, etag string) error {
	link := filepath.Join(folder, "snapshots", commit, filepath.FromSlash(name))
	blob := filepath.Join(folder, "blobs", etag)
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	target, err := filepath.Rel(filepath.Dir(link), blob)
	if err != nil {
		return err
	}
	tmp := link + ".tmp-link"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("linking %s to %s: %w", link, blob, err)
	}
	return os.Rename(tmp, link)
}

// checkRepoID rejects names that are not model repository ids.
func checkRepoID(repo string) error {
	if !isRepoID(repo) {
		return fmt.Errorf("model %q is not a hub repository id like EleutherAI/pythia-70m (for a checkpoint on disk use --model-dir)", repo)
	}
	return nil
}

// isRepoID reports whether repo is a hub repository id: owner/name, each
// part a plain folder name.
func isRepoID(repo string) bool {
	parts := strings.Split(repo, "/")
	if len(parts) != 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, " \\") {
			return false
		}
	}
	return true
}
