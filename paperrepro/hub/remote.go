package hub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// RemoteFile reads byte ranges of one dataset file on the hub with HTTP Range
// requests, so that a reader of a large file (a parquet shard of several
// hundred megabytes) transfers only the parts it needs.
type RemoteFile struct {
	client *Client
	ctx    context.Context
	repo   string
	commit string
	file   DatasetFile
	url    string
	// received counts the body bytes transferred so far.
	received atomic.Int64
}

// OpenDatasetFile returns a RemoteFile for file of the dataset repository
// repo at commit (a DatasetRevision's Commit, so that every range comes from
// the same version). Nothing is transferred until a range is read.
func (c *Client) OpenDatasetFile(ctx context.Context, repo, commit string, file DatasetFile) (*RemoteFile, error) {
	if !isCommit(commit) {
		return nil, fmt.Errorf("dataset %s file %s: read it at a commit (40 hex digits), not %q", repo, file.Path, commit)
	}
	if c.Offline {
		return nil, fmt.Errorf("dataset %s: HF_HUB_OFFLINE is set; unset it to read %s", repo, file.Path)
	}
	return &RemoteFile{client: c, ctx: ctx, repo: repo, commit: commit, file: file, url: c.datasetFileURL(repo, commit, file.Path)}, nil
}

// Size is the file's size as the hub lists it.
func (r *RemoteFile) Size() int64 { return r.file.Size }

// Received is the number of bytes transferred so far by this RemoteFile.
func (r *RemoteFile) Received() int64 { return r.received.Load() }

// ReadAt implements io.ReaderAt with one range request per call.
func (r *RemoteFile) ReadAt(p []byte, off int64) (int, error) {
	data, err := r.ReadRange(off, int64(len(p)), nil)
	n := copy(p, data)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// maxRangeAttempts bounds how often one ReadRange resumes a transfer that
// broke off after making progress.
const maxRangeAttempts = 5

// ReadRange returns bytes [off, off+n) of the file (fewer at its end),
// resuming a transfer that breaks off. progress, when not nil, is written
// one byte count per chunk received (a progress bar is an io.Writer).
func (r *RemoteFile) ReadRange(off, n int64, progress io.Writer) ([]byte, error) {
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("dataset %s file %s: range at %d of %d bytes", r.repo, r.file.Path, off, n)
	}
	end := min(off+n, r.file.Size)
	if off >= end {
		return nil, nil
	}
	out := make([]byte, 0, end-off)
	for attempt := 1; ; attempt++ {
		got, err := r.fetch(off+int64(len(out)), end, progress)
		out = append(out, got...)
		if err == nil {
			return out, nil
		}
		if r.ctx.Err() != nil || len(got) == 0 || attempt == maxRangeAttempts {
			return out, err
		}
	}
}

// fetch makes one request for bytes [from, to) and returns what arrived.
func (r *RemoteFile) fetch(from, to int64, progress io.Writer) ([]byte, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header = r.client.authHeader()
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to-1))
	resp, err := r.client.httpClient().Do(req)
	if err != nil {
		return nil, &networkError{fmt.Sprintf("dataset %s file %s: bytes %d-%d", r.repo, r.file.Path, from, to-1), err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, r.client.datasetStatusError(resp, r.repo, r.commit, r.file.Path)
	}
	if resp.StatusCode != http.StatusPartialContent {
		return nil, fmt.Errorf("dataset %s file %s: asked for bytes %d-%d, the server answered %s instead of a partial content",
			r.repo, r.file.Path, from, to-1, resp.Status)
	}
	if start, err := contentRangeStart(resp.Header.Get("Content-Range")); err != nil || start != from {
		return nil, fmt.Errorf("dataset %s file %s: asked for bytes from %d, the server answered Content-Range %q",
			r.repo, r.file.Path, from, resp.Header.Get("Content-Range"))
	}
	buf := make([]byte, 0, to-from)
	chunk := make([]byte, 64<<10)
	for int64(len(buf)) < to-from {
		k, err := resp.Body.Read(chunk[:min(int64(len(chunk)), to-from-int64(len(buf)))])
		buf = append(buf, chunk[:k]...)
		r.received.Add(int64(k))
		if progress != nil && k > 0 {
			progress.Write(chunk[:k])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, fmt.Errorf("dataset %s file %s: after %d of %d bytes from %d: %w", r.repo, r.file.Path, len(buf), to-from, from, err)
		}
	}
	if int64(len(buf)) != to-from {
		return buf, fmt.Errorf("dataset %s file %s: got %d of %d bytes from %d", r.repo, r.file.Path, len(buf), to-from, from)
	}
	return buf, nil
}

// contentRangeStart reads START from "bytes START-END/SIZE".
func contentRangeStart(v string) (int64, error) {
	spec, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, fmt.Errorf("Content-Range %q: want bytes unit", v)
	}
	start, _, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, fmt.Errorf("Content-Range %q: no range", v)
	}
	return strconv.ParseInt(start, 10, 64)
}
