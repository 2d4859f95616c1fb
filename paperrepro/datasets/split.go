package datasets

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// SplitManifestName is the file in a fetched split's folder that lists its
// examples in the split's order (see HubSplit and FetchSplit).
const SplitManifestName = "split.json"

// SplitManifest describes the examples of a hub dataset split that were
// fetched into a folder, in the order the split yields them. The examples
// themselves are files beside it, byte for byte as the dataset stores them
// (FLAC for LibriSpeech, JPEG for ImageNet).
type SplitManifest struct {
	// Dataset is the hub repository, e.g. "openslr/librispeech_asr".
	Dataset string `json:"dataset"`
	// Split is the split's name, e.g. "clean/train.100".
	Split string `json:"split"`
	// Commit is the repository commit every byte was read at.
	Commit string `json:"commit"`
	// Shards are the split's parquet files in order, with how far each was read.
	Shards []ShardRecord `json:"shards"`
	// Items are the fetched examples, in the split's order.
	Items []SplitItem `json:"items"`
}

// ShardRecord is one parquet file of a split.
type ShardRecord struct {
	Path string `json:"path"`
	// SHA256 is the LFS sha256 of the whole file: it pins the version read.
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// RowGroups is the number of row groups in the file, RowGroupsRead how
	// many of them (from the first) have been fetched; 0 and 0 for a shard
	// not opened yet.
	RowGroups     int `json:"row_groups"`
	RowGroupsRead int `json:"row_groups_read"`
}

// SplitItem is one fetched example.
type SplitItem struct {
	// File is the example's file name in the split's folder.
	File string `json:"file"`
	// Shard and Row locate the example in the split: the parquet file and
	// the row within it.
	Shard string `json:"shard"`
	Row   int64  `json:"row"`
	// SHA256 and Bytes are those of File, checked when it is read.
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// ReadSplitManifest reads the manifest of the split fetched into dir. The
// error wraps os.ErrNotExist when dir holds none (a plain folder of files).
func ReadSplitManifest(dir string) (*SplitManifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, SplitManifestName))
	if err != nil {
		return nil, err
	}
	var m SplitManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("reading %s: %w (remove the folder and fetch it again)", filepath.Join(dir, SplitManifestName), err)
	}
	for _, it := range m.Items {
		if !filepath.IsLocal(it.File) || filepath.Base(it.File) != it.File {
			return nil, fmt.Errorf("%s: item file %q is not a plain file name in the folder", filepath.Join(dir, SplitManifestName), it.File)
		}
	}
	return &m, nil
}

// hasSplitManifest reports whether dir is a fetched split.
func hasSplitManifest(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, SplitManifestName))
	return err == nil
}

// write saves the manifest atomically, so that an interrupted fetch leaves
// the last complete one.
func (m *SplitManifest) write(dir string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SplitManifestName), append(data, '\n'), 0o644)
}

// splitFiles returns the paths of a fetched split's items in the split's
// order, and their records for checking.
func splitFiles(dir string) ([]string, map[string]SplitItem, error) {
	m, err := ReadSplitManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Items) == 0 {
		return nil, nil, fmt.Errorf("%s lists no examples: fetch them again", filepath.Join(dir, SplitManifestName))
	}
	paths := make([]string, len(m.Items))
	records := make(map[string]SplitItem, len(m.Items))
	for i, it := range m.Items {
		paths[i] = filepath.Join(dir, it.File)
		records[paths[i]] = it
	}
	return paths, records, nil
}

// checkSplitItem compares a read item with its manifest record.
func checkSplitItem(records map[string]SplitItem, path string, raw []byte) error {
	return checkSplitRecord(records, path, sha256Hex(raw), int64(len(raw)))
}

// checkSplitRecord compares the sha256 and size of a read item with its
// manifest record; an item without one (not from a fetched split) passes.
func checkSplitRecord(records map[string]SplitItem, path, sha256 string, size int64) error {
	it, ok := records[path]
	if !ok || (sha256 == it.SHA256 && size == it.Bytes) {
		return nil
	}
	return fmt.Errorf("%s has sha256 %s (%d bytes), the split's manifest says %s (%d bytes): the file changed since it was fetched; remove it and fetch again",
		path, sha256, size, it.SHA256, it.Bytes)
}
