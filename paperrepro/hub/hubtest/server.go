// Package hubtest is a fake Hugging Face hub for tests: an httptest server
// that serves checkpoint folders from disk under the hub's URL layout, so the
// real hub client (and everything above it) runs unchanged against it.
//
// The folder it serves holds <model>/<revision>/<files>, e.g.
// ../shared/fixtures/pythia-tiny/pythia-tiny-16/step1000/config.json, and
// appears as repository <org>/<model> at branch <revision>. It answers like
// the hub does:
//
//	GET  /api/models/{org}/{model}/revision/{rev}?blobs=true   JSON: sha (commit), siblings with blobId, size, lfs.sha256
//	HEAD /{org}/{model}/resolve/{rev}/{file}                   X-Repo-Commit, ETag; LFS files: 302 with X-Linked-Etag (sha256), X-Linked-Size
//	GET  /{org}/{model}/resolve/{rev}/{file}                   the bytes (LFS files by redirect to /lfs/...), HTTP Range honoured
//
// Unknown repositories answer 401 with X-Error-Code RepoNotFound, unknown
// revisions 404 RevisionNotFound, unknown files 404 EntryNotFound. Faults can
// be injected per file (a cut connection, corrupted bytes) and every request
// is logged for assertions.
package hubtest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running fake hub.
type Server struct {
	*httptest.Server
	// Org is the organisation every served model belongs to.
	Org string

	repos map[string]map[string]*revision // model -> revision name -> revision

	datasets map[string]*dataset // "org/name" -> dataset repository (datasets.go)

	mu       sync.Mutex
	token    string
	faults   map[string]*Fault
	requests []Request
}

// Request is one logged request.
type Request struct {
	Method, Path, Range, Authorization string
}

// Fault changes how one file's bytes are served.
type Fault struct {
	// CutAfter > 0 sends only that many bytes of a full (non-Range) GET, then
	// drops the connection - an interrupted download.
	CutAfter int64
	// CutTimes is how many GETs are cut; 0 means every one.
	CutTimes int
	// Corrupt flips one byte in the middle of everything served, while the
	// metadata keeps the true sha256.
	Corrupt bool

	cuts int
}

type revision struct {
	commit string
	files  map[string]*file
}

// file is a served file with the hashes the hub reports for it.
type file struct {
	name    string
	data    []byte
	sha256  string
	gitSHA1 string
	lfs     bool
}

func newFile(name string, data []byte, lfs bool) *file {
	sum := sha256.Sum256(data)
	git := sha1.New()
	fmt.Fprintf(git, "blob %d\x00", len(data))
	git.Write(data)
	return &file{name: name, data: data, sha256: hex.EncodeToString(sum[:]), gitSHA1: hex.EncodeToString(git.Sum(nil)), lfs: lfs}
}

// writeRepoInfo answers an info request (/api/models/... or
// /api/datasets/...) for repository id at commit with its files, as the
// hub's "siblings", sorted by name.
func writeRepoInfo(w http.ResponseWriter, id, commit string, files map[string]*file) {
	type lfsInfo struct {
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	}
	type sibling struct {
		Name   string   `json:"rfilename"`
		BlobID string   `json:"blobId"`
		Size   int      `json:"size"`
		LFS    *lfsInfo `json:"lfs,omitempty"`
	}
	var siblings []sibling
	for _, f := range files {
		sib := sibling{Name: f.name, BlobID: f.gitSHA1, Size: len(f.data)}
		if f.lfs {
			sib.LFS = &lfsInfo{SHA256: f.sha256, Size: len(f.data)}
		}
		siblings = append(siblings, sib)
	}
	sort.Slice(siblings, func(i, j int) bool { return siblings[i].Name < siblings[j].Name })
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": id, "sha": commit, "siblings": siblings})
}

