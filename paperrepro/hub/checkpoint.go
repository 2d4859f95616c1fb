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

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
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
	// "<sha256>  <file name>\n" sorted by file name.
	WeightsSHA256 string `json:"weights_sha256"`
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

// The weights layouts neox.Load reads, in the order they are preferred.
const (
	singleSafetensors = "model.safetensors"
	shardIndex        = "model.safetensors.index.json"
	pytorchBin        = "pytorch_model.bin"
	configFile        = "config.json"
	tokenizerFile     = "tokenizer.json"
)

// chooseWeights picks the weights files of a checkpoint: model.safetensors,
// else the shards named by model.safetensors.index.json, else
// pytorch_model.bin. has reports whether a file exists; readIndex reads the
// shard index when it does.
func chooseWeights(has func(string) bool, readIndex func() ([]byte, error)) ([]string, error) {
	switch {
	case has(singleSafetensors):
		return []string{singleSafetensors}, nil
	case has(shardIndex):
		data, err := readIndex()
		if err != nil {
			return nil, err
		}
		return shardNames(data)
	case has(pytorchBin):
		return []string{pytorchBin}, nil
	}
	return nil, fmt.Errorf("no weights: expected %s, %s or %s", singleSafetensors, shardIndex, pytorchBin)
}

// shardNames lists the distinct shard files of a safetensors index, sorted.
func shardNames(index []byte) ([]string, error) {
	var parsed struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(index, &parsed); err != nil {
		return nil, fmt.Errorf("reading %s: %w", shardIndex, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, file := range parsed.WeightMap {
		if !safeRelative(file) {
			return nil, fmt.Errorf("reading %s: shard name %q leaves the checkpoint folder", shardIndex, file)
		}
		if !seen[file] {
			seen[file] = true
			names = append(names, file)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("reading %s: weight_map names no shard", shardIndex)
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
// weights in one of the layouts neox.Load reads. The weights are hashed, which
// reads them once.
func LocalDir(dir string) (*Checkpoint, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint directory %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(abs, configFile)); err != nil {
		return nil, fmt.Errorf("checkpoint directory %s: needs %s and weights (%s, %s or %s): %w",
			dir, configFile, singleSafetensors, shardIndex, pytorchBin, err)
	}
	return describeDir(&Checkpoint{Dir: abs})
}

// describeDir fills in the weights of a checkpoint whose Dir holds its files.
// A weights file that is a symlink into the hub cache's blobs/ named by a
// sha256 (how LFS files are stored) takes that name as its sum; any other is
// hashed.
func describeDir(ckpt *Checkpoint) (*Checkpoint, error) {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(ckpt.Dir, name))
		return err == nil
	}
	readIndex := func() ([]byte, error) { return os.ReadFile(filepath.Join(ckpt.Dir, shardIndex)) }
	names, err := chooseWeights(has, readIndex)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ckpt.Dir, err)
	}
	for _, name := range names {
		path := filepath.Join(ckpt.Dir, filepath.FromSlash(name))
		sum := ""
		if target, err := os.Readlink(path); err == nil && isSHA256(filepath.Base(target)) {
			sum = filepath.Base(target)
		} else if sum, err = download.FileSHA256(path); err != nil {
			return nil, fmt.Errorf("checkpoint %s: weights %s: %w", ckpt.Dir, name, err)
		}
		ckpt.Weights = append(ckpt.Weights, WeightsFile{Name: name, SHA256: sum})
	}
	ckpt.WeightsSHA256 = weightsDigest(ckpt.Weights)
	return ckpt, nil
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
