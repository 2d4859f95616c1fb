package grid

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Shard is one share of a grid's cells, so that many independent workers
// (the tasks of a Slurm job array) can run one grid together: shard Index of
// Count, counted from 0. The shards of a grid are disjoint, together they
// cover it, and each gets cells of about the same expected cost. The zero
// Shard is the whole grid.
type Shard struct {
	Index, Count int
}

// String writes the shard as -shard takes it, e.g. "2/4".
func (s Shard) String() string {
	if s.Count == 0 {
		return "the whole grid"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard reads "i/n": shard i of n, with 0 <= i < n.
func ParseShard(text string) (Shard, error) {
	is, ns, ok := strings.Cut(text, "/")
	i, ierr := strconv.Atoi(strings.TrimSpace(is))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || ierr != nil || nerr != nil {
		return Shard{}, fmt.Errorf("shard %q: want i/n, shard i of n counted from 0 (0/4, 1/4, 2/4 and 3/4 split a grid in four)", text)
	}
	s := Shard{Index: i, Count: n}
	if err := s.validate(); err != nil {
		return Shard{}, fmt.Errorf("shard %q: %w", text, err)
	}
	return s, nil
}

func (s Shard) validate() error {
	if s.Count < 1 {
		return fmt.Errorf("the number of shards must be at least 1, got %d", s.Count)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d does not exist: shards of %d are numbered 0 to %d", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// Slurm job-array variables, as sbatch --array sets them for each task.
const (
	envArrayTaskID    = "SLURM_ARRAY_TASK_ID"
	envArrayTaskCount = "SLURM_ARRAY_TASK_COUNT"
	envArrayTaskMin   = "SLURM_ARRAY_TASK_MIN"
	envArrayTaskStep  = "SLURM_ARRAY_TASK_STEP"
)

// ShardFromEnv returns the shard of the Slurm job-array task it runs in:
// the task's position in the array (SLURM_ARRAY_TASK_ID counted from
// SLURM_ARRAY_TASK_MIN in SLURM_ARRAY_TASK_STEP steps) of
// SLURM_ARRAY_TASK_COUNT. ok is false outside a job array. An array that is
// not one evenly spaced range (--array=1,5,7, or a resubmission of some
// tasks) gives an error: pass the shard explicitly then.
func ShardFromEnv(getenv func(string) string) (shard Shard, ok bool, err error) {
	idText := getenv(envArrayTaskID)
	if idText == "" {
		return Shard{}, false, nil
	}
	number := func(name, fallback string) (int, error) {
		text := getenv(name)
		if text == "" {
			text = fallback
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", name, text)
		}
		return n, nil
	}
	id, err := number(envArrayTaskID, "")
	if err != nil {
		return Shard{}, false, err
	}
	count, err := number(envArrayTaskCount, "")
	if err != nil {
		return Shard{}, false, fmt.Errorf("%w (%s is set, so this is a Slurm array task)", err, envArrayTaskID)
	}
	lowest, err := number(envArrayTaskMin, "0")
	if err != nil {
		return Shard{}, false, err
	}
	step, err := number(envArrayTaskStep, "1")
	if err != nil {
		return Shard{}, false, err
	}
	offset := id - lowest
	if step < 1 || offset < 0 || offset%step != 0 || offset/step >= count {
		return Shard{}, false, fmt.Errorf("%s=%d is not a position in an array of %d tasks from %d in steps of %d: submit the array as one range (sbatch --array=0-%d) or pass -shard %d/N with N the number of shards",
			envArrayTaskID, id, count, lowest, step, count-1, id)
	}
	return Shard{Index: offset / step, Count: count}, true, nil
}

// Cells marks the cells of checkpoints x modalities that belong to the
// shard, in grid order (checkpoint-major, as Summary.Cells): cell k is
// checkpoint k/len(chunks) with modality k%len(chunks), and chunks gives
// each modality's number of chunks. The zero Shard holds every cell.
func (s Shard) Cells(checkpoints []Checkpoint, chunks []int) []bool {
	mine := make([]bool, len(checkpoints)*len(chunks))
	if s.Count == 0 {
		for k := range mine {
			mine[k] = true
		}
		return mine
	}
	for k, shard := range AssignShards(checkpoints, chunks, s.Count) {
		mine[k] = shard == s.Index
	}
	return mine
}

// AssignShards splits the cells of checkpoints x modalities (in the grid
// order of Shard.Cells) between count shards and returns each cell's
// shard. The split balances the expected cost of a cell, its model's
// parameters times its chunks, by giving the costliest cell still
// unassigned to the shard with the least cost so far (the longest-
// processing-time rule: no shard ends more than one cell's cost above
// another). Ties go to the earlier cell and the lower shard, so every
// worker computes the same split. A count below 1 is taken as 1.
//
// A model's size is the nominal size its Pythia name states; models
// without one (local folders, other repositories) count as the mean size
// of the named ones in the grid, or all alike when none is named. The
// split depends only on the names and the counts, never on what a worker
// has downloaded, so workers cannot disagree about it.
func AssignShards(checkpoints []Checkpoint, chunks []int, count int) []int {
	count = max(count, 1) // no shards: one, the whole grid
	sizes := modelSizes(checkpoints)
	costs := make([]float64, 0, len(checkpoints)*len(chunks))
	for ci := range checkpoints {
		for _, n := range chunks {
			costs = append(costs, sizes[ci]*float64(n))
		}
	}
	order := make([]int, len(costs))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return costs[order[a]] > costs[order[b]] })
	load := make([]float64, count)
	shards := make([]int, len(costs))
	for _, k := range order {
		least := 0
		for s := 1; s < count; s++ {
			if load[s] < load[least] {
				least = s
			}
		}
		shards[k] = least
		load[least] += costs[k]
	}
	return shards
}

// modelSizes is each checkpoint's parameter count for AssignShards.
func modelSizes(checkpoints []Checkpoint) []float64 {
	sizes := make([]float64, len(checkpoints))
	sum, named := 0.0, 0
	for i, ck := range checkpoints {
		if p, ok := results.NominalParams(ck.Model); ok {
			sizes[i] = p
			sum += p
			named++
		}
	}
	unnamed := 1.0
	if named > 0 {
		unnamed = sum / float64(named)
	}
	for i := range sizes {
		if sizes[i] == 0 {
			sizes[i] = unnamed
		}
	}
	return sizes
}

// numChunks is each source's number of chunks, for Shard.Cells.
func numChunks(sources []datasets.Source) []int {
	chunks := make([]int, len(sources))
	for i, src := range sources {
		chunks[i] = src.NumChunks()
	}
	return chunks
}