// Start serves root's <model>/<revision>/ folders as repositories <org>/<model>
// until the test ends.
func Start(t testing.TB, root, org string) *Server {
	t.Helper()
	s, err := New(root, org)
	if err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New serves root like Start; the caller closes the server.
func New(root, org string) (*Server, error) {
	s := &Server{Org: org, repos: map[string]map[string]*revision{}, datasets: map[string]*dataset{}, faults: map[string]*Fault{}}
	models, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading fake hub root %s: %w", root, err)
	}
	for _, m := range models {
		if !m.IsDir() {
			continue
		}
		revs, err := os.ReadDir(filepath.Join(root, m.Name()))
		if err != nil {
			return nil, err
		}
		for _, r := range revs {
			if !r.IsDir() {
				continue
			}
			rev, err := loadRevision(filepath.Join(root, m.Name(), r.Name()), org+"/"+m.Name()+"@"+r.Name())
			if err != nil {
				return nil, err
			}
			if s.repos[m.Name()] == nil {
				s.repos[m.Name()] = map[string]*revision{}
			}
			s.repos[m.Name()][r.Name()] = rev
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

func loadRevision(dir, id string) (*revision, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	commit := sha1.Sum([]byte(id))
	rev := &revision{commit: hex.EncodeToString(commit[:]), files: map[string]*file{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		rev.files[e.Name()] = newFile(e.Name(), data, isLFS(e.Name()))
	}
	return rev, nil
}

// isLFS follows the .gitattributes the hub gives new repositories: weights go
// to LFS, small text files stay in git.
func isLFS(name string) bool {
	for _, ext := range []string{".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".onnx"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// RequireToken makes every request without "Authorization: Bearer token"
// answer 401, as a private repository does.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetFault injects a fault into how model's file at revision is served.
func (s *Server) SetFault(model, rev, name string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[model+"/"+rev+"/"+name] = &f
}

// Commit returns the commit a model's revision resolves to.
func (s *Server) Commit(model, rev string) string {
	return s.repos[model][rev].commit
}

// SHA256 returns the sha256 of a served file.
func (s *Server) SHA256(model, rev, name string) string {
	return s.repos[model][rev].files[name].sha256
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// LFSDownloads counts the GETs of LFS files' bytes (the weights) served so far.
func (s *Server) LFSDownloads() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/lfs/") {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Range: r.Header.Get("Range"), Authorization: r.Header.Get("Authorization")})
	token := s.token
	s.mu.Unlock()
	if s.serveDataset(w, r) {
		return
	}
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository not found")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 6 && parts[0] == "api" && parts[1] == "models" && parts[4] == "revision" && r.Method == http.MethodGet:
		s.serveInfo(w, parts[2], parts[3], parts[5])
	case len(parts) >= 5 && parts[2] == "resolve":
		s.serveResolve(w, r, parts[0], parts[1], parts[3], strings.Join(parts[4:], "/"))
	case len(parts) == 4 && parts[0] == "lfs":
		s.serveBytes(w, r, parts[1], parts[2], parts[3])
	default:
		http.NotFound(w, r)
	}
}

// lookup finds a revision by branch name or by commit.
func (s *Server) lookup(w http.ResponseWriter, org, model, rev string) (string, *revision) {
	revs, ok := s.repos[model]
	if org != s.Org || !ok {
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository Not Found for url: "+org+"/"+model)
		return "", nil
	}
	if found, ok := revs[rev]; ok {
		return rev, found
	}
	for name, found := range revs {
		if found.commit == rev {
			return name, found
		}
	}
	hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
	return "", nil
}

func (s *Server) serveInfo(w http.ResponseWriter, org, model, rev string) {
	if _, found := s.lookup(w, org, model, rev); found != nil {
		writeRepoInfo(w, org+"/"+model, found.commit, found.files)
	}
}

func (s *Server) serveResolve(w http.ResponseWriter, r *http.Request, org, model, rev, name string) {
	revName, found := s.lookup(w, org, model, rev)
	if found == nil {
		return
	}
	f, ok := found.files[name]
	if !ok {
		w.Header().Set("X-Repo-Commit", found.commit)
		hubError(w, http.StatusNotFound, "EntryNotFound", name+" does not exist on "+rev)
		return
	}
	w.Header().Set("X-Repo-Commit", found.commit)
	if f.lfs {
		w.Header().Set("X-Linked-Etag", `"`+f.sha256+`"`)
		w.Header().Set("X-Linked-Size", fmt.Sprint(len(f.data)))
		w.Header().Set("ETag", `"`+f.gitSHA1+`"`)
		http.Redirect(w, r, "/lfs/"+model+"/"+revName+"/"+name, http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+f.gitSHA1+`"`)
	s.serveBytes(w, r, model, revName, name)
}

// serveBytes serves a file's content with Range support, applying its fault.
func (s *Server) serveBytes(w http.ResponseWriter, r *http.Request, model, rev, name string) {
	revs, ok := s.repos[model]
	if !ok || revs[rev] == nil || revs[rev].files[name] == nil {
		http.NotFound(w, r)
		return
	}
	data := revs[rev].files[name].data
	s.mu.Lock()
	fault := s.faults[model+"/"+rev+"/"+name]
	cut := int64(0)
	if fault != nil {
		if fault.Corrupt {
			data = bytes.Clone(data)
			data[len(data)/2] ^= 0xff
		}
		if fault.CutAfter > 0 && r.Header.Get("Range") == "" && r.Method == http.MethodGet &&
			(fault.CutTimes == 0 || fault.cuts < fault.CutTimes) {
			fault.cuts++
			cut = fault.CutAfter
		}
	}
	s.mu.Unlock()
	if cut > 0 && cut < int64(len(data)) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

func hubError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", message)
	http.Error(w, message, status)
}
