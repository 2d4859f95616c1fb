package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mewkiz/flac"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
)

// HubSplit is a split of a dataset repository on the Hugging Face hub,
// stored as parquet shards whose rows hold each example's file bytes in a
// struct column {bytes, path} (the datasets library's Audio and Image
// features).
type HubSplit struct {
	// Modality is Speech or Image.
	Modality string
	// Repo is the dataset repository, e.g. "openslr/librispeech_asr".
	Repo string
	// Split names the split in messages and manifests, e.g. "clean/train.100".
	Split string
	// Shards is the path prefix of the split's parquet files; they are read
	// in byte-wise sorted order, as the datasets library lists them.
	Shards string
	// Column is the struct column holding the example's bytes and path.
	Column string
	// Ext is the file extension given to an example whose row has no path.
	Ext string
	// Dir is the folder under the data directory that receives the examples.
	Dir string
	// Manual, for a gated repository, says how to get the data without a
	// token of an account that accepted its terms, given the data directory.
	Manual func(dataDir string) string
}

// The two splits the paper streamed (see the package documentation for why
// their row order is the paper's order).
var (
	LibriSpeechTrain100 = HubSplit{
		Modality: Speech, Repo: "openslr/librispeech_asr", Split: "clean/train.100",
		Shards: "clean/train.100/", Column: "audio", Ext: ".flac", Dir: "librispeech/train.100",
	}
	ImageNetValidation = HubSplit{
		Modality: Image, Repo: "ILSVRC/imagenet-1k", Split: "validation",
		Shards: "data/validation-", Column: "image", Ext: ".JPEG", Dir: "imagenet/validation",
		Manual: manualImageNet,
	}
)

// manualImageNet is the way to ImageNet without a Hugging Face account.
func manualImageNet(dataDir string) string {
	val := filepath.Join(dataDir, "imagenet", "val")
	return fmt.Sprintf("or, without a Hugging Face account, register at https://image-net.org, download ILSVRC2012_img_val.tar "+
		"(the 50,000 validation JPEGs, 6.3 GB) and extract it: mkdir -p %s && tar -xf ILSVRC2012_img_val.tar -C %s "+
		"(those files have no split order: the random-crop and tiles rules read them in file-name order)", val, val)
}

// hubSplitFor returns the hub split of a modality.
func hubSplitFor(modality string) (HubSplit, bool) {
	switch modality {
	case Speech:
		return LibriSpeechTrain100, true
	case Image:
		return ImageNetValidation, true
	}
	return HubSplit{}, false
}

// SplitFetchOptions tunes FetchSplit.
type SplitFetchOptions struct {
	// ChunkSize and Count size the fetch: enough examples for Count chunks
	// of ChunkSize bytes under the paper's rule (0 means the defaults).
	ChunkSize, Count int
	// PatchWidth is the image patch width (0 means 64).
	PatchWidth int
	// Progress receives a progress bar per row group; nil draws none.
	Progress io.Writer
	// Log receives a line per step; nil discards.
	Log io.Writer
}

