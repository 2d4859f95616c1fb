package hubtest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
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
	files  map[string][]byte
	token  string
	served map[string]int64 // path -> body bytes sent
}

// AddDataset serves files (path -> content) as dataset repository repo
// ("org/name") at revision main. Every file is stored as an LFS file.
func (s *Server) AddDataset(repo string, files map[string][]byte) {
	commit := sha1.Sum([]byte("dataset " + repo))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datasets[repo] = &dataset{commit: hex.EncodeToString(commit[:]), files: files, served: map[string]int64{}}
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
	d := s.lookupDataset(w, repo, rev)
	if d == nil {
		return
	}
	type lfsInfo struct {
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	}
	type sibling struct {
		Name   string   `json:"rfilename"`
		BlobID string   `json:"blobId"`
		Size   int      `json:"size"`
		LFS    *lfsInfo `json:"lfs"`
	}
	var siblings []sibling
	for name, data := range d.files {
		sum := sha256.Sum256(data)
		git := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(data), data)))
		siblings = append(siblings, sibling{Name: name, BlobID: hex.EncodeToString(git[:]), Size: len(data),
			LFS: &lfsInfo{SHA256: hex.EncodeToString(sum[:]), Size: len(data)}})
	}
	sort.Slice(siblings, func(i, j int) bool { return siblings[i].Name < siblings[j].Name })
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": repo, "sha": d.commit, "siblings": siblings})
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
	data, ok := d.files[name]
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
	http.ServeContent(counter, r, name, time.Time{}, bytes.NewReader(data))
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
