package baselines

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// Options tune Run. The zero value runs every codec on all CPUs.
type Options struct {
	// Codecs keeps only the codecs of these names (see CodecNames); empty
	// keeps all.
	Codecs []string
	// Workers is the number of compressions run at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called (from one goroutine at a time) after
	// each piece of work with the original bytes compressed so far and in
	// all, for a progress bar with an ETA.
	Progress func(done, total int64)
}

// chunkBatchesPerWorker splits each codec's chunks into this many batches
// per worker: enough to keep the workers evenly busy to the end, few enough
// that a command-line tool starts only a few times per codec.
const chunkBatchesPerWorker = 4

// measurement gathers one codec's sizes on one source's chunks.
type measurement struct {
	source         datasets.Source
	codec          Codec
	implementation string
	sha256         string
	stream         []int // one size: all chunks as one input
	chunks         []int // one size per chunk
	header         []int // one size: one zero unit
}

// task is one call of a codec's Sizes, writing into part of a measurement.
type task struct {
	codec  Codec
	inputs [][]byte
	sizes  []int
	bytes  int64
}

// Run compresses the chunks of every source with every codec that suits it
// (CodecsFor, filtered by opts.Codecs) under every accounting, compressions
// running in parallel, and returns the results by source, then codec, then
// accounting. A command-line codec whose tool is missing stops the run
// before anything is compressed, with an error naming the package to install.
func Run(ctx context.Context, sources []datasets.Source, opts Options) (Table, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var ms []*measurement
	var tasks []task
	var total int64
	for _, src := range sources {
		prov := src.Provenance()
		codecs, err := CodecsFor(prov)
		if err != nil {
			return Table{}, err
		}
		codecs = selectCodecs(codecs, opts.Codecs)
		if len(codecs) == 0 {
			continue
		}
		chunks, data, err := readChunks(src)
		if err != nil {
			return Table{}, err
		}
		sum := sha256.Sum256(data)
		batch := max(1, (len(chunks)+workers*chunkBatchesPerWorker-1)/(workers*chunkBatchesPerWorker))
		for _, c := range codecs {
			impl, err := c.Implementation(ctx)
			if err != nil {
				return Table{}, fmt.Errorf("baselines: %s: %w", c.Name(), err)
			}
			m := &measurement{source: src, codec: c, implementation: impl, sha256: hex.EncodeToString(sum[:]),
				stream: make([]int, 1), chunks: make([]int, len(chunks)), header: make([]int, 1)}
			ms = append(ms, m)
			tasks = append(tasks, task{codec: c, inputs: [][]byte{data}, sizes: m.stream, bytes: int64(len(data))})
			for lo := 0; lo < len(chunks); lo += batch {
				hi := min(lo+batch, len(chunks))
				tasks = append(tasks, task{codec: c, inputs: chunks[lo:hi], sizes: m.chunks[lo:hi], bytes: int64(hi-lo) * int64(src.ChunkSize())})
			}
			tasks = append(tasks, task{codec: c, inputs: [][]byte{make([]byte, c.Unit())}, sizes: m.header})
			total += 2 * int64(len(data))
		}
	}
	if err := runTasks(ctx, tasks, workers, total, opts.Progress); err != nil {
		return Table{}, err
	}
	var t Table
	for _, m := range ms {
		t.Rows = append(t.Rows, m.results()...)
	}
	return t, nil
}

// readChunks returns every chunk of src, and all of them concatenated
// (the chunks are slices of it).
func readChunks(src datasets.Source) ([][]byte, []byte, error) {
	n, size := src.NumChunks(), src.ChunkSize()
	data := make([]byte, 0, n*size)
	for i := range n {
		chunk, err := src.Chunk(i)
		if err != nil {
			return nil, nil, fmt.Errorf("baselines: %w", err)
		}
		if len(chunk) != size {
			return nil, nil, fmt.Errorf("baselines: %s chunk %d holds %d bytes, want %d", src.Modality(), i, len(chunk), size)
		}
		data = append(data, chunk...)
	}
	chunks := make([][]byte, n)
	for i := range chunks {
		chunks[i] = data[i*size : (i+1)*size : (i+1)*size]
	}
	return chunks, data, nil
}

// runTasks runs the tasks on workers goroutines, in order of the list (the
// whole streams, the longest, come first), stopping at the first error.
func runTasks(ctx context.Context, tasks []task, workers int, total int64, progress func(done, total int64)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan task)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		done     atomic.Int64
		report   sync.Mutex
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				sizes, err := t.codec.Sizes(ctx, t.inputs)
				if err == nil && len(sizes) != len(t.sizes) {
					err = fmt.Errorf("returned %d sizes for %d inputs", len(sizes), len(t.sizes))
				}
				if err != nil {
					once.Do(func() {
						firstErr = fmt.Errorf("baselines: %s %s: %w", t.codec.Name(), t.codec.Setting(), err)
						cancel()
					})
					continue
				}
				copy(t.sizes, sizes)
				if progress != nil {
					n := done.Add(t.bytes)
					report.Lock()
					progress(n, total)
					report.Unlock()
				}
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case queue <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// results turns a measurement into one Result per accounting.
func (m *measurement) results() []Result {
	prov := m.source.Provenance()
	base := Result{
		Modality: prov.Modality, Rule: prov.Rule,
		Codec: m.codec.Name(), Setting: m.codec.Setting(), Implementation: m.implementation,
		Chunks: len(m.chunks), ChunkSize: m.source.ChunkSize(),
		HeaderBytes: m.header[0], DataSHA256: m.sha256,
	}
	var sum int64
	for _, s := range m.chunks {
		sum += int64(s)
	}
	out := make([]Result, 0, len(Accountings))
	for _, a := range Accountings {
		r := base
		r.Accounting = a
		switch a {
		case Stream:
			r.CompressedBytes = int64(m.stream[0])
		case PerChunk:
			r.CompressedBytes = sum
		case PerChunkHeaderOnce:
			r.CompressedBytes = sum - int64(len(m.chunks)-1)*int64(m.header[0])
		}
		out = append(out, r)
	}
	return out
}
