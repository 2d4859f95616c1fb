package datasets

import (
	"archive/zip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// enwik8 facts: the first 10^8 bytes of an English Wikipedia XML dump, as
// distributed by the Hutter Prize (http://mattmahoney.net/dc/textdata.html).
const (
	Enwik8Size = 100_000_000
	Enwik8MD5  = "a1fa5ffddb56f4953e226637dabbb36a"
)

// The longest prefix of enwik8 whose sum is known here: its first
// 4,154,400 bytes, which the shared data's enwik8.prefix holds (the tests
// compute the sum from that file). A shorter file than enwik8 is checked
// against it, as far as it reaches.
const (
	Enwik8PrefixSize   = 4_154_400
	Enwik8PrefixSHA256 = "e33ac91b97a53d998f2f87893efd37e9b081f7c6ed9b9fdb44cd468702295c39"
)

// RuleConsecutive cuts text chunk i from bytes [size*i, size*(i+1)).
const RuleConsecutive = "consecutive"

// openText reads enwik8 (plain, a prefix, or the official enwik8.zip) and cuts
// consecutive chunks from its start. It checks what can be checked of a
// file's being enwik8: no more than enwik8's size; enwik8's md5 at its
// size; enwik8's first Enwik8PrefixSize bytes when it holds that many. A
// file shorter than that is used with a warning that it was not checked.
func openText(path string, opts Options) (Source, error) {
	if opts.Rule != "" && opts.Rule != RuleConsecutive {
		return nil, fmt.Errorf("text: unknown rule %q (want %q)", opts.Rule, RuleConsecutive)
	}
	need := int64(opts.ChunkSize) * int64(opts.Count)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	defer f.Close()
	fileHash := sha256.New()
	fileSize, err := io.Copy(fileHash, f)
	if err != nil {
		return nil, fmt.Errorf("text: reading %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("text: %s: %w", path, err)
	}

	if fileSize > Enwik8Size && !strings.EqualFold(filepath.Ext(path), ".zip") {
		return nil, notEnwik8Size(path, fileSize)
	}
	content, contentSize := io.Reader(f), fileSize
	params := map[string]any{}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		member, size, err := zipMember(f, fileSize)
		if err != nil {
			return nil, fmt.Errorf("text: %s: %w", path, err)
		}
		defer member.Close()
		content, contentSize = member, size
		params["zip_member"] = "enwik8"
	}

	if contentSize > Enwik8Size {
		return nil, notEnwik8Size(path, contentSize)
	}

	// Read the whole content once: keep the chunks' bytes (and the known
	// prefix's, to check them), hash the rest.
	first := make([]byte, min(max(need, Enwik8PrefixSize), contentSize))
	n, err := io.ReadFull(content, first)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("text: reading %s: %w", path, err)
	}
	first = first[:n]
	head := first[:min(need, int64(n))]
	sum := md5.New()
	sum.Write(first)
	rest, err := io.Copy(sum, io.LimitReader(content, Enwik8Size+1-int64(n)))
	if err != nil {
		return nil, fmt.Errorf("text: reading %s: %w", path, err)
	}
	total := int64(n) + rest
	switch {
	case total > Enwik8Size:
		return nil, notEnwik8Size(path, total)
	case total == Enwik8Size:
		if got := hex.EncodeToString(sum.Sum(nil)); got != Enwik8MD5 {
			return nil, fmt.Errorf("text: %s has enwik8's size but md5 %s, want %s: the file is corrupt or not enwik8", path, got, Enwik8MD5)
		}
		params["md5"] = Enwik8MD5
	case total >= Enwik8PrefixSize:
		if got := sha256Hex(first[:Enwik8PrefixSize]); got != Enwik8PrefixSHA256 {
			return nil, fmt.Errorf("text: %s is not enwik8: its first %d bytes have sha256 %s, enwik8's %s", path, Enwik8PrefixSize, got, Enwik8PrefixSHA256)
		}
		fmt.Fprintf(opts.Log, "warning: %s holds %d bytes, not enwik8's %d: using it as a prefix of enwik8 (its first %d bytes are enwik8's; the rest cannot be checked without the whole file)\n",
			path, total, Enwik8Size, Enwik8PrefixSize)
	default:
		fmt.Fprintf(opts.Log, "warning: %s holds %d bytes, not enwik8's %d, and is too short to check against enwik8's first %d bytes: using it as a prefix of enwik8 unchecked\n",
			path, total, Enwik8Size, Enwik8PrefixSize)
	}
	if int64(n) < need {
		return nil, tooFewChunks(int(total/int64(opts.ChunkSize)), opts.Count,
			"text: %s holds %d bytes: %d whole chunks of %d bytes available, %d requested", path, total, total/int64(opts.ChunkSize), opts.ChunkSize, opts.Count)
	}
	return newMemorySource(Text, opts.ChunkSize, head, Provenance{
		Modality:   Text,
		Rule:       RuleConsecutive,
		ChunkSize:  opts.ChunkSize,
		Count:      opts.Count,
		Parameters: params,
		Root:       path,
		Files:      []FileRecord{{Path: filepath.Base(path), SHA256: hex.EncodeToString(fileHash.Sum(nil)), Bytes: fileSize}},
	}), nil
}

// notEnwik8Size is the error for a file larger than enwik8.
func notEnwik8Size(path string, size int64) error {
	return fmt.Errorf("text: %s holds %d bytes, more than enwik8's %d: it is not enwik8 (nor a prefix of it)", path, size, Enwik8Size)
}

// zipMember opens the file named enwik8 inside the zip archive r, the layout
// of the official enwik8.zip.
func zipMember(r io.ReaderAt, size int64) (member io.ReadCloser, memberSize int64, err error) {
	archive, err := zip.NewReader(r, size)
	if err != nil {
		return nil, 0, err
	}
	for _, file := range archive.File {
		if file.Name == "enwik8" {
			member, err := file.Open()
			return member, int64(file.UncompressedSize64), err
		}
	}
	return nil, 0, fmt.Errorf("no member named enwik8 in the archive")
}
