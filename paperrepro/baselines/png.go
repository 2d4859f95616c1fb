package baselines

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"runtime"
)

// deletangPNGWidth is the row width Deletang et al.'s png.py gives a
// 2048-byte chunk: it reshapes the bytes into the closest pair of factors,
// 32 x 64, as PIL size (32, 64), i.e. 32 pixels wide and 64 high, so each
// 64-pixel row of a patch becomes two rows.
const deletangPNGWidth = 32

// pngCodec codes bytes as an 8-bit gray PNG image of a fixed width with Go's
// image/png at BestCompression (adaptive per-row filters, zlib level 9).
type pngCodec struct {
	name  string
	width int
}

// PNG returns PNG at best compression for bytes that are rows of width
// 8-bit gray pixels: width 64 for the 32x64 patches.
func PNG(width int) Codec { return pngCodec{name: "png", width: width} }

// PNG32Wide returns PNG at best compression with rows of 32 pixels: the
// shape Deletang et al.'s code gives a 2048-byte chunk (see ComparePublished).
func PNG32Wide() Codec { return pngCodec{name: "png-32wide", width: deletangPNGWidth} }

func (c pngCodec) Name() string    { return c.name }
func (c pngCodec) Setting() string { return fmt.Sprintf("best, %d pixels wide", c.width) }

// Unit is one pixel: an input shorter than a row becomes a one-row image
// as wide as the input, so the header is measured on a 1x1 image.
func (c pngCodec) Unit() int { return 1 }

func (c pngCodec) Implementation(context.Context) (string, error) {
	return "Go " + runtime.Version() + " image/png", nil
}

func (c pngCodec) Sizes(ctx context.Context, inputs [][]byte) ([]int, error) {
	return sizesOf(ctx, c, inputs)
}

func (c pngCodec) each(ctx context.Context, inputs [][]byte, visit func(int, []byte) error) error {
	if c.width <= 0 {
		return fmt.Errorf("png: width %d, want a positive number of pixels", c.width)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression, BufferPool: &onePNGBuffer{}}
	var buf bytes.Buffer
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, err := c.image(in)
		if err != nil {
			return fmt.Errorf("png: input %d: %w", i, err)
		}
		buf.Reset()
		if err := enc.Encode(&buf, img); err != nil {
			return fmt.Errorf("png: input %d: %w", i, err)
		}
		if err := visit(i, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// image views in as gray rows of c.width pixels (one shorter row when the
// whole input is shorter than a row).
func (c pngCodec) image(in []byte) (*image.Gray, error) {
	width := c.width
	if len(in) < width {
		width = len(in)
	}
	if width == 0 || len(in)%width != 0 {
		return nil, fmt.Errorf("%d bytes are not whole rows of %d pixels", len(in), c.width)
	}
	return &image.Gray{Pix: in, Stride: width, Rect: image.Rect(0, 0, width, len(in)/width)}, nil
}

// onePNGBuffer keeps the encoder's buffers (its zlib compressor among them)
// from one image to the next; one goroutine uses it.
type onePNGBuffer struct{ b *png.EncoderBuffer }

func (p *onePNGBuffer) Get() *png.EncoderBuffer  { return p.b }
func (p *onePNGBuffer) Put(b *png.EncoderBuffer) { p.b = b }
