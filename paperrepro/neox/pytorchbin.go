package neox

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// pytorchBin is a pytorch_model.bin state dict (a torch zip pickle, or the
// legacy format), read with gopickle. gopickle decodes every storage into
// memory as it unpickles, so a .bin checkpoint briefly holds one float32
// copy of the weights in Go memory besides the backend's copy.
type pytorchBin struct {
	path    string
	tensors map[string]*pytorch.Tensor
	stored  map[string]storedTensor
}

func openPytorchBin(path string) (_ *pytorchBin, err error) {
	defer func() {
		// gopickle can panic on malformed input; turn that into an error naming the file.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: reading torch pickle: %v", path, r)
		}
	}()
	obj, err := pytorch.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading torch pickle: %w", path, err)
	}
	b := &pytorchBin{path: path, tensors: map[string]*pytorch.Tensor{}, stored: map[string]storedTensor{}}
	add := func(key, value any) error {
		name, ok := key.(string)
		if !ok {
			return fmt.Errorf("%s: state dict key %v is a %T, want a string", path, key, key)
		}
		t, ok := value.(*pytorch.Tensor)
		if !ok {
			return fmt.Errorf("%s: state dict entry %q is a %T, want a tensor", path, name, value)
		}
		b.tensors[name] = t
		b.stored[name] = storedTensor{DType: storageDType(t.Source), Shape: append([]int{}, t.Size...), File: path}
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
	default:
		return nil, fmt.Errorf("%s: top-level object is a %T, want a state dict", path, obj)
	}
	return b, nil
}

// storageDType names a torch storage type with the safetensors spelling.
func storageDType(s pytorch.StorageInterface) string {
	switch s.(type) {
	case *pytorch.FloatStorage:
		return "F32"
	case *pytorch.HalfStorage:
		return "F16"
	case *pytorch.BFloat16Storage:
		return "BF16"
	case *pytorch.DoubleStorage:
		return "F64"
	case *pytorch.LongStorage:
		return "I64"
	case *pytorch.IntStorage:
		return "I32"
	case *pytorch.BoolStorage:
		return "BOOL"
	case *pytorch.ByteStorage:
		return "U8"
	}
	return fmt.Sprintf("%T", s)
}

func (b *pytorchBin) Tensors() map[string]storedTensor { return b.stored }

// ReadFloat32 copies tensor name, honouring its storage offset and strides,
// into dst. gopickle has already widened F16 and BF16 storages to float32.
func (b *pytorchBin) ReadFloat32(name string, dst []float32) error {
	t, ok := b.tensors[name]
	if !ok {
		return fmt.Errorf("%s: no tensor %q", b.path, name)
	}
	var data []float32
	switch s := t.Source.(type) {
	case *pytorch.FloatStorage:
		data = s.Data
	case *pytorch.HalfStorage:
		data = s.Data
	case *pytorch.BFloat16Storage:
		data = s.Data
	default:
		return fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", b.path, name, storageDType(t.Source))
	}
	numel := 1
	for _, d := range t.Size {
		numel *= d
	}
	if len(dst) != numel || len(t.Stride) != len(t.Size) {
		return fmt.Errorf("%s: tensor %q: shape %v, strides %v, destination wants %d elements", b.path, name, t.Size, t.Stride, len(dst))
	}
	// Check the furthest element lies inside the storage before copying.
	last := t.StorageOffset
	for i, d := range t.Size {
		if d > 0 {
			last += (d - 1) * t.Stride[i]
		}
	}
	if numel > 0 && (t.StorageOffset < 0 || last >= len(data)) {
		return fmt.Errorf("%s: tensor %q: shape %v with strides %v at offset %d runs past its storage of %d elements", b.path, name, t.Size, t.Stride, t.StorageOffset, len(data))
	}
	index := make([]int, len(t.Size))
	for i := range dst {
		off := t.StorageOffset
		for axis, j := range index {
			off += j * t.Stride[axis]
		}
		dst[i] = data[off]
		for axis := len(index) - 1; axis >= 0; axis-- {
			index[axis]++
			if index[axis] < t.Size[axis] {
				break
			}
			index[axis] = 0
		}
	}
	return nil
}

func (b *pytorchBin) Close() error { return nil }