// FetchSplit fetches the first examples of split into dataDir/split.Dir,
// with a manifest (split.json) that keeps the split's order, and returns the
// folder. It reads, through client, the split's parquet footers and then only
// the example column's chunks of the row groups it needs, with HTTP range
// requests: a row group at a time, from the first, until the examples give
// Count chunks (speech: samples for Count x ChunkSize bytes of int16; image:
// Count images of at least one patch). Examples already fetched are not
// fetched again; an interrupted fetch resumes after the last complete row
// group. Each example's sha256 goes into the manifest and is checked when
// the example is read.
func FetchSplit(ctx context.Context, client *hub.Client, split HubSplit, dataDir string, opts SplitFetchOptions) (string, error) {
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Count == 0 {
		opts.Count = DefaultCount
	}
	if opts.PatchWidth == 0 {
		opts.PatchWidth = DefaultPatchWidth
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	dir := filepath.Join(dataDir, filepath.FromSlash(split.Dir))
	f := &splitFetcher{split: split, dataDir: dataDir, dir: dir, opts: opts, client: client}
	if err := f.run(ctx); err != nil {
		return "", fmt.Errorf("fetch %s (%s %s): %w", split.Modality, split.Repo, split.Split, err)
	}
	return dir, nil
}

type splitFetcher struct {
	split   HubSplit
	dataDir string
	dir     string
	opts    SplitFetchOptions
	client  *hub.Client
	m       *SplitManifest
	have    int64 // units the fetched examples give
	names   map[string]bool
}

// need is the number of units (speech: bytes of int16 samples; image:
// usable images) the requested chunks take.
func (f *splitFetcher) need() int64 {
	if f.split.Modality == Speech {
		return int64(f.opts.ChunkSize) * int64(f.opts.Count)
	}
	return int64(f.opts.Count)
}

// units is what one example contributes towards need.
func (f *splitFetcher) units(raw []byte) int64 {
	if f.split.Modality == Speech {
		stream, err := flac.New(bytes.NewReader(raw))
		if err != nil {
			return 0
		}
		return 2 * int64(stream.Info.NSamples)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || checkPixels(cfg) != nil || cfg.Width < f.opts.PatchWidth || cfg.Height < f.opts.ChunkSize/f.opts.PatchWidth {
		return 0
	}
	return 1
}

func (f *splitFetcher) run(ctx context.Context) error {
	if err := f.loadLocal(); err != nil {
		return err
	}
	if f.have >= f.need() {
		fmt.Fprintf(f.opts.Log, "%s: %d examples already fetched in %s\n", f.split.Repo, len(f.m.Items), f.dir)
		return nil
	}
	rev, err := f.client.Dataset(ctx, f.split.Repo, "main")
	if err != nil {
		return f.explain(err)
	}
	shards := rev.Match(f.split.Shards, ".parquet")
	if len(shards) == 0 {
		return fmt.Errorf("the repository at commit %s has no parquet files under %s", rev.Commit, f.split.Shards)
	}
	f.reconcile(rev, shards)
	for i := range f.m.Shards {
		if f.have >= f.need() {
			break
		}
		rec := &f.m.Shards[i]
		if rec.RowGroups > 0 && rec.RowGroupsRead == rec.RowGroups {
			continue
		}
		if err := f.readShard(ctx, rev.Commit, shards[i], rec); err != nil {
			return f.explain(err)
		}
	}
	if f.have < f.need() {
		return fmt.Errorf("the whole split gives %d of the %d units %d chunks need", f.have, f.need(), f.opts.Count)
	}
	return nil
}

// explain adds the manual way to a gated split's access error.
func (f *splitFetcher) explain(err error) error {
	if errors.Is(err, hub.ErrGated) && f.split.Manual != nil {
		return fmt.Errorf("%w; %s", err, f.split.Manual(f.dataDir))
	}
	return err
}

// loadLocal reads the manifest of an earlier fetch and counts what its
// examples give. When an example file is missing or changed, the fetch
// starts over: examples are cheap next to a wrong chunk.
func (f *splitFetcher) loadLocal() error {
	f.names = map[string]bool{}
	m, err := ReadSplitManifest(f.dir)
	if errors.Is(err, os.ErrNotExist) {
		f.m = &SplitManifest{Dataset: f.split.Repo, Split: f.split.Split}
		return nil
	}
	if err != nil {
		return err
	}
	f.m = m
	for _, it := range m.Items {
		raw, err := os.ReadFile(filepath.Join(f.dir, it.File))
		if err != nil || sha256Hex(raw) != it.SHA256 {
			fmt.Fprintf(f.opts.Log, "warning: %s is missing or changed since it was fetched; fetching the split again\n", filepath.Join(f.dir, it.File))
			f.restart()
			return nil
		}
		f.have += f.units(raw)
		f.names[it.File] = true
	}
	return nil
}

// restart forgets every fetched example and row group.
func (f *splitFetcher) restart() {
	f.m.Items, f.have, f.names = nil, 0, map[string]bool{}
	for i := range f.m.Shards {
		f.m.Shards[i].RowGroupsRead = 0
	}
}

// reconcile lines the manifest's shards up with the hub's; when a shard
// read before changed upstream, the fetch starts over.
func (f *splitFetcher) reconcile(rev *hub.DatasetRevision, shards []hub.DatasetFile) {
	old := map[string]ShardRecord{}
	for _, s := range f.m.Shards {
		old[s.Path] = s
	}
	f.m.Commit = rev.Commit
	f.m.Shards = nil
	changed := false
	for _, s := range shards {
		rec := ShardRecord{Path: s.Path, SHA256: s.SHA256, Bytes: s.Size}
		if prev, ok := old[s.Path]; ok && prev.RowGroupsRead > 0 {
			if prev.SHA256 == s.SHA256 && prev.Bytes == s.Size {
				rec.RowGroups, rec.RowGroupsRead = prev.RowGroups, prev.RowGroupsRead
			} else {
				changed = true
			}
		}
		f.m.Shards = append(f.m.Shards, rec)
	}
	if changed {
		fmt.Fprintf(f.opts.Log, "warning: %s changed on the hub since the last fetch; fetching the split again\n", f.split.Repo)
		f.restart()
	}
}

// footerBytes is how much of a shard's end is read first: the footer of the
// hub's shards (a few dozen row groups, a handful of columns) fits in it.
const footerBytes = 64 << 10

// readShard fetches the row groups of one shard, from rec.RowGroupsRead on,
// until the fetched examples suffice.
func (f *splitFetcher) readShard(ctx context.Context, commit string, shard hub.DatasetFile, rec *ShardRecord) error {
	remote, err := f.client.OpenDatasetFile(ctx, f.split.Repo, commit, shard)
	if err != nil {
		return err
	}
	r := &spanReader{remote: remote}
	tail := min(int64(footerBytes), shard.Size)
	if err := r.prefetch(shard.Size-tail, tail, nil); err != nil {
		return err
	}
	file, err := parquet.OpenFile(r, shard.Size, parquet.SkipMagicBytes(true), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return fmt.Errorf("%s: %w", shard.Path, err)
	}
	bytesCol, ok1 := file.Schema().Lookup(f.split.Column, "bytes")
	pathCol, ok2 := file.Schema().Lookup(f.split.Column, "path")
	if !ok1 || !ok2 {
		return fmt.Errorf("%s: no columns %s.bytes and %s.path (schema %s)", shard.Path, f.split.Column, f.split.Column, file.Schema())
	}
	groups := file.RowGroups()
	rec.RowGroups = len(groups)
	meta := file.Metadata()
	var firstRow int64
	for g := range rec.RowGroupsRead {
		firstRow += groups[g].NumRows()
	}
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return err
	}
	firstGroup := rec.RowGroupsRead
	for g := firstGroup; g < len(groups) && f.have < f.need(); g++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		start, end, err := rowGroupSpan(meta, g, []int{bytesCol.ColumnIndex, pathCol.ColumnIndex}, shard.Size)
		if err != nil {
			return fmt.Errorf("%s: %w", shard.Path, err)
		}
		if err := f.prefetchRowGroup(r, shard.Path, g, len(groups), start, end); err != nil {
			return err
		}
		data, err := columnValues(groups[g].ColumnChunks()[bytesCol.ColumnIndex])
		if err != nil {
			return fmt.Errorf("%s row group %d: %s.bytes: %w", shard.Path, g, f.split.Column, err)
		}
		names, err := columnValues(groups[g].ColumnChunks()[pathCol.ColumnIndex])
		if err != nil {
			return fmt.Errorf("%s row group %d: %s.path: %w", shard.Path, g, f.split.Column, err)
		}
		if len(data) != int(groups[g].NumRows()) || len(names) != len(data) {
			return fmt.Errorf("%s row group %d: %d rows but %d values of %s.bytes and %d of %s.path", shard.Path, g, groups[g].NumRows(), len(data), f.split.Column, len(names), f.split.Column)
		}
		for i, raw := range data {
			row := firstRow + int64(i)
			if raw == nil {
				return fmt.Errorf("%s row %d: %s.bytes is null (the example's file is not embedded in the parquet)", shard.Path, row, f.split.Column)
			}
			name := f.itemName(names[i], shard.Path, row)
			if err := atomicfile.Write(filepath.Join(f.dir, name), raw, 0o644); err != nil {
				return err
			}
			f.names[name] = true
			f.m.Items = append(f.m.Items, SplitItem{File: name, Shard: shard.Path, Row: row, SHA256: sha256Hex(raw), Bytes: int64(len(raw))})
			f.have += f.units(raw)
		}
		firstRow += groups[g].NumRows()
		rec.RowGroupsRead = g + 1
		if err := f.m.write(f.dir); err != nil {
			return err
		}
		r.drop()
	}
	fmt.Fprintf(f.opts.Log, "%s %s: %d row groups of %d read, %d bytes transferred of %d\n",
		f.split.Repo, shard.Path, rec.RowGroupsRead, rec.RowGroups, remote.Received(), shard.Size)
	if rec.RowGroupsRead == firstGroup { // nothing read: the manifest still learns the shard's row groups
		return f.m.write(f.dir)
	}
	return nil // written after each row group
}

