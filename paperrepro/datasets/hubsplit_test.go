package datasets_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"
	"github.com/parquet-go/parquet-go"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
)

// exampleFile is the datasets library's Audio and Image column: the file's
// bytes and its path.
type exampleFile struct {
	Bytes []byte  `parquet:"bytes,optional"`
	Path  *string `parquet:"path,optional"`
}

// audioRow and imageRow are rows of the hub's LibriSpeech and ImageNet
// parquet shards (the columns that matter, and a bulky one that must never
// be transferred).
type audioRow struct {
	Audio exampleFile `parquet:"audio"`
	ID    string      `parquet:"id"`
	Text  string      `parquet:"text"`
}

type imageRow struct {
	Image exampleFile `parquet:"image"`
	Label int64       `parquet:"label"`
	Notes string      `parquet:"notes"`
}

// bulk makes a column large enough that reading it would show in the bytes
// served.
func bulk(seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, 20<<10)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// writeShard writes rows as a parquet file with rowsPerGroup rows per row
// group. Like the hub's shards (written by pyarrow, which leaves out
// statistics of values over 4 KiB), its footer stays small: no page bounds.
func writeShard[T any](t *testing.T, rows []T, rowsPerGroup int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, parquet.MaxRowsPerRowGroup(int64(rowsPerGroup)),
		parquet.ColumnIndexSizeLimit(func([]string) int { return 16 }),
		parquet.SkipPageBounds("audio", "bytes"), parquet.SkipPageBounds("image", "bytes"),
		parquet.SkipPageBounds("text"), parquet.SkipPageBounds("notes"))
	for i := 0; i < len(rows); i += rowsPerGroup {
		if _, err := w.Write(rows[i:min(i+rowsPerGroup, len(rows))]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeFLAC encodes 16 kHz mono 16-bit samples as a FLAC file (one
// verbatim frame), with the MD5 of the audio in its header.
func encodeFLAC(t *testing.T, samples []int16) []byte {
	t.Helper()
	pcm := make([]byte, 0, 2*len(samples))
	values := make([]int32, len(samples))
	for i, s := range samples {
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(s))
		values[i] = int32(s)
	}
	info := &meta.StreamInfo{
		BlockSizeMin: uint16(len(samples)), BlockSizeMax: uint16(len(samples)),
		SampleRate: 16000, NChannels: 1, BitsPerSample: 16, NSamples: uint64(len(samples)), MD5sum: md5.Sum(pcm),
	}
	var buf bytes.Buffer
	enc, err := flac.NewEncoder(&buf, info)
	if err != nil {
		t.Fatal(err)
	}
	f := &frame.Frame{
		Header:    frame.Header{HasFixedBlockSize: true, BlockSize: uint16(len(samples)), SampleRate: 16000, Channels: frame.ChannelsMono, BitsPerSample: 16},
		Subframes: []*frame.Subframe{{SubHeader: frame.SubHeader{Pred: frame.PredVerbatim}, Samples: values, NSamples: len(samples)}},
	}
	if err := enc.WriteFrame(f); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// utterance is one LibriSpeech-like example made for a test.
type utterance struct {
	id      string
	samples []int16
	flac    []byte
}

func makeUtterances(t *testing.T, n, length int) []utterance {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]utterance, n)
	for i := range out {
		samples := make([]int16, length)
		for k := range samples {
			samples[k] = int16(rng.IntN(65536) - 32768)
		}
		samples[0], samples[1], samples[2] = 0, 1, -1 // the cases the conversion treats apart
		out[i] = utterance{id: fmt.Sprintf("%d-%d-%04d", 900-i, 100+i, i), samples: samples}
		out[i].flac = encodeFLAC(t, samples)
	}
	return out
}

func audioRows(utts []utterance) []audioRow {
	rows := make([]audioRow, len(utts))
	for i, u := range utts {
		name := u.id + ".flac"
		rows[i] = audioRow{Audio: exampleFile{Bytes: u.flac, Path: &name}, ID: u.id, Text: bulk(uint64(i))}
	}
	return rows
}

// servedSpan returns the byte span of the columns column.bytes and
// column.path of row group g of the parquet file data.
func servedSpan(t *testing.T, data []byte, column string, g int) int64 {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	start, end := int64(-1), int64(0)
	for _, leaf := range []string{"bytes", "path"} {
		col, ok := f.Schema().Lookup(column, leaf)
		if !ok {
			t.Fatalf("no column %s.%s", column, leaf)
		}
		md := f.Metadata().RowGroups[g].Columns[col.ColumnIndex].MetaData
		off := md.DataPageOffset
		if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < off {
			off = md.DictionaryPageOffset
		}
		if start < 0 || off < start {
			start = off
		}
		end = max(end, off+md.TotalCompressedSize)
	}
	return end - start
}

// footer is what a fetch reads of every shard it opens: its last 64 KiB.
func footer(data []byte) int64 { return min(64<<10, int64(len(data))) }

const speechRepo = "openslr/librispeech_asr"

func TestFetchSpeechReadsOnlyTheNeededRowGroups(t *testing.T) {
	utts := makeUtterances(t, 9, 1000) // 2000 bytes of int16 each
	rows := audioRows(utts)
	shard0 := writeShard(t, rows[:6], 3) // row groups of 3 utterances
	shard1 := writeShard(t, rows[6:], 3)
	server := hubtest.Start(t, t.TempDir(), "EleutherAI")
	server.AddDataset(speechRepo, map[string][]byte{
		"clean/train.100/0000.parquet": shard0,
		"clean/train.100/0001.parquet": shard1,
		"clean/test/0000.parquet":      shard1,
		"README.md":                    []byte("card"),
	})
	client := &hub.Client{Endpoint: server.URL, CacheDir: t.TempDir()}
	dataDir := t.TempDir()

	// 4 chunks of 2048 bytes need 8192 bytes: 5 utterances, so row groups 0
	// and 1 of the first shard, and nothing of the second.
	opts := datasets.FetchOptions{Hub: client, Count: 4}
	dir, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(dataDir, "librispeech", "train.100") {
		t.Errorf("fetched into %s", dir)
	}
	want := footer(shard0) + servedSpan(t, shard0, "audio", 0) + servedSpan(t, shard0, "audio", 1)
	if got := server.BytesServed(speechRepo, "clean/train.100/0000.parquet"); got != want {
		t.Errorf("served %d bytes of shard 0 (%d in all), want %d: the footer and the audio columns of row groups 0 and 1", got, len(shard0), want)
		for _, r := range server.Requests() {
			t.Logf("%s %s %s", r.Method, r.Path, r.Range)
		}
	}
	if want >= int64(len(shard0))/2 {
		t.Errorf("the test's shard is too small to show anything: %d bytes needed of %d", want, len(shard0))
	}
	if got := server.BytesServed(speechRepo, "clean/train.100/0001.parquet"); got != 0 {
		t.Errorf("served %d bytes of shard 1, want none", got)
	}

	// The files are the rows' FLAC bytes, in the split's order.
	m, err := datasets.ReadSplitManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != 6 || m.Commit != server.DatasetCommit(speechRepo) {
		t.Fatalf("manifest lists %d items at %s, want the 6 rows of two row groups at %s", len(m.Items), m.Commit, server.DatasetCommit(speechRepo))
	}
	for i, it := range m.Items {
		if it.File != utts[i].id+".flac" || it.Row != int64(i) || !bytes.Equal(readFile(t, filepath.Join(dir, it.File)), utts[i].flac) {
			t.Errorf("item %d: %+v is not the bytes of %s", i, it, utts[i].id)
		}
	}

	// The chunks: the samples of the utterances in the split's order, each
	// moved one step toward 0 as the paper's float round trip does.
	var wantBytes []byte
	for _, u := range utts {
		for _, s := range u.samples {
			switch {
			case s > 0:
				s--
			case s < 0:
				s++
			}
			wantBytes = binary.LittleEndian.AppendUint16(wantBytes, uint16(s))
		}
	}
	src, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{Count: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := allChunks(t, src); !bytes.Equal(got, wantBytes[:len(got)]) || len(got) != 4*2048 {
		t.Errorf("chunks differ from the converted samples of the source files")
	}
	if prov := src.Provenance(); prov.Rule != datasets.RulePaper || len(prov.Files) != 5 || prov.Files[0].Path != utts[0].id+".flac" {
		t.Errorf("provenance %+v: want rule paper over the first 5 utterances", prov)
	}

	// The folder rule takes the same files in file-name order, raw.
	pcm, err := datasets.Open(datasets.Speech, dataDir, datasets.Options{Count: 1, Rule: datasets.RulePCM16})
	if err != nil {
		t.Fatal(err)
	}
	if first := pcm.Provenance().Files[0].Path; first != utts[5].id+".flac" {
		t.Errorf("pcm16 starts with %s, want the smallest name %s.flac", first, utts[5].id)
	}

	// Fetching again transfers nothing; more chunks transfer the next row group.
	before := server.BytesServed(speechRepo, "clean/train.100/0000.parquet")
	if _, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts); err != nil {
		t.Fatal(err)
	}
	if after := server.BytesServed(speechRepo, "clean/train.100/0000.parquet"); after != before {
		t.Errorf("a second fetch transferred %d bytes, want 0", after-before)
	}
	opts.Count = 8 // 16384 bytes: 9 utterances, the first row group of shard 1
	if _, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts); err != nil {
		t.Fatal(err)
	}
	if got, want := server.BytesServed(speechRepo, "clean/train.100/0001.parquet"), footer(shard1)+servedSpan(t, shard1, "audio", 0); got != want {
		t.Errorf("served %d bytes of shard 1, want %d", got, want)
	}
	if m, _ = datasets.ReadSplitManifest(dir); len(m.Items) != 9 {
		t.Errorf("manifest lists %d items after the larger fetch, want 9", len(m.Items))
	}
}

