package neox

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// shardedCheckpoint is a checkpoint split over several files that an index
// lists: model.safetensors.index.json over model-0000i-of-0000n.safetensors
// shards, or pytorch_model.bin.index.json over pytorch_model-0000i-of-0000n.bin
// shards (how transformers saves models above its max_shard_size, such as
// Pythia 2.8b to 12b). The index's weight_map maps every tensor name to the
// file holding it; its metadata is not needed.
type shardedCheckpoint struct {
	shards []checkpoint
	owner  map[string]checkpoint
	stored map[string]storedTensor
}

// openSharded reads the index at indexPath and opens every shard it names
// with open. It refuses an index and shards that disagree: a tensor listed
// twice, listed in a shard that does not hold it, held by a shard but not
// listed, or held by two shards.
func openSharded(indexPath string, open func(path string) (checkpoint, error)) (_ *shardedCheckpoint, err error) {
	data, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, fmt.Errorf("reading weights index: %w", err)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		return nil, fmt.Errorf("%s: parsing JSON: %w", indexPath, err)
	}
	if err := checkDuplicateKeys(data); err != nil {
		var dup *duplicateKeyError
		if errors.As(err, &dup) && dup.Object == "weight_map" {
			return nil, fmt.Errorf("%s: weight_map lists tensor %q twice (readers differ on which shard counts)", indexPath, dup.Key)
		}
		return nil, fmt.Errorf("%s: %w", indexPath, err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: empty or missing weight_map", indexPath)
	}
	s := &shardedCheckpoint{owner: map[string]checkpoint{}, stored: map[string]storedTensor{}}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	names := slices.Sorted(maps.Keys(index.WeightMap))
	files := slices.Compact(slices.Sorted(maps.Values(index.WeightMap)))
	for _, file := range files {
		if file != filepath.Base(file) || file == "." || file == ".." {
			name := names[slices.IndexFunc(names, func(n string) bool { return index.WeightMap[n] == file })]
			return nil, fmt.Errorf("%s: tensor %q: shard %q must be a file name in the same folder", indexPath, name, file)
		}
	}
	holder := map[string]string{} // tensor name -> the shard file holding it
	for _, file := range files {
		path := filepath.Join(filepath.Dir(indexPath), file)
		shard, err := open(path)
		if err != nil {
			return nil, err
		}
		s.shards = append(s.shards, shard)
		tensors := shard.Tensors()
		for _, name := range slices.Sorted(maps.Keys(tensors)) {
			if other, ok := holder[name]; ok {
				return nil, fmt.Errorf("tensor %q is stored in both %s and %s (the index %s names %s): a damaged checkpoint",
					name, filepath.Join(filepath.Dir(indexPath), other), path, indexPath, index.WeightMap[name])
			}
			holder[name] = file
			s.owner[name] = shard
			s.stored[name] = tensors[name]
		}
	}
	for _, name := range names {
		if file := index.WeightMap[name]; holder[name] != file {
			return nil, fmt.Errorf("%s: tensor %q is listed in %s but not stored there", filepath.Join(filepath.Dir(indexPath), file), name, indexPath)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(holder)) {
		if _, ok := index.WeightMap[name]; !ok {
			return nil, fmt.Errorf("%s: tensor %q is not listed in %s", filepath.Join(filepath.Dir(indexPath), holder[name]), name, indexPath)
		}
	}
	return s, nil
}

func (s *shardedCheckpoint) Tensors() map[string]storedTensor { return s.stored }

func (s *shardedCheckpoint) ReadFloat32(name string, dst []float32) error {
	shard, ok := s.owner[name]
	if !ok {
		return fmt.Errorf("no tensor %q in the sharded checkpoint", name)
	}
	return shard.ReadFloat32(name, dst)
}

func (s *shardedCheckpoint) Close() error {
	var errs []error
	for _, shard := range s.shards {
		errs = append(errs, shard.Close())
	}
	return errors.Join(errs...)
}