// rowGroupSpan is the bytes [start, end) of a shard of size bytes that
// hold row group g's chunks of the columns cols, as the footer meta places
// them. A place outside the shard is an error: a corrupt or hostile footer
// would otherwise have all it claims fetched into memory.
func rowGroupSpan(meta *format.FileMetaData, g int, cols []int, size int64) (start, end int64, err error) {
	start = -1
	for _, col := range cols {
		md := meta.RowGroups[g].Columns[col].MetaData
		off := md.DataPageOffset
		if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < off {
			off = md.DictionaryPageOffset
		}
		if off < 0 || md.TotalCompressedSize < 0 || md.TotalCompressedSize > size-off {
			return 0, 0, fmt.Errorf("row group %d: the footer places column %d's %d bytes at offset %d, outside the %d-byte shard: the file is corrupt",
				g, col, md.TotalCompressedSize, off, size)
		}
		if start < 0 || off < start {
			start = off
		}
		end = max(end, off+md.TotalCompressedSize)
	}
	return start, end, nil
}

// prefetchRowGroup fetches bytes [start, end) of a shard, the example
// column's chunks of row group g, with a progress bar.
func (f *splitFetcher) prefetchRowGroup(r *spanReader, shard string, g, groups int, start, end int64) error {
	if f.opts.Progress == nil {
		return r.prefetch(start, end-start, nil)
	}
	bar := download.NewBar(f.opts.Progress, fmt.Sprintf("%s row group %d/%d", path.Base(shard), g+1, groups), end-start)
	err := r.prefetch(start, end-start, bar)
	bar.Finish()
	return err
}

