package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/filesum"
)

// Checkpoint is a model checkpoint on local disk, ready for neox.Load(Dir),
// with the identity the results record.
type Checkpoint struct {
	// Repo is the hub repository, e.g. "EleutherAI/pythia-70m"; empty for a
	// local directory given by the user.
	Repo string `json:"repo,omitempty"`
	// Revision is the branch, tag or commit asked for, e.g. "step1000".
	Revision string `json:"revision,omitempty"`
	// Commit is the commit the revision resolved to.
	Commit string `json:"commit,omitempty"`
	// Dir holds config.json and the weights files.
	Dir string `json:"dir"`
	// Weights lists the weights files in Dir with their sha256.
	Weights []WeightsFile `json:"weights"`
	// WeightsSHA256 identifies the weights: the sha256 of the single weights
	// file, or for sharded weights the sha256 of the lines
	// "<sha256>  <file name>\n" sorted by file name. Every sum is of the
	// bytes on disk, never taken from a file's name.
	WeightsSHA256 string `json:"weights_sha256"`
	// ConfigSHA256 is the sha256 of config.json, which shapes the numbers
	// as much as the weights do.
	ConfigSHA256 string `json:"config_sha256"`
}

// WeightsFile is one file of a checkpoint's weights.
type WeightsFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Name is a short label for logs and file names: "pythia-70m@step1000" for a
// hub checkpoint, the directory's base name for a local one.
func (c *Checkpoint) Name() string {
	if c.Repo == "" {
		return filepath.Base(c.Dir)
	}
	return RepoName(c.Repo) + "@" + c.Revision
}

// RepoName is the last part of a repository id: "pythia-70m" for
// "EleutherAI/pythia-70m".
func RepoName(repo string) string {
	return repo[strings.LastIndex(repo, "/")+1:]
}

// The weights layouts neox.Load reads, in the order it prefers them (the
// list neox's weights.go keeps): one safetensors file, sharded safetensors,
// one pytorch_model.bin, sharded pytorch_model.bin (the step revisions of
// Pythia 2.8b, 6.9b and 12b). An index names its shards.
const (
	singleSafetensors = "model.safetensors"
	shardIndex        = "model.safetensors.index.json"
	pytorchBin        = "pytorch_model.bin"
	binShardIndex     = "pytorch_model.bin.index.json"
	configFile        = "config.json"
	tokenizerFile     = "tokenizer.json"
)

// weightsLayouts lists the layouts for messages.
const weightsLayouts = singleSafetensors + ", " + shardIndex + ", " + pytorchBin + " or " + binShardIndex

// chooseWeights picks the weights files of a checkpoint in the order
// neox.Load prefers them; for a sharded layout, the shards its index names.
// has reports whether a file exists; readIndex reads an index when one is
// chosen.
func chooseWeights(has func(string) bool, readIndex func(name string) ([]byte, error)) ([]string, error) {
	for _, layout := range []struct {
		name    string
		sharded bool
	}{{singleSafetensors, false}, {shardIndex, true}, {pytorchBin, false}, {binShardIndex, true}} {
		if !has(layout.name) {
			continue
		}
		if !layout.sharded {
			return []string{layout.name}, nil
		}
		data, err := readIndex(layout.name)
		if err != nil {
			return nil, err
		}
		return shardNames(layout.name, data)
	}
	return nil, fmt.Errorf("no weights: expected %s", weightsLayouts)
}

