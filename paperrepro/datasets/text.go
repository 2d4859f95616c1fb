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

// RuleConsecutive cuts text chunk i from bytes [size*i, size*(i+1)).
const RuleConsecutive = "consecutive"

// openText reads enwik8 (plain, a prefix, or the official enwik8.zip) and cuts
// consecutive chunks from its start.
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

	// Read the whole content once: keep the chunks' bytes, hash the rest.
	head := make([]byte, min(need, contentSize))
	n, err := io.ReadFull(content, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("text: reading %s: %w", path, err)
	}
	sum := md5.New()
	sum.Write(head[:n])
	rest, err := io.Copy(sum, content)
	if err != nil {
		return nil, fmt.Errorf("text: reading %s: %w", path, err)
	}
	total := int64(n) + rest
	if total == Enwik8Size {
		if got := hex.EncodeToString(sum.Sum(nil)); got != Enwik8MD5 {
			return nil, fmt.Errorf("text: %s has enwik8's size but md5 %s, want %s: the file is corrupt or not enwik8", path, got, Enwik8MD5)
		}
		params["md5"] = Enwik8MD5
	} else {
		fmt.Fprintf(opts.Log, "warning: %s holds %d bytes, not enwik8's %d; using it as a prefix of enwik8 (md5 not checked)\n", path, total, Enwik8Size)
	}
	if int64(n) < need {
		return nil, tooFewChunks(int(total/int64(opts.ChunkSize)), opts.Count,
			"text: %s holds %d bytes: %d whole chunks of %d bytes available, %d requested", path, total, total/int64(opts.ChunkSize), opts.ChunkSize, opts.Count)
	}
	return &memorySource{
		modality: Text,
		size:     opts.ChunkSize,
		data:     head,
		prov: Provenance{
			Modality:   Text,
			Rule:       RuleConsecutive,
			ChunkSize:  opts.ChunkSize,
			Count:      opts.Count,
			Parameters: params,
			Root:       path,
			Files:      []FileRecord{{Path: filepath.Base(path), SHA256: hex.EncodeToString(fileHash.Sum(nil)), Bytes: fileSize}},
		},
	}, nil
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
