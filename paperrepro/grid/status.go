package grid

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// CellState is where one cell of a results folder stands.
type CellState int

const (
	// CellMissing is a cell of the grid with no file yet.
	CellMissing CellState = iota
	// CellInterrupted is a cell whose worker stopped or died: its saved
	// chunks (the .partial file) wait for the next run to resume them.
	CellInterrupted
	// CellRunning is a cell whose lock a live worker holds.
	CellRunning
	// CellDone is a cell with its result file.
	CellDone
)

// String names the state as status prints it: "missing", "interrupted",
// "running" or "done".
func (s CellState) String() string {
	return [...]string{"missing", "interrupted", "running", "done"}[s]
}

// CellStatus is one cell of a results folder and where it stands.
type CellStatus struct {
	// Protocol is the protocol folder's name, e.g. "seed+float16".
	Protocol string
	// Model, Step and Modality name the cell.
	Model    string
	Step     int
	Modality string
	// State is where the cell stands.
	State CellState
	// Chunks counts the chunks finished (all of a done cell's, the saved
	// ones of another), Tokens their tokens and Seconds their scoring time.
	Chunks  int
	Tokens  int
	Seconds float64
	// Owner and Heartbeat describe the cell's lock: the live worker of a
	// running cell, or the dead worker that left an interrupted one.
	Owner     *LockOwner
	Heartbeat time.Time
	// PresumedDead is when the worker of a running cell on another machine
	// will be presumed dead unless it beats again (a worker on this
	// machine is known alive while its process runs); zero otherwise.
	PresumedDead time.Time
	// Shard is the shard the cell belongs to, or -1 when not known.
	Shard int
}

// Name names the cell as progress lines do, e.g. "pythia-70m step 1000 text".
func (c CellStatus) Name() string {
	return fmt.Sprintf("%s step %d %s", c.Model, c.Step, c.Modality)
}

// Status is where every cell of a results folder stands.
type Status struct {
	// Cells are in grid order when the grid was given, else sorted by
	// protocol, model size, step and modality.
	Cells []CellStatus
}

// Count is the number of cells in state.
func (s *Status) Count(state CellState) int {
	n := 0
	for _, c := range s.Cells {
		if c.State == state {
			n++
		}
	}
	return n
}

// Spent totals the tokens scored and the scoring time of every cell's
// finished chunks (summed over workers, so it exceeds the wall time of a
// parallel run).
func (s *Status) Spent() (tokens int, seconds float64) {
	for _, c := range s.Cells {
		tokens += c.Tokens
		seconds += c.Seconds
	}
	return tokens, seconds
}

// UnfinishedShards lists, in order, the shards that own cells not done
// yet: the array tasks to run again. It is empty when shards are unknown.
func (s *Status) UnfinishedShards() []int {
	seen := map[int]bool{}
	var shards []int
	for _, c := range s.Cells {
		if c.State != CellDone && c.Shard >= 0 && !seen[c.Shard] {
			seen[c.Shard] = true
			shards = append(shards, c.Shard)
		}
	}
	sort.Ints(shards)
	return shards
}

// StatusGrid is the grid a results folder should hold, for ReadStatus.
type StatusGrid struct {
	// Protocol is the protocol the grid runs under.
	Protocol results.ProtocolInfo
	// Checkpoints and Modalities span the grid.
	Checkpoints []Checkpoint
	Modalities  []string
	// Chunks is each modality's number of chunks, for the shard split.
	Chunks int
	// Shards is the number of shards the grid runs in (0: not sharded).
	Shards int
}

// ReadStatus reports where the cells under out, a run's output folder (or
// one protocol's folder in it), stand: done (a result file), running (a
// live worker's lock), interrupted (saved chunks or a dead worker's lock).
// With grid, every cell of the grid is listed, those without any file as
// missing, with their shards. Without it, the grid is inferred from the
// files: every model and step found under a protocol folder, each with every
// modality found there.
func ReadStatus(out string, grid *StatusGrid) (*Status, error) {
	info, err := os.Stat(out)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("status: %s is a file, not a results folder (give the folder a run's -out named)", out)
	}
	if grid == nil {
		keys, err := findCells(out)
		if err != nil {
			return nil, err
		}
		st := &Status{}
		for _, key := range inferGrid(keys) {
			c, err := cellStatus(key.path, key.cellKey)
			if err != nil {
				return nil, err
			}
			st.Cells = append(st.Cells, c)
		}
		return st, nil
	}
	if err := checkModalities(grid.Modalities); err != nil {
		return nil, err
	}
	label := grid.Protocol.Label()
	root := out
	if filepath.Base(filepath.Clean(out)) == label && !isDir(filepath.Join(out, label)) {
		root = filepath.Dir(filepath.Clean(out)) // out is the protocol's folder
	}
	chunks := make([]int, len(grid.Modalities))
	for i := range chunks {
		chunks[i] = grid.Chunks
	}
	var shards []int
	if grid.Shards > 0 {
		shards = AssignShards(grid.Checkpoints, chunks, grid.Shards)
	}
	st := &Status{}
	for ci, ck := range grid.Checkpoints {
		for mi, modality := range grid.Modalities {
			key := cellKey{label, ck.Model, ck.Step, modality}
			c, err := cellStatus(cellPath(root, grid.Protocol, ck.Model, ck.Step, modality), key)
			if err != nil {
				return nil, err
			}
			if shards != nil {
				c.Shard = shards[ci*len(grid.Modalities)+mi]
			}
			st.Cells = append(st.Cells, c)
		}
	}
	return st, nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// cellKey identifies a cell by its place in a results folder.
