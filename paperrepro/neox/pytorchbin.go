package neox

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// A pytorch_model.bin is a zip archive (torch.save since PyTorch 1.6):
// <root>/data.pkl pickles the state dict, each tensor as a call to
// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...), where a
// storage is a persistent id ("storage", torch.HalfStorage, key, device, numel)
// whose bytes are the archive entry <root>/data/<key>.
//
// gopickle unpickles data.pkl; we resolve storages ourselves, lazily, so that
// only one tensor's bytes are in memory at a time, and convert F16 with
// x448/float16 (gopickle's own half-float conversion is wrong for subnormals
// and negative zero in v0.2.0). Every tensor's view is checked against its
// storage when the file is opened, so a damaged file is refused by name
// before any weight is read.

// maxPickleBytes bounds data.pkl: a state dict's pickle is about 100 bytes
// per tensor (tens of kilobytes for Pythia-12b).
const maxPickleBytes = 64 << 20

// pytorchBin is an open pytorch_model.bin.
type pytorchBin struct {
	path    string
	file    io.Closer            // nil when read from memory
	entries map[string]*zip.File // by name inside the archive
	root    string               // folder holding data.pkl
	tensors map[string]*pickledTensor
	stored  map[string]storedTensor
}

// torchStorage is a storage referenced from data.pkl, read on demand.
type torchStorage struct {
	dtype string // safetensors spelling
	key   string
	numel int
}

// torchStorageClass stands for torch.<Type>Storage while unpickling.
type torchStorageClass struct{ dtype string }

// pickledTensor is a tensor view on a storage.
type pickledTensor struct {
	storage *torchStorage
	offset  int
	size    []int
	stride  []int
	order   int // how many tensors data.pkl built before this one
}

// torchStorageDTypes maps torch storage class names to dtypes.
var torchStorageDTypes = map[string]string{
	"FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16",
	"DoubleStorage": "F64", "LongStorage": "I64", "IntStorage": "I32",
	"ShortStorage": "I16", "CharStorage": "I8", "ByteStorage": "U8", "BoolStorage": "BOOL",
}

// tensorRebuilder is torch._utils._rebuild_tensor_v2; it keeps every tensor
// it builds, in order, so that a tensor the state dict dropped is seen.
type tensorRebuilder struct{ built []*pickledTensor }

func (r *tensorRebuilder) Call(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %d arguments, want at least 4", len(args))
	}
	for i, arg := range args[:4] {
		if arg == nil {
			return nil, fmt.Errorf("_rebuild_tensor_v2: argument %d is None", i+1)
		}
	}
	storage, ok1 := args[0].(*torchStorage)
	offset, ok2 := args[1].(int)
	size, ok3 := args[2].(*types.Tuple)
	stride, ok4 := args[3].(*types.Tuple)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: unexpected arguments %T, %T, %T, %T", args[0], args[1], args[2], args[3])
	}
	t := &pickledTensor{storage: storage, offset: offset, order: len(r.built)}
	var err error
	if t.size, err = intsOf("size", size); err != nil {
		return nil, err
	}
	if t.stride, err = intsOf("stride", stride); err != nil {
		return nil, err
	}
	r.built = append(r.built, t)
	return t, nil
}

func intsOf(what string, tuple *types.Tuple) ([]int, error) {
	out := make([]int, tuple.Len())
	for i := range out {
		v, ok := tuple.Get(i).(int)
		if !ok {
			return nil, fmt.Errorf("_rebuild_tensor_v2: %s %v: want a tuple of ints", what, tuple)
		}
		out[i] = v
	}
	return out, nil
}

// openPytorchBin opens the pytorch_model.bin at filePath; see readPytorchBin.
func openPytorchBin(filePath string) (_ *pytorchBin, err error) {
	f, err := os.Open(filePath)
	if err != nil {
		return nil, fmt.Errorf("opening weights: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", filePath, err)
	}
	b, err := readPytorchBin(filePath, f, info.Size())
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	b.file = f
	return b, nil
}