// shardNames lists the distinct shard files of the index named index, sorted.
func shardNames(index string, data []byte) ([]string, error) {
	var parsed struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &parsed); err != nil {
		return nil, fmt.Errorf("reading %s: %w", index, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, file := range parsed.WeightMap {
		if !safeRelative(file) {
			return nil, fmt.Errorf("reading %s: shard name %q leaves the checkpoint folder", index, file)
		}
		if !seen[file] {
			seen[file] = true
			names = append(names, file)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("reading %s: weight_map names no shard", index)
	}
	sort.Strings(names)
	return names, nil
}

// safeRelative reports whether a repository file name stays inside its folder.
func safeRelative(name string) bool {
	return name != "" && filepath.IsLocal(filepath.FromSlash(name))
}

// weightsDigest combines the per-file sums into Checkpoint.WeightsSHA256.
func weightsDigest(files []WeightsFile) string {
	if len(files) == 1 {
		return files[0].SHA256
	}
	sorted := append([]WeightsFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Name)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// LocalDir describes a user's checkpoint directory holding config.json and
// weights in one of the layouts neox.Load reads. The weights are hashed,
// which reads them once per version of the files (internal/filesum).
func LocalDir(dir string) (*Checkpoint, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint directory %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(abs, configFile)); err != nil {
		return nil, fmt.Errorf("checkpoint directory %s: needs %s and weights (%s): %w", dir, configFile, weightsLayouts, err)
	}
	return describeDir(&Checkpoint{Dir: abs})
}

// describeDir fills in the sums of a checkpoint whose Dir holds its files:
// the sha256 of the bytes of every weights file and of config.json. A file
// that is a symlink into a hub cache's blobs/ is checked against its blob's
// name (the sha256 of an LFS file, the git blob sha1 of a small one): a
// blob whose bytes do not match is damaged, and a *DamagedError says how to
// replace it.
func describeDir(ckpt *Checkpoint) (*Checkpoint, error) {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(ckpt.Dir, name))
		return err == nil
	}
	readIndex := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(ckpt.Dir, name)) }
	names, err := chooseWeights(has, readIndex)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ckpt.Dir, err)
	}
	for _, name := range names {
		sum, err := checkedSHA256(filepath.Join(ckpt.Dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, fmt.Errorf("checkpoint %s: weights %s: %w", ckpt.Dir, name, err)
		}
		ckpt.Weights = append(ckpt.Weights, WeightsFile{Name: name, SHA256: sum})
	}
	ckpt.WeightsSHA256 = weightsDigest(ckpt.Weights)
	if ckpt.ConfigSHA256, err = checkedSHA256(filepath.Join(ckpt.Dir, configFile)); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ckpt.Dir, err)
	}
	if has(tokenizerFile) {
		if _, err := checkedSHA256(filepath.Join(ckpt.Dir, tokenizerFile)); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", ckpt.Dir, err)
		}
	}
	return ckpt, nil
}

// DamagedError reports a hub cache blob whose bytes do not match its name.
type DamagedError struct {
	File, Blob string // the snapshot file and the blob it links to
	Want, Got  string // the sum the blob's name states, the bytes' sum
	Kind       string // "sha256" or "git blob sha1"
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged: its cache blob %s should have %s %s but its bytes have %s; delete the blob and fetch it again (or copy it again from the machine the cache came from)",
		e.File, e.Blob, e.Kind, e.Want, e.Got)
}

// checkedSHA256 returns the sha256 of the bytes at path, after checking a
// hub cache blob's bytes against its name.
func checkedSHA256(path string) (string, error) {
	sum, err := filesum.SHA256(path)
	if err != nil {
		return "", err
	}
	target, err := os.Readlink(path)
	if err != nil {
		return sum, nil // not a symlink: nothing states what it should hold
	}
	blob := filepath.Base(target)
	switch {
	case isSHA256(blob) && sum != blob:
		return "", &DamagedError{File: path, Blob: resolveLink(path, target), Want: blob, Got: sum, Kind: "sha256"}
	case isCommit(blob):
		got, err := gitBlobSHA1(path)
		if err != nil {
			return "", err
		}
		if got != blob {
			return "", &DamagedError{File: path, Blob: resolveLink(path, target), Want: blob, Got: got, Kind: "git blob sha1"}
		}
	}
	return sum, nil
}

// resolveLink is the path a symlink at link with the given target points to.
func resolveLink(link, target string) string {
	if filepath.IsAbs(target) {
		return target
	}
	return filepath.Join(filepath.Dir(link), target)
}

func isSHA256(s string) bool { return isHex(s, 64) }

func isCommit(s string) bool { return isHex(s, 40) }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