type cellKey struct {
	protocol, model string
	step            int
	modality        string
}

// foundCell is a cell found in a results folder, with its result path.
type foundCell struct {
	cellKey
	path string
}

// cellFileSuffixes are the files a cell may have: its result, its saved
// chunks, its lock.
var cellFileSuffixes = []string{results.CellFileExt, results.CellFileExt + partialExt, results.CellFileExt + lockSuffix}

// findCells lists the cells that have any file under root, a run's output
// folder (<protocol>/<model>/step<N>/<modality>.json...) or one protocol's
// folder (one level less).
func findCells(root string) ([]foundCell, error) {
	seen := map[cellKey]bool{}
	var cells []foundCell
	protocolOfRoot := filepath.Base(filepath.Clean(root))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		for _, suffix := range cellFileSuffixes {
			if !strings.HasSuffix(d.Name(), suffix) {
				continue
			}
			rel, _ := filepath.Rel(root, path)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			if len(parts) == 3 {
				parts = append([]string{protocolOfRoot}, parts...)
			}
			if len(parts) != 4 {
				return nil
			}
			step, err := ParseStep(parts[2])
			if err != nil {
				return nil // not a cell's folder
			}
			key := cellKey{parts[0], parts[1], step, strings.TrimSuffix(parts[3], suffix)}
			if !seen[key] {
				seen[key] = true
				cells = append(cells, foundCell{key, strings.TrimSuffix(path, suffix) + results.CellFileExt})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", root, err)
	}
	return cells, nil
}

// cellStatus reads where the cell whose result file is path stands.
func cellStatus(path string, key cellKey) (CellStatus, error) {
	c := CellStatus{Protocol: key.protocol, Model: key.model, Step: key.step, Modality: key.modality, Shard: -1}
	if _, err := os.Stat(path); err == nil {
		cell, err := results.ReadCell(path)
		if err != nil {
			return c, err
		}
		c.State, c.Chunks, c.Tokens, c.Seconds = CellDone, cell.Chunks, cell.Tokens, cell.WallSeconds
		return c, nil
	}
	switch p, err := readPartial(partialPath(path)); {
	case err == nil:
		c.State = CellInterrupted
		for _, r := range p.done {
			c.Chunks++
			c.Tokens += r.Tokens
			c.Seconds += r.Seconds
		}
	case !errors.Is(err, fs.ErrNotExist):
		c.State = CellInterrupted // a .partial file that does not read: run names it
	}
	info, alive, err := readLock(path+lockSuffix, lockStaleAfter)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return c, err
	default:
		c.Owner, c.Heartbeat = &info.Owner, info.Heartbeat
		c.State = CellInterrupted
		if alive {
			c.State = CellRunning
			if host, _ := os.Hostname(); info.Owner.Host != host {
				c.PresumedDead = info.Heartbeat.Add(lockStaleAfter)
			}
		}
	}
	return c, nil
}

// inferGrid completes the cells found with the missing ones of the grid
// they imply, each protocol folder's models x steps x modalities, sorted by
// protocol, model size, step and modality.
func inferGrid(found []foundCell) []foundCell {
	type axes struct {
		root               string
		models, modalities map[string]bool
		steps              map[int]bool
	}
	perProtocol := map[string]*axes{}
	for _, f := range found {
		a := perProtocol[f.protocol]
		if a == nil {
			// <root>/<model>/step<N>/<modality>.json
			root := filepath.Dir(filepath.Dir(filepath.Dir(f.path)))
			a = &axes{root, map[string]bool{}, map[string]bool{}, map[int]bool{}}
			perProtocol[f.protocol] = a
		}
		a.models[f.model], a.modalities[f.modality], a.steps[f.step] = true, true, true
	}
	var cells []foundCell
	for protocol, a := range perProtocol {
		for model := range a.models {
			for step := range a.steps {
				for modality := range a.modalities {
					path := filepath.Join(a.root, model, fmt.Sprintf("step%d", step), modality+results.CellFileExt)
					cells = append(cells, foundCell{cellKey{protocol, model, step, modality}, path})
				}
			}
		}
	}
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if a.protocol != b.protocol {
			return a.protocol < b.protocol
		}
		if a.model != b.model {
			pa, _ := results.NominalParams(a.model)
			pb, _ := results.NominalParams(b.model)
			if pa != pb {
				return pa < pb
			}
			return a.model < b.model
		}
		if a.step != b.step {
			return a.step < b.step
		}
		return modalityRank(a.modality) < modalityRank(b.modality)
	})
	return cells
}

// modalityRank orders modalities as the paper's tables do, others after.
func modalityRank(m string) string {
	switch m {
	case datasets.Text:
		return "0"
	case datasets.Image:
		return "1"
	case datasets.Speech:
		return "2"
	}
	return "3" + m
}
