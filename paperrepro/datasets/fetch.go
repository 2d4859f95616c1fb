package datasets

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

// Canonical download locations and checksums.
const (
	// Enwik8URL is the Hutter Prize's official enwik8 archive.
	Enwik8URL = "http://mattmahoney.net/dc/enwik8.zip"
	// LibriSpeechURL is OpenSLR's LibriSpeech train-clean-100 (6,387,309,499 bytes).
	LibriSpeechURL = "https://www.openslr.org/resources/12/train-clean-100.tar.gz"
	// LibriSpeechMD5 is the md5 OpenSLR publishes for LibriSpeechURL.
	LibriSpeechMD5 = "2a93770f6d5c6c964bc36631d331a522"
	// LibriSpeechSHA256 is the sha256 of the same archive (as torchaudio
	// lists it), checked while downloading.
	LibriSpeechSHA256 = "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2"
)

// librispeechSubset is the folder train-clean-100.tar.gz unpacks to.
const librispeechSubset = "LibriSpeech/train-clean-100"

// FetchOptions tunes Fetch. The zero value downloads from the canonical URLs
// with the published checksums, silently.
type FetchOptions struct {
	// URL replaces the canonical URL (a mirror, or a test server).
	URL string
	// SHA256 replaces the expected sha256 of the downloaded archive
	// (speech: LibriSpeechSHA256; text: none, the extracted file's md5 is
	// what enwik8 publishes).
	SHA256 string
	// MD5 replaces the expected md5 of the extracted enwik8 (text:
	// Enwik8MD5) or of the archive (speech: LibriSpeechMD5).
	MD5 string
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// Progress receives download progress bars; nil draws none.
	Progress io.Writer
	// Log receives a line per step (downloading, extracting); nil discards.
	Log io.Writer
	// KeepArchive keeps the downloaded archive after extracting it.
	KeepArchive bool
}

// Fetch downloads a modality's data set into dataDir, laid out as Open
// expects, and returns the path Open will read. Data already in place is not
// downloaded again; an interrupted download resumes where it stopped.
// ImageNet cannot be downloaded without an account: Fetch("image", ...)
// returns an error saying where to put it.
func Fetch(ctx context.Context, modality, dataDir string, opts FetchOptions) (string, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	switch modality {
	case Text:
		return fetchEnwik8(ctx, dataDir, opts)
	case Speech:
		return fetchLibriSpeech(ctx, dataDir, opts)
	case Image:
		return "", fmt.Errorf("datasets: ImageNet needs a manual download: register at https://image-net.org, download ILSVRC2012_img_val.tar (50,000 validation JPEGs, 6.3 GB) and extract it into %s",
			filepath.Join(dataDir, "imagenet", "val"))
	}
	return "", fmt.Errorf("datasets: unknown modality %q (want text, image or speech)", modality)
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

// fetchLibriSpeech downloads train-clean-100.tar.gz, checks its sums,
// extracts its .flac files, and removes the archive.
func fetchLibriSpeech(ctx context.Context, dataDir string, opts FetchOptions) (string, error) {
	url := or(opts.URL, LibriSpeechURL)
	dir := filepath.Join(dataDir, "librispeech")
	final := filepath.Join(dir, filepath.FromSlash(librispeechSubset))
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	archive := filepath.Join(dir, "train-clean-100.tar.gz")
	fmt.Fprintf(opts.Log, "downloading %s to %s\n", url, archive)
	req := download.Request{URL: url, Dest: archive, SHA256: or(opts.SHA256, LibriSpeechSHA256), Progress: opts.Progress}
	if err := download.File(ctx, opts.Client, req); err != nil {
		return "", fmt.Errorf("fetch speech: %w", err)
	}
	wantMD5 := or(opts.MD5, LibriSpeechMD5)
	if got, err := fileMD5(archive); err != nil {
		return "", fmt.Errorf("fetch speech: %w", err)
	} else if got != wantMD5 {
		os.Remove(archive)
		return "", fmt.Errorf("fetch speech: %s has md5 %s, want %s (archive removed)", archive, got, wantMD5)
	}
	// Extract into a scratch folder and move the result into place at the
	// end, so that the final folder exists only when it is complete.
	scratch := filepath.Join(dir, ".extracting")
	if err := os.RemoveAll(scratch); err != nil {
		return "", fmt.Errorf("fetch speech: %w", err)
	}
	fmt.Fprintf(opts.Log, "extracting the .flac files of %s\n", archive)
	if err := extractFLACs(ctx, archive, scratch); err != nil {
		os.RemoveAll(scratch)
		return "", fmt.Errorf("fetch speech: %s: %w", archive, err)
	}
	extracted := filepath.Join(scratch, filepath.FromSlash(librispeechSubset))
	if _, err := os.Stat(extracted); err != nil {
		os.RemoveAll(scratch)
		return "", fmt.Errorf("fetch speech: %s holds no %s folder", archive, librispeechSubset)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", fmt.Errorf("fetch speech: %w", err)
	}
	if err := os.Rename(extracted, final); err != nil {
		return "", fmt.Errorf("fetch speech: %w", err)
	}
	os.RemoveAll(scratch)
	if !opts.KeepArchive {
		os.Remove(archive)
	}
	return final, nil
}

// extractFLACs writes the .flac files of the tar.gz archive under dest,
// keeping their relative paths; other files are left out. Paths that would
// land outside dest are an error.
func extractFLACs(ctx context.Context, archive, dest string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg || !strings.HasSuffix(strings.ToLower(hdr.Name), ".flac") {
			continue
		}
		rel := filepath.Clean(filepath.FromSlash(hdr.Name))
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("archive member %q would be written outside %s", hdr.Name, dest)
		}
		path := filepath.Join(dest, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		_, copyErr := io.Copy(out, tr)
		if err := errors.Join(copyErr, out.Close()); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
	}
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