// readPytorchBin reads the archive directory and data.pkl of a torch zip
// archive of size bytes, and checks every tensor's view against its storage;
// tensors are read from r later, one at a time. path names it in errors.
func readPytorchBin(filePath string, r io.ReaderAt, size int64) (_ *pytorchBin, err error) {
	archive, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: opening as a torch zip archive (legacy non-zip torch.save files are not supported): %w", filePath, err)
	}
	b := &pytorchBin{path: filePath, entries: map[string]*zip.File{},
		tensors: map[string]*pickledTensor{}, stored: map[string]storedTensor{}}
	defer panics.Recover(&err, "%s: reading data.pkl", filePath) // gopickle can panic on malformed input
	var pkl *zip.File
	for _, f := range archive.File {
		b.entries[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && (pkl == nil || len(f.Name) < len(pkl.Name)) {
			pkl = f
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%s: no data.pkl in the archive", filePath)
	}
	b.root = path.Dir(pkl.Name)
	if pkl.UncompressedSize64 > maxPickleBytes {
		return nil, fmt.Errorf("%s: %s has %d bytes, more than a state dict's %d at most (not a checkpoint?)", filePath, pkl.Name, pkl.UncompressedSize64, maxPickleBytes)
	}
	pklData, err := readZipEntry(pkl)
	if err != nil {
		return nil, fmt.Errorf("%s: reading %s: %w", filePath, pkl.Name, err)
	}
	if err := checkPickle(pklData); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", filePath, pkl.Name, err)
	}
	rebuilder := &tensorRebuilder{}
	u := pickle.NewUnpickler(bytes.NewReader(pklData))
	u.FindClass = func(module, name string) (any, error) {
		if module == "torch._utils" && name == "_rebuild_tensor_v2" {
			return rebuilder, nil
		}
		if dtype, ok := torchStorageDTypes[name]; ok && module == "torch" {
			return &torchStorageClass{dtype}, nil
		}
		return nil, fmt.Errorf("unsupported class %s.%s in data.pkl", module, name)
	}
	storages := map[string]*torchStorage{}
	u.PersistentLoad = func(id any) (any, error) {
		tuple, ok := id.(*types.Tuple)
		if !ok || tuple.Len() < 5 || tuple.Get(0) != "storage" {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		class, ok1 := tuple.Get(1).(*torchStorageClass)
		key, ok2 := tuple.Get(2).(string)
		numel, ok3 := tuple.Get(4).(int)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("unexpected storage id %v", id)
		}
		if numel < 0 {
			return nil, fmt.Errorf("storage %s has %d elements", key, numel)
		}
		s := &torchStorage{dtype: class.dtype, key: key, numel: numel}
		if prev, ok := storages[key]; ok {
			if *prev != *s {
				return nil, fmt.Errorf("storage %s is described twice, as %d x %s and as %d x %s", key, prev.numel, prev.dtype, s.numel, s.dtype)
			}
			return prev, nil
		}
		storages[key] = s
		return s, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: reading data.pkl: %w", filePath, err)
	}
	names, err := b.addStateDict(obj)
	if err != nil {
		return nil, err
	}
	if err := b.checkNoneDropped(names, rebuilder.built); err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := b.checkView(name); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// addStateDict records the name -> tensor entries of the unpickled state
// dict and returns the names in the order data.pkl lists them.
func (b *pytorchBin) addStateDict(obj any) ([]string, error) {
	var names []string
	add := func(key, value any) error {
		name, ok := key.(string)
		if !ok {
			if key == nil {
				return fmt.Errorf("%s: a state dict key is None", b.path)
			}
			return fmt.Errorf("%s: state dict key %v is a %T, want a string", b.path, key, key)
		}
		if _, dup := b.tensors[name]; dup {
			return fmt.Errorf("%s: the state dict lists tensor %q twice: a damaged or hand-made file (readers differ on which entry counts)", b.path, name)
		}
		t, ok := value.(*pickledTensor)
		if !ok {
			if value == nil {
				return fmt.Errorf("%s: tensor %q is None, want a tensor", b.path, name)
			}
			return fmt.Errorf("%s: state dict entry %q is a %T, want a tensor", b.path, name, value)
		}
		b.tensors[name] = t
		b.stored[name] = storedTensor{DType: t.storage.dtype, Shape: t.size, File: b.path}
		names = append(names, name)
		return nil
	}
	switch dict := obj.(type) {
	case *types.OrderedDict:
		for e := dict.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, err
			}
		}
	case *types.Dict:
		for _, entry := range *dict {
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, err
			}
		}
	case nil:
		return nil, fmt.Errorf("%s: data.pkl holds None, want a state dict", b.path)
	default:
		return nil, fmt.Errorf("%s: data.pkl holds a %T, want a state dict", b.path, obj)
	}
	return names, nil
}

// checkNoneDropped refuses a data.pkl that built a tensor its state dict
// does not hold. An OrderedDict keeps only the last of two entries of one
// name, so a tensor listed twice shows up as a tensor left over; the name
// listed twice is the first entry (in data.pkl's order) holding a tensor
// built after the first one left over.
func (b *pytorchBin) checkNoneDropped(names []string, built []*pickledTensor) error {
	held := map[*pickledTensor]bool{}
	for _, name := range names {
		held[b.tensors[name]] = true
	}
	first := slices.IndexFunc(built, func(t *pickledTensor) bool { return !held[t] })
	if first < 0 {
		return nil
	}
	dropped := built[first]
	for _, name := range names {
		if b.tensors[name].order > first {
			return fmt.Errorf("%s: the state dict lists tensor %q twice (the later entry replaced the earlier, of shape %v): a damaged or hand-made file",
				b.path, name, dropped.size)
		}
	}
	return fmt.Errorf("%s: data.pkl builds a tensor of shape %v (storage %s) that the state dict does not hold: a tensor listed twice, or more than a state dict",
		b.path, dropped.size, dropped.storage.key)
}

