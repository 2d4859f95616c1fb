package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Request describes one file to download.
type Request struct {
	// URL is where the file is fetched from.
	URL string
	// Dest is the final path. Partial data lives in Dest+".part" and is
	// resumed with an HTTP Range request by the next attempt.
	Dest string
	// SHA256 is the expected hex digest of the whole file. When non-empty it
	// is verified; on a mismatch the partial file is removed and File returns
	// an error naming the file and both sums. An existing Dest whose sum does
	// not match is downloaded again.
	SHA256 string
	// Header holds extra request headers, e.g. Authorization for HF_TOKEN.
	Header http.Header
	// Progress receives a progress bar; nil draws none.
	Progress io.Writer
}

// maxAttempts bounds how often one File call retries a transfer that broke
// off after making progress (a dropped connection on a multi-gigabyte file)
// or stalled. An attempt that fails otherwise before any byte is not retried
// here: the client's Policy already retried a request that got no answer.
const maxAttempts = 5

// File downloads req.URL to req.Dest. When req.Dest already exists (and
// matches req.SHA256 if given) it returns at once without touching the
// network. A nil client means DefaultClient(). A transfer that breaks off
// or stalls is resumed, up to maxAttempts tries in all. Cancelling ctx
// stops the transfer and keeps the partial file for a later resume. Calls
// for different Dest paths may run concurrently; two calls for the same
// Dest must not.
func File(ctx context.Context, client *http.Client, req Request) error {
	if client == nil {
		client = DefaultClient()
	}
	if req.URL == "" || req.Dest == "" {
		return fmt.Errorf("download: URL %q and Dest %q must both be set", req.URL, req.Dest)
	}
	want := strings.ToLower(req.SHA256)
	done, err := alreadyDone(req.Dest, want)
	if err != nil || done {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(req.Dest), 0o755); err != nil {
		return fmt.Errorf("download %s: %w", req.URL, err)
	}
	part := req.Dest + ".part"
	for attempt := 1; ; attempt++ {
		progressed, err := fetchOnce(ctx, client, req, part)
		if err == nil {
			break
		}
		if ctx.Err() != nil || !(progressed || errors.Is(err, ErrStalled)) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
	}
	if want != "" {
		got, err := FileSHA256(part)
		if err != nil {
			return fmt.Errorf("download %s: %w", req.URL, err)
		}
		if got != want {
			os.Remove(part)
			return fmt.Errorf("download %s to %s: sha256 %s, want %s (partial file removed; the server's file differs or the transfer was corrupted)", req.URL, req.Dest, got, want)
		}
	}
	if err := os.Rename(part, req.Dest); err != nil {
		return fmt.Errorf("download %s: %w", req.URL, err)
	}
	return nil
}

// alreadyDone reports whether dest exists and, when want is set, has that sum.
func alreadyDone(dest, want string) (bool, error) {
	if _, err := os.Stat(dest); errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("download: %w", err)
	}
	if want == "" {
		return true, nil
	}
	got, err := FileSHA256(dest)
	if err != nil {
		return false, fmt.Errorf("download: checking existing %s: %w", dest, err)
	}
	return got == want, nil
}

// fetchOnce makes one HTTP request, resuming from the size of part when it
// exists, and appends the response to part. progressed reports whether any
// bytes were written, so the caller knows a retry can get further.
func fetchOnce(ctx context.Context, client *http.Client, req Request, part string) (progressed bool, err error) {
	offset := int64(0)
	if info, err := os.Stat(part); err == nil {
		offset = info.Size()
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return false, fmt.Errorf("download %s: %w", req.URL, err)
	}
	for key, values := range req.Header {
		for _, v := range values {
			httpReq.Header.Add(key, v)
		}
	}
	if offset > 0 {
		httpReq.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return false, fmt.Errorf("download %s: %w", req.URL, err)
	}
	defer resp.Body.Close()

	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0:
		start, size, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || start != offset {
			return false, fmt.Errorf("download %s: asked for bytes from %d, server answered Content-Range %q", req.URL, offset, resp.Header.Get("Content-Range"))
		}
		total = size
	case resp.StatusCode == http.StatusOK:
		// The server ignored the Range header (or there was none): start over.
		offset = 0
		total = resp.ContentLength
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0:
		// The partial file may already hold everything; otherwise it is stale.
		if _, size, err := parseContentRange(resp.Header.Get("Content-Range")); err == nil && size == offset {
			return true, nil
		}
		os.Remove(part)
		return true, fmt.Errorf("download %s: server refused to resume at byte %d; partial file removed", req.URL, offset)
	default:
		return false, fmt.Errorf("download %s: HTTP %s", req.URL, resp.Status)
	}

	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if offset == 0 {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return false, fmt.Errorf("download %s: %w", req.URL, err)
	}
	var dst io.Writer = f
	if req.Progress != nil {
		bar := NewBar(req.Progress, filepath.Base(req.Dest), total)
		bar.Set64(offset)
		defer bar.Finish()
		dst = io.MultiWriter(f, bar)
	}
	n, copyErr := io.Copy(dst, resp.Body)
	closeErr := f.Close()
	switch {
	case copyErr != nil:
		return n > 0, fmt.Errorf("download %s: after %d bytes: %w (partial data kept in %s)", req.URL, offset+n, copyErr, part)
	case closeErr != nil:
		return n > 0, fmt.Errorf("download %s: %w", req.URL, closeErr)
	case total >= 0 && offset+n != total:
		return n > 0, fmt.Errorf("download %s: got %d of %d bytes (partial data kept in %s)", req.URL, offset+n, total, part)
	}
	return n > 0, nil
}

// NewBar returns a progress bar of transferred bytes, drawn on w, named name;
// total -1 means an unknown length. Every download in the project draws this
// one kind of bar.
func NewBar(w io.Writer, name string, total int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// parseContentRange reads "bytes START-END/SIZE" or "bytes */SIZE"; START is
// -1 in the second form and SIZE is -1 when the server sent "*".
func parseContentRange(v string) (start, size int64, err error) {
	spec, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: want bytes unit", v)
	}
	rng, sizeText, ok := strings.Cut(spec, "/")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: no size", v)
	}
	size = -1
	if sizeText != "*" {
		if size, err = strconv.ParseInt(sizeText, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("Content-Range %q: size: %w", v, err)
		}
	}
	if rng == "*" {
		return -1, size, nil
	}
	startText, _, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: no range", v)
	}
	if start, err = strconv.ParseInt(startText, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("Content-Range %q: start: %w", v, err)
	}
	return start, size, nil
}

// FileSHA256 returns the hex SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var h hash.Hash = sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
