package grid

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// partialExt is the extension of a cell's file while it is being computed.
const partialExt = ".partial"

func partialPath(cellPath string) string { return cellPath + partialExt }

// folderState is what a protocol's output folder holds before a run:
// finished cells and .partial files, by path.
type folderState struct {
	cells    map[string]*results.Cell
	partials map[string]*partialFile
}

// scanFolder reads every result file and .partial file under dir. A file
// that does not read is an error naming it: the run cannot know what the
// folder holds otherwise. Other workers may be writing into the folder
// meanwhile: a .partial file that is gone by the time it is read belongs to
// a cell just finished (or started over), and is passed over; the run reads
// a cell's files again once it holds the cell's lock.
func scanFolder(dir string) (folderState, error) {
	st := folderState{cells: map[string]*results.Cell{}, partials: map[string]*partialFile{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return nil
		case strings.HasSuffix(path, results.CellFileExt):
			c, err := results.ReadCell(path)
			if err != nil {
				return fmt.Errorf("%w (remove it to compute the cell again)", err)
			}
			st.cells[path] = c
		case strings.HasSuffix(path, results.CellFileExt+partialExt):
			p, err := readPartial(path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return err
			default:
				st.partials[path] = p
			}
		}
		return nil
	})
	if err != nil {
		return folderState{}, err
	}
	return st, nil
}

// checkRunPart refuses a folder whose cells or .partial files of this run's
// modalities were made with another protocol, options or data than
// runSetups (by modality) give: one folder holds one configuration, and
// another configuration's unfinished work is never overwritten.
func (f folderState) checkRunPart(runSetups map[string]setup) error {
	return refuseChanged(f.records(), func(was setup) (setup, bool) {
		now, ok := runSetups[was.Data.Modality]
		return was.withRun(now), ok
	})
}

// recorded is a cell or .partial file of a folder with the setup it was
// made with.
type recorded struct {
	path    string
	setup   setup
	partial bool
}

func recordedCell(path string, c *results.Cell) recorded { return recorded{path, setupOf(c), false} }

func recordedPartial(p *partialFile) recorded { return recorded{p.path, p.header.Setup, true} }

// records lists the folder's cells and then its .partial files, each in
// path order.
func (f folderState) records() []recorded {
	var out []recorded
	for _, path := range sortedKeys(f.cells) {
		out = append(out, recordedCell(path, f.cells[path]))
	}
	for _, path := range sortedKeys(f.partials) {
		out = append(out, recordedPartial(f.partials[path]))
	}
	return out
}

// refuseChanged returns the error for the first of records whose setup
// differs from what change makes of it, naming what differs; change
// returns false for a record it does not concern. A .partial file of
// another setup is left as it is: it may be another run's unfinished work.
func refuseChanged(records []recorded, change func(was setup) (now setup, concerned bool)) error {
	for _, r := range records {
		now, ok := change(r.setup)
		if !ok {
			continue
		}
		if err := mismatch(r, now); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// partialHeader is the first line of a .partial file: the setup its chunk
// results were computed with, so that only a run of the same setup resumes
// them.
type partialHeader struct {
	Fingerprint string `json:"fingerprint"`
	Setup       setup  `json:"setup"`
}

// partialFile is a .partial file's header and the chunk results it holds.
type partialFile struct {
	path   string
	header partialHeader
	done   []results.ChunkResult
}

// readPartial reads a .partial file: its header, then the complete chunk
// lines numbered 0, 1, 2, ...; a torn last line (a run killed while writing
// it) ends the list. A file without a header line, or with a chunk whose
// numbers disagree (results.CheckChunk), is an error.
func readPartial(path string) (*partialFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<16), 1<<20)
	p := &partialFile{path: path}
	if !scanner.Scan() || json.Unmarshal(scanner.Bytes(), &p.header) != nil || p.header.Fingerprint == "" {
		return nil, fmt.Errorf("%s: not a .partial file of a grid run (its first line is no setup header): remove it", path)
	}
	for line := 2; scanner.Scan(); line++ {
		var r results.ChunkResult
		if json.Unmarshal(scanner.Bytes(), &r) != nil || r.Index != len(p.done) {
			break
		}
		if err := results.CheckChunk(p.header.Setup.Protocol.Name, p.header.Setup.Data.ChunkSize, r); err != nil {
			return nil, fmt.Errorf("%s:%d: chunk %d: %w: the saved chunks are not what a run wrote; remove the file to start the cell over", path, line, r.Index, err)
		}
		p.done = append(p.done, r)
	}
	if err := scanner.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return p, nil
}

// startPartial rewrites the partial file with its header and the reused
// results (dropping a torn line after them) and opens it for appending.
func startPartial(path string, header partialHeader, done []results.ChunkResult) (*os.File, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(header); err != nil {
		return nil, err
	}
	for _, r := range done {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
}