// itemName is the file name of an example: the base name of the path its
// row records, when that is a plain, unused name; else one made from the
// shard and row.
func (f *splitFetcher) itemName(recorded []byte, shard string, row int64) string {
	name := path.Base(strings.ReplaceAll(string(recorded), `\`, "/"))
	if name == "." || name == "/" || name == SplitManifestName || strings.HasPrefix(name, ".") || !filepath.IsLocal(name) || f.names[name] {
		name = fmt.Sprintf("%s-row%07d%s", strings.TrimSuffix(path.Base(shard), ".parquet"), row, f.split.Ext)
	}
	return name
}

// columnValues reads every value of a byte-array column chunk, one per row
// (nil for a null), copied out of the page buffers.
func columnValues(chunk parquet.ColumnChunk) ([][]byte, error) {
	pages := chunk.Pages()
	defer pages.Close()
	var out [][]byte
	buf := make([]parquet.Value, 64)
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		values := page.Values()
		for {
			n, err := values.ReadValues(buf)
			for _, v := range buf[:n] {
				if v.IsNull() {
					out = append(out, nil)
				} else {
					out = append(out, bytes.Clone(v.ByteArray()))
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return nil, err
			}
		}
		parquet.Release(page)
	}
}

// spanReader serves a parquet reader from byte spans fetched beforehand in
// one range request each (the footer, a row group's column chunks), so that
// the library's many small reads cost no round trips. A read outside every
// span is fetched on its own.
type spanReader struct {
	remote *hub.RemoteFile
	spans  []span
}

type span struct {
	off  int64
	data []byte
}

// prefetch fetches [off, off+n) in one request.
func (r *spanReader) prefetch(off, n int64, progress io.Writer) error {
	data, err := r.remote.ReadRange(off, n, progress)
	if err != nil {
		return err
	}
	r.spans = append(r.spans, span{off, data})
	return nil
}

// drop forgets every span but the first (the footer), once a row group is done.
func (r *spanReader) drop() {
	if len(r.spans) > 1 {
		r.spans = r.spans[:1]
	}
}

func (r *spanReader) ReadAt(p []byte, off int64) (int, error) {
	for _, s := range r.spans {
		if off >= s.off && off+int64(len(p)) <= s.off+int64(len(s.data)) {
			return copy(p, s.data[off-s.off:]), nil
		}
	}
	return r.remote.ReadAt(p, off)
}