func TestSplitFilesAreChecked(t *testing.T) {
	utts := makeUtterances(t, 3, 2048)
	server := hubtest.Start(t, t.TempDir(), "EleutherAI")
	server.AddDataset(speechRepo, map[string][]byte{"clean/train.100/0000.parquet": writeShard(t, audioRows(utts), 3)})
	dataDir := t.TempDir()
	opts := datasets.FetchOptions{Hub: &hub.Client{Endpoint: server.URL, CacheDir: t.TempDir()}, Count: 2}
	dir, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, utts[0].id+".flac")
	corrupt := slices.Clone(utts[0].flac)
	corrupt[len(corrupt)-1] ^= 1
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = datasets.Open(datasets.Speech, dataDir, datasets.Options{Count: 2})
	wantError(t, err, path, "sha256", "fetch again")
	if _, err := datasets.Fetch(context.Background(), datasets.Speech, dataDir, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), utts[0].flac) {
		t.Errorf("fetching again did not restore %s", path)
	}
}

const imageRepo = "ILSVRC/imagenet-1k"

// grayJPEG encodes a w x h gray image with a pattern made from seed.
func grayJPEG(t *testing.T, w, h int, seed uint64) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range img.Pix {
		img.Pix[i] = byte(i%w*3 + i/w*5 + rng.IntN(40))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchImagesSkipsSmallOnesAndKeepsTheSplitOrder(t *testing.T) {
	sizes := [][2]int{{100, 50}, {40, 20}, {80, 40}, {64, 32}, {90, 45}, {120, 60}}
	var rows []imageRow
	for i, s := range sizes {
		name := fmt.Sprintf("ILSVRC2012_val_%08d_n0000000%d.JPEG", len(sizes)-i, i)
		rows = append(rows, imageRow{Image: exampleFile{Bytes: grayJPEG(t, s[0], s[1], uint64(i)), Path: &name}, Label: int64(i), Notes: bulk(uint64(i))})
	}
	shard := writeShard(t, rows, 2)
	server := hubtest.Start(t, t.TempDir(), "EleutherAI")
	server.AddDataset(imageRepo, map[string][]byte{"data/validation-00000-of-00001.parquet": shard, "data/train-00000-of-00001.parquet": shard})
	server.GateDataset(imageRepo, "secret")
	dataDir := t.TempDir()
	fetch := func(token string, count int) error {
		client := &hub.Client{Endpoint: server.URL, CacheDir: t.TempDir(), Token: token}
		_, err := datasets.Fetch(context.Background(), datasets.Image, dataDir, datasets.FetchOptions{Hub: client, Count: count})
		return err
	}

	// Gated: without a token, and with a refused one, the message gives both ways.
	err := fetch("", 3)
	wantError(t, err, "gated", "HF_TOKEN", "https://image-net.org", "ILSVRC2012_img_val.tar", filepath.Join(dataDir, "imagenet", "val"))
	if !errors.Is(err, hub.ErrGated) {
		t.Errorf("error %v does not wrap hub.ErrGated", err)
	}
	wantError(t, fetch("wrong", 3), "refused", "accept the terms")

	// 3 usable images: rows 0, 2 and 3 (row 1 is smaller than a patch), so
	// row groups 0 and 1.
	if err := fetch("secret", 3); err != nil {
		t.Fatal(err)
	}
	path := "data/validation-00000-of-00001.parquet"
	if got, want := server.BytesServed(imageRepo, path), footer(shard)+servedSpan(t, shard, "image", 0)+servedSpan(t, shard, "image", 1); got != want {
		t.Errorf("served %d bytes of %d, want %d", got, len(shard), want)
	}
	src, err := datasets.Open(datasets.Image, dataDir, datasets.Options{Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	prov := src.Provenance()
	if prov.Rule != datasets.RulePaper || len(prov.Skipped) != 1 || prov.Skipped[0].Path != *rows[1].Image.Path {
		t.Errorf("provenance %+v: want rule paper with row 1 skipped", prov)
	}
	for k, row := range []int{0, 2, 3} {
		if prov.Files[k].Path != *rows[row].Image.Path {
			t.Errorf("patch %d from %s, want %s", k, prov.Files[k].Path, *rows[row].Image.Path)
		}
		img, err := jpeg.Decode(bytes.NewReader(rows[row].Image.Bytes))
		if err != nil {
			t.Fatal(err)
		}
		chunk, _ := src.Chunk(k)
		if !isPaperCrop(img.(*image.Gray), chunk) {
			t.Errorf("patch %d is no 32x64 window of image %d at x0 < max(1, W-64), y0 < max(1, H-32)", k, row)
		}
	}
	if _, err := datasets.Open(datasets.Image, dataDir, datasets.Options{Count: 5}); err == nil {
		t.Error("5 patches from 4 fetched images (3 usable): no error")
	}

	// A fetched image changed since: its sha256 no longer matches the
	// split's manifest, under the paper's rule and the folder rules alike.
	changed := prov.Files[1].Path
	if err := os.WriteFile(filepath.Join(dataDir, "imagenet", "validation", changed), rows[0].Image.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"", datasets.RuleRandomCrop} {
		_, err := datasets.Open(datasets.Image, dataDir, datasets.Options{Count: 3, Rule: rule})
		wantError(t, err, changed, "changed since it was fetched")
	}
}

// isPaperCrop reports whether patch is a 32 x 64 window of img at an offset
// the paper's np.random.randint(0, max(1, W-64)) can give.
func isPaperCrop(img *image.Gray, patch []byte) bool {
	b := img.Bounds()
	for y0 := range max(1, b.Dy()-32) {
		for x0 := range max(1, b.Dx()-64) {
			match := true
			for y := 0; y < 32 && match; y++ {
				row := img.Pix[img.PixOffset(x0, y0+y):][:64]
				match = bytes.Equal(row, patch[64*y:64*(y+1)])
			}
			if match {
				return true
			}
		}
	}
	return false
}

func TestPaperRuleNeedsTheSplitOrder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.flac", readFile(t, filepath.Join("..", "..", "testdata", "datasets", "speech", "tone-16khz.flac")))
	_, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: dir, Rule: datasets.RulePaper, ChunkSize: 64, Count: 1})
	wantError(t, err, "paper", "no split.json", "fetch-data -modalities speech", `"pcm16"`)
	// Without a rule, a folder of files is cut by the folder rule, as before.
	var log bytes.Buffer
	def, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: dir, ChunkSize: 64, Count: 4, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := datasets.Open(datasets.Speech, "", datasets.Options{Path: dir, Rule: datasets.RulePCM16, ChunkSize: 64, Count: 4})
	if err != nil {
		t.Fatal(err)
	}
	if def.Provenance().Rule != datasets.RulePCM16 || !bytes.Equal(allChunks(t, def), allChunks(t, pcm)) {
		t.Errorf("the default rule on a folder gave rule %s, other bytes than pcm16", def.Provenance().Rule)
	}
	wantError(t, errors.New(log.String()), "file-name order", "fetch-data")
}