// checkView checks that tensor name's view (offset, sizes and strides) lies
// inside its storage and that the storage's bytes are in the archive.
func (b *pytorchBin) checkView(name string) error {
	t := b.tensors[name]
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: tensor %q: %s", b.path, name, fmt.Sprintf(format, args...))
	}
	if len(t.size) != len(t.stride) {
		return fail("size %v and stride %v differ in rank", t.size, t.stride)
	}
	if t.offset < 0 {
		return fail("negative storage offset %d", t.offset)
	}
	numel, last := int64(1), int64(t.offset)
	for i, d := range t.size {
		if d < 0 {
			return fail("negative size in %v", t.size)
		}
		if t.stride[i] < 0 {
			return fail("negative stride in %v (PyTorch writes none)", t.stride)
		}
		if d > 0 && numel > math.MaxInt64/int64(d) {
			return fail("size %v has too many elements", t.size)
		}
		numel *= int64(d)
		if d > 0 && t.stride[i] > 0 {
			if int64(d-1) > (math.MaxInt64-last)/int64(t.stride[i]) {
				last = math.MaxInt64
				continue
			}
			last += int64(d-1) * int64(t.stride[i])
		}
	}
	if numel > 0 && last >= int64(t.storage.numel) {
		return fail("size %v, stride %v at offset %d run past its storage of %d elements", t.size, t.stride, t.offset, t.storage.numel)
	}
	elemSize, ok := storedDTypeSizes[t.storage.dtype]
	if !ok {
		return fail("storage dtype %s has no known size", t.storage.dtype)
	}
	entryName := b.storageEntry(t.storage)
	entry, ok := b.entries[entryName]
	if !ok {
		return fail("storage %s is missing from the archive", entryName)
	}
	if want := uint64(t.storage.numel) * uint64(elemSize); entry.UncompressedSize64 != want {
		return fail("storage %s has %d bytes, want %d (%d x %s)", entryName, entry.UncompressedSize64, want, t.storage.numel, t.storage.dtype)
	}
	return nil
}

// storageEntry is the archive entry holding a storage's bytes.
func (b *pytorchBin) storageEntry(s *torchStorage) string {
	return strings.TrimPrefix(b.root+"/data/"+s.key, "./")
}

func (b *pytorchBin) Tensors() map[string]storedTensor { return b.stored }

// ReadFloat32 reads tensor name's storage from the archive and copies the
// view (offset and strides, checked by checkView) into dst, converting to
// float32. The whole storage is read, so that the archive's CRC-32 of it
// is checked: a flipped byte is an error, not a wrong weight.
func (b *pytorchBin) ReadFloat32(name string, dst []float32) error {
	t, ok := b.tensors[name]
	if !ok {
		return fmt.Errorf("%s: no tensor %q", b.path, name)
	}
	elemSize, ok := dtypeSizes[t.storage.dtype]
	if !ok {
		return fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", b.path, name, t.storage.dtype)
	}
	numel := 1
	for _, d := range t.size {
		numel *= d
	}
	if len(dst) != numel {
		return fmt.Errorf("%s: tensor %q has %d elements, destination wants %d", b.path, name, numel, len(dst))
	}
	entryName := b.storageEntry(t.storage)
	raw, err := readZipEntry(b.entries[entryName])
	if errors.Is(err, zip.ErrChecksum) {
		return fmt.Errorf("%s: tensor %q: storage %s fails the archive's CRC-32 check: damaged weights (fetch or copy the file again)", b.path, name, entryName)
	}
	if err != nil {
		return fmt.Errorf("%s: tensor %q: reading storage %s: %w", b.path, name, entryName, err)
	}
	if contiguous(t.size, t.stride) {
		convertToFloat32(t.storage.dtype, raw[t.offset*elemSize:], dst)
		return checkFinite(b.path, name, dst, 0)
	}
	var one [1]float32
	index := make([]int, len(t.size))
	for i := range dst {
		off := t.offset
		for axis, j := range index {
			off += j * t.stride[axis]
		}
		convertToFloat32(t.storage.dtype, raw[off*elemSize:], one[:])
		dst[i] = one[0]
		for axis := len(index) - 1; axis >= 0; axis-- {
			index[axis]++
			if index[axis] < t.size[axis] {
				break
			}
			index[axis] = 0
		}
	}
	return checkFinite(b.path, name, dst, 0)
}

// readZipEntry reads a whole archive entry, of the size its header gives,
// to its end, where the archive checks the entry's CRC-32 (zip.ErrChecksum).
func readZipEntry(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	data := make([]byte, f.UncompressedSize64)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	var extra [1]byte
	if n, err := r.Read(extra[:]); n != 0 {
		return nil, fmt.Errorf("more bytes than the archive lists")
	} else if err != io.EOF {
		return nil, err
	}
	return data, nil
}

// contiguous reports whether strides are those of a row-major array of size.
func contiguous(size, stride []int) bool {
	want := 1
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}

func (b *pytorchBin) Close() error {
	if b.file == nil {
		return nil
	}
	return b.file.Close()
}
