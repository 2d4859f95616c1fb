package datasets

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

// Enwik8URL is the Hutter Prize's official enwik8 archive.
const Enwik8URL = "http://mattmahoney.net/dc/enwik8.zip"

// FetchOptions tunes Fetch. The zero value downloads from the canonical
// places with the published checksums, enough for the paper's 2048 chunks,
// silently.
type FetchOptions struct {
	// URL replaces enwik8's canonical URL (a mirror, or a test server).
	URL string
	// SHA256 is an expected sha256 of the downloaded enwik8.zip (none by
	// default: the extracted file's md5 is what enwik8 publishes).
	SHA256 string
	// MD5 replaces the expected md5 of the extracted enwik8 (Enwik8MD5).
	MD5 string
	// Client makes enwik8's request; nil means download.DefaultClient()
	// (download.DefaultPolicy's timeouts and retries, as the hub client's).
	Client *http.Client
	// Hub reads the speech and image splits; nil means hub.NewFromEnv()
	// (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE).
	Hub *hub.Client
	// ChunkSize and Count size the speech and image fetches: enough
	// examples for Count chunks of ChunkSize bytes (0: the defaults).
	ChunkSize, Count int
	// Progress receives download progress bars; nil draws none.
	Progress io.Writer
	// Log receives a line per step (downloading, extracting); nil discards.
	Log io.Writer
	// KeepArchive keeps the downloaded enwik8.zip after extracting it.
	KeepArchive bool
}

// Fetch downloads a modality's data into dataDir, laid out as Open expects,
// and returns the path Open will read. Text is enwik8 (the official zip,
// 36 MB, md5 checked). Speech and image are the first examples of the hub
// splits the paper streamed (LibriSpeechTrain100, ImageNetValidation), read
// with FetchSplit: only the parquet row groups the chunks need. ImageNet is
// gated: without a token of an account that accepted its terms the error
// says how to get one, or how to download the images by hand. Data already
// in place is not downloaded again; an interrupted download resumes.
func Fetch(ctx context.Context, modality, dataDir string, opts FetchOptions) (string, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if modality == Text {
		return fetchEnwik8(ctx, dataDir, opts)
	}
	split, ok := hubSplitFor(modality)
	if !ok {
		return "", fmt.Errorf("datasets: unknown modality %q (want text, image or speech)", modality)
	}
	client := opts.Hub
	if client == nil {
		client = hub.NewFromEnv()
		client.Progress = opts.Progress
	}
	return FetchSplit(ctx, client, split, dataDir, SplitFetchOptions{
		ChunkSize: opts.ChunkSize, Count: opts.Count, Progress: opts.Progress, Log: opts.Log,
	})
}

// fetchEnwik8 downloads enwik8.zip, extracts enwik8 checking its md5, and
// removes the archive.
func fetchEnwik8(ctx context.Context, dataDir string, opts FetchOptions) (string, error) {
	url, wantMD5 := or(opts.URL, Enwik8URL), or(opts.MD5, Enwik8MD5)
	dir := filepath.Join(dataDir, "enwik8")
	final := filepath.Join(dir, "enwik8")
	if _, err := os.Stat(final); err == nil {
		got, err := fileMD5(final)
		if err != nil {
			return "", fmt.Errorf("fetch text: %w", err)
		}
		if got != wantMD5 {
			return "", fmt.Errorf("fetch text: %s exists with md5 %s, want %s; remove it to download enwik8 again", final, got, wantMD5)
		}
		return final, nil
	}
	archive := filepath.Join(dir, "enwik8.zip")
	fmt.Fprintf(opts.Log, "downloading %s to %s\n", url, archive)
	req := download.Request{URL: url, Dest: archive, SHA256: opts.SHA256, Progress: opts.Progress}
	if err := download.File(ctx, opts.Client, req); err != nil {
		return "", fmt.Errorf("fetch text: %w", err)
	}
	fmt.Fprintf(opts.Log, "extracting %s\n", final)
	if err := extractEnwik8(archive, final, wantMD5); err != nil {
		// A bad archive would fail again: remove it so the next try downloads anew.
		os.Remove(archive)
		return "", fmt.Errorf("fetch text: %s: %w (archive removed)", archive, err)
	}
	if !opts.KeepArchive {
		os.Remove(archive)
	}
	return final, nil
}

// extractEnwik8 copies the member enwik8 of the zip archive to dest,
// through a temporary file, when its md5 is wantMD5.
func extractEnwik8(archive, dest, wantMD5 string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	member, _, err := zipMember(f, info.Size())
	if err != nil {
		return err
	}
	defer member.Close()
	tmp := dest + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	sum := md5.New()
	_, copyErr := io.Copy(io.MultiWriter(out, sum), member)
	closeErr := out.Close()
	if err := errors.Join(copyErr, closeErr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("extracting enwik8: %w", err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != wantMD5 {
		os.Remove(tmp)
		return fmt.Errorf("extracted enwik8 has md5 %s, want %s", got, wantMD5)
	}
	return os.Rename(tmp, dest)
}

// fileMD5 returns the hex md5 of the file at path.
func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := md5.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// or returns value, or fallback when value is empty.
func or(value, fallback string) string {
	if value != "" {
		return value
	}
	return fallback
}
