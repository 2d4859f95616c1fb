package hubtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// The fake hub also serves dataset repositories held in memory, under the
// hub's dataset URLs:
//
//	GET /api/datasets/{org}/{name}/revision/{rev}?blobs=true   JSON: sha, siblings with size and lfs.sha256 (public, as for gated repositories)
//	GET /datasets/{org}/{name}/resolve/{rev}/{path}            302 to /lfs-datasets/..., which serves the bytes with HTTP Range
//
// A gated dataset answers 401 (X-Error-Code GatedRepo) to a resolve request
// without its token, and 403 to one with another token.

type dataset struct {
	commit string
	files  map[string]*file
	token  string
	served map[string]int64 // path -> body bytes sent
}

// AddDataset serves files (path -> content) as dataset repository repo
// ("org/name") at revision main. Every file is stored as an LFS file.
func (s *Server) AddDataset(repo string, files map[string][]byte) {
	commit := sha1.Sum([]byte("dataset " + repo))
	s.mu.Lock()
	defer s.mu.Unlock()
	served := map[string]*file{}
	for name, data := range files {
		served[name] = newFile(name, data, true)
	}
	s.datasets[repo] = &dataset{commit: hex.EncodeToString(commit[:]), files: served, served: map[string]int64{}}
}

// GateDataset makes repo's files answer only requests carrying
// "Authorization: Bearer token", as a gated repository whose terms the
// token's account accepted.
func (s *Server) GateDataset(repo, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datasets[repo].token = token
}

// DatasetCommit returns the commit dataset repo's main resolves to.
func (s *Server) DatasetCommit(repo string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.datasets[repo].commit
}

// BytesServed returns how many bytes of dataset file path of repo have been
// sent so far, over all requests.
func (s *Server) BytesServed(repo, path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.datasets[repo].served[path]
}

// serveDataset answers the dataset URLs and reports whether r was one.
func (s *Server) serveDataset(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 6 && parts[0] == "api" && parts[1] == "datasets" && parts[4] == "revision":
		s.serveDatasetInfo(w, parts[2]+"/"+parts[3], parts[5])
	case len(parts) >= 6 && parts[0] == "datasets" && parts[3] == "resolve":
		s.serveDatasetFile(w, r, parts[1]+"/"+parts[2], parts[4], strings.Join(parts[5:], "/"), true)
	case len(parts) >= 5 && parts[0] == "lfs-datasets":
		s.serveDatasetFile(w, r, parts[1]+"/"+parts[2], parts[3], strings.Join(parts[4:], "/"), false)
	default:
		return false
	}
	return true
}

func (s *Server) lookupDataset(w http.ResponseWriter, repo, rev string) *dataset {
	s.mu.Lock()
	d := s.datasets[repo]
	s.mu.Unlock()
	if d == nil {
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository Not Found for url: datasets/"+repo)
		return nil
	}
	if rev != "main" && rev != d.commit {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return nil
	}
	return d
}

func (s *Server) serveDatasetInfo(w http.ResponseWriter, repo, rev string) {
	if d := s.lookupDataset(w, repo, rev); d != nil {
		writeRepoInfo(w, repo, d.commit, d.files)
	}
}

func (s *Server) serveDatasetFile(w http.ResponseWriter, r *http.Request, repo, rev, name string, resolve bool) {
	d := s.lookupDataset(w, repo, rev)
	if d == nil {
		return
	}
	if d.token != "" {
		switch auth := r.Header.Get("Authorization"); {
		case auth == "":
			hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to dataset "+repo+" is restricted. You must have access to it and be authenticated to access it. Please log in.")
			return
		case auth != "Bearer "+d.token:
			hubError(w, http.StatusForbidden, "GatedRepo", "Access to dataset "+repo+" is restricted and you are not in the authorized list.")
			return
		}
	}
	f, ok := d.files[name]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", name+" does not exist on "+rev)
		return
	}
	if resolve {
		w.Header().Set("X-Repo-Commit", d.commit)
		http.Redirect(w, r, "/lfs-datasets/"+repo+"/"+d.commit+"/"+name, http.StatusFound)
		return
	}
	counter := &countingWriter{ResponseWriter: w}
	http.ServeContent(counter, r, name, time.Time{}, bytes.NewReader(f.data))
	s.mu.Lock()
	d.served[name] += counter.n
	s.mu.Unlock()
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}
