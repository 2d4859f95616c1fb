package datasets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"math/rand/v2"
	"os"
	"runtime"
)

// Image rules.
const (
	// RuleRandomCrop takes one patch per image at a random offset, cycling
	// through the images again when they run out: the paper's crop for a folder of
	// files in file-name order (see RulePaper for the split's order).
	RuleRandomCrop = "random-crop"
	// RuleTiles takes every non-overlapping patch of each image, row-major
	// over the tile grid, dropping partial edge tiles (Deletang et al. 2023).
	RuleTiles = "tiles"
)

// Gray conversions of Options.Gray.
const (
	// GrayLuma is PIL's convert("L"), the ITU-R 601 luma, which the paper's
	// code uses: L = (19595 R + 38470 G + 7471 B + 32768) >> 16.
	GrayLuma = "luma"
	// GrayMean is the mean of R, G and B, rounded down: L = (R + G + B) / 3.
	GrayMean = "mean"
)

// DefaultPatchWidth is the width of an image patch; with 2048-byte chunks
// patches are 32 rows x 64 columns.
const DefaultPatchWidth = 64

// decodedImage is one input image after reading and decoding.
type decodedImage struct {
	path   string
	img    image.Image
	sha256 string
	bytes  int64
	err    error
}

// openImages cuts grayscale patches from the JPEG and PNG images under dir,
// taken in the split's order (rule paper) or in byte-wise sorted file-name
// order (random-crop, tiles). An image that fails to decode is skipped with
// a warning naming it (and listed in Provenance.Skipped): one bad file among
// ImageNet's 50,000 should not stop a run, and skipping keeps the output a
// deterministic function of the folder's contents.
func openImages(dir string, opts Options) (Source, error) {
	rule, err := resolveRule(Image, dir, opts, RuleRandomCrop, RuleRandomCrop, RuleTiles)
	if err != nil {
		return nil, err
	}
	width := opts.PatchWidth
	if width == 0 {
		width = DefaultPatchWidth
	}
	if width < 0 || opts.ChunkSize%width != 0 {
		return nil, fmt.Errorf("image: chunk size %d is not a whole number of rows of %d pixels", opts.ChunkSize, width)
	}
	height := opts.ChunkSize / width
	files, records, err := orderedFiles(dir, rule, ".jpeg", ".jpg", ".png")
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("image: no JPEG or PNG images under %s", dir)
	}

	params := map[string]any{"patch_width": width, "patch_height": height}
	gray := luma
	switch opts.Gray {
	case "", GrayLuma:
	case GrayMean:
		gray = meanGray
		params["gray"] = "(R+G+B)/3, rounded down"
	default:
		return nil, fmt.Errorf("image: unknown gray conversion %q (want %s or %s)", opts.Gray, GrayLuma, GrayMean)
	}
	var rng *rand.Rand
	if rule != RuleTiles {
		rng = rand.New(rand.NewPCG(opts.Seed, 0))
		params["seed"] = opts.Seed
	}
	if rule == RulePaper {
		splitParameters(params, dir)
		params["offsets"] = "x0 = IntN(max(1, W-64)), y0 = IntN(max(1, H-32)): the range of the paper's np.random.randint(0, max(1, W-64))"
	}
	prov := Provenance{Modality: Image, Rule: rule, ChunkSize: opts.ChunkSize, Count: opts.Count, Parameters: params, Root: dir}
	need := opts.ChunkSize * opts.Count
	data := make([]byte, 0, need)
	used := map[string]bool{}
	seen := map[string]bool{}

	// Random crops pass over the images again only when there are fewer
	// images than chunks; only then is keeping them decoded worth memory.
	images := newImageStream(files, rule == RuleRandomCrop && len(files) < opts.Count)
	defer images.close()
	for k, usableInPass := 0, 0; len(data) < need; k++ {
		if k > 0 && k%len(files) == 0 {
			switch rule {
			case RuleTiles:
				return nil, tooFewChunks(len(data)/opts.ChunkSize, opts.Count, "image: the images under %s give %d whole %dx%d tiles, %d requested", dir, len(data)/opts.ChunkSize, height, width, opts.Count)
			case RulePaper:
				return nil, tooFewChunks(len(data)/opts.ChunkSize, opts.Count, "image: the %d images fetched into %s give %d usable images (one patch each, no image used twice), %d requested: fetch more with `%s -chunks %d`",
					len(files), dir, len(data)/opts.ChunkSize, opts.Count, FetchDataCommand(Image), opts.Count)
			}
			if usableInPass == 0 {
				return nil, fmt.Errorf("image: none of the %d images under %s is usable (see the warnings)", len(files), dir)
			}
			usableInPass = 0
		}
		d := images.next(k)
		if d.err == nil {
			if err := checkSplitRecord(records, d.path, d.sha256, d.bytes); err != nil {
				return nil, fmt.Errorf("image: %w", err)
			}
		}
		firstVisit := !seen[d.path]
		seen[d.path] = true
		if reason := unusable(d, width, height); reason != "" {
			if firstVisit {
				fmt.Fprintf(opts.Log, "warning: skipping image %s: %s\n", d.path, reason)
				prov.Skipped = append(prov.Skipped, SkippedFile{Path: relPath(dir, d.path), Reason: reason})
			}
			continue
		}
		usableInPass++
		if !used[d.path] {
			used[d.path] = true
			prov.Files = append(prov.Files, FileRecord{Path: relPath(dir, d.path), SHA256: d.sha256, Bytes: d.bytes})
		}
		bounds := d.img.Bounds()
		if rule == RulePaper {
			x0 := rng.IntN(max(1, bounds.Dx()-width))
			y0 := rng.IntN(max(1, bounds.Dy()-height))
			data = appendGrayPatch(data, d.img, bounds.Min.X+x0, bounds.Min.Y+y0, width, height, gray)
			continue
		}
		if rule == RuleRandomCrop {
			x0 := rng.IntN(bounds.Dx() - width + 1)
			y0 := rng.IntN(bounds.Dy() - height + 1)
			data = appendGrayPatch(data, d.img, bounds.Min.X+x0, bounds.Min.Y+y0, width, height, gray)
			continue
		}
		for y0 := bounds.Min.Y; y0+height <= bounds.Max.Y && len(data) < need; y0 += height {
			for x0 := bounds.Min.X; x0+width <= bounds.Max.X && len(data) < need; x0 += width {
				data = appendGrayPatch(data, d.img, x0, y0, width, height, gray)
			}
		}
	}
	return newMemorySource(Image, opts.ChunkSize, data, prov), nil
}

// unusable says why a decoded image gives no patch, or "" when it does.
func unusable(d decodedImage, width, height int) string {
	if d.err != nil {
		return d.err.Error()
	}
	if b := d.img.Bounds(); b.Dx() < width || b.Dy() < height {
		return fmt.Sprintf("%dx%d pixels, smaller than a %dx%d patch", b.Dx(), b.Dy(), width, height)
	}
	return ""
}

// cacheBudget bounds the decoded pixels kept for random-crop's later passes
// over a small directory (such as the 100-image shared sample, passed over
// 20 times for 2048 patches): decoding dominates the cost.
const cacheBudget = 256 << 20

// imageStream delivers decoded images in file order, cycling, and replays
// the first pass from memory when it fits in cacheBudget.
type imageStream struct {
	files      []string
	decoded    <-chan decodedImage
	stop       func()
	stopped    bool
	cache      []decodedImage
	cacheBytes int
	caching    bool
}

func newImageStream(files []string, cycles bool) *imageStream {
	decoded, stop := decodeInOrder(files)
	return &imageStream{files: files, decoded: decoded, stop: stop, caching: cycles}
}

// next returns the image for step k (file k mod len(files)).
func (s *imageStream) next(k int) decodedImage {
	if k >= len(s.files) && s.caching {
		s.close()
		return s.cache[k%len(s.files)]
	}
	d := <-s.decoded
	if s.caching && k < len(s.files) {
		s.cacheBytes += decodedSize(d.img)
		s.cache = append(s.cache, d)
		if s.cacheBytes > cacheBudget {
			s.caching, s.cache = false, nil
		}
	}
	return d
}

// close releases the decoding workers; it may be called more than once.
func (s *imageStream) close() {
	if !s.stopped {
		s.stopped = true
		s.stop()
	}
}

// decodedSize estimates the memory a decoded image holds.
func decodedSize(img image.Image) int {
	switch m := img.(type) {
	case nil:
		return 0
	case *image.YCbCr:
		return len(m.Y) + len(m.Cb) + len(m.Cr)
	case *image.Gray:
		return len(m.Pix)
	}
	return 8 * img.Bounds().Dx() * img.Bounds().Dy()
}

// decodeInOrder decodes files[0], files[1], ..., cycling forever, on all CPUs
// but delivered in order, a few images ahead of the consumer. Call stop when
// done to release the workers.
func decodeInOrder(files []string) (images <-chan decodedImage, stop func()) {
	workers := runtime.GOMAXPROCS(0)
	out := make(chan decodedImage)
	queue := make(chan chan decodedImage, 2*workers)
	done := make(chan struct{})
	slots := make(chan struct{}, workers)
	go func() {
		defer close(queue)
		for k := 0; ; k++ {
			result := make(chan decodedImage, 1)
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			go func(path string) {
				defer func() { <-slots }()
				result <- decodeImage(path)
			}(files[k%len(files)])
			select {
			case queue <- result:
			case <-done:
				return
			}
		}
	}()
	go func() {
		defer close(out)
		for result := range queue {
			select {
			case out <- <-result:
			case <-done:
				return
			}
		}
	}()
	return out, func() { close(done) }
}

// Limits on an image file, far above any photograph's (ImageNet's largest
// are a few tens of megapixels in a few megabytes): a file beyond them is
// skipped rather than read or decoded, since a decoder allocates the pixels
// its header claims - a 14 MB PNG can claim 120000x120000 of them.
const (
	maxImageFileBytes = 256 << 20
	maxImagePixels    = 1 << 26
)

// checkPixels refuses an image whose header claims more than maxImagePixels.
func checkPixels(cfg image.Config) error {
	if pixels := int64(cfg.Width) * int64(cfg.Height); pixels > maxImagePixels {
		return fmt.Errorf("%dx%d pixels in its header, more than the %d an image may have here (a decompression bomb, or no photograph)", cfg.Width, cfg.Height, maxImagePixels)
	}
	return nil
}

// decodeImage reads, hashes and decodes one image file, after checking
// the size of the file and the pixels its header claims.
func decodeImage(path string) decodedImage {
	info, err := os.Stat(path)
	if err != nil {
		return decodedImage{path: path, err: err}
	}
	if info.Size() > maxImageFileBytes {
		return decodedImage{path: path, bytes: info.Size(), err: fmt.Errorf("%d bytes, more than the %d an image file may have here", info.Size(), maxImageFileBytes)}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return decodedImage{path: path, err: err}
	}
	d := decodedImage{path: path, sha256: sha256Hex(raw), bytes: int64(len(raw))}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		d.err = fmt.Errorf("decoding: %w", err)
		return d
	}
	if d.err = checkPixels(cfg); d.err != nil {
		return d
	}
	d.img, _, d.err = image.Decode(bytes.NewReader(raw))
	if d.err != nil {
		d.err = fmt.Errorf("decoding: %w", d.err)
	}
	return d
}

// appendGrayPatch appends the width x height patch of img at (x0, y0), row
// by row, as 8-bit gray(R, G, B) (luma or meanGray). Gray images are taken
// as they are.
func appendGrayPatch(dst []byte, img image.Image, x0, y0, width, height int, gray func(r, g, b uint8) byte) []byte {
	switch m := img.(type) {
	case *image.Gray:
		for y := y0; y < y0+height; y++ {
			start := m.PixOffset(x0, y)
			dst = append(dst, m.Pix[start:start+width]...)
		}
	case *image.YCbCr:
		for y := y0; y < y0+height; y++ {
			for x := x0; x < x0+width; x++ {
				c := m.YCbCrAt(x, y)
				r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
				dst = append(dst, gray(r, g, b))
			}
		}
	default:
		for y := y0; y < y0+height; y++ {
			for x := x0; x < x0+width; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				dst = append(dst, gray(c.R, c.G, c.B))
			}
		}
	}
	return dst
}

// luma is PIL's convert("L") on 8-bit R, G, B.
func luma(r, g, b uint8) byte {
	return byte((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 32768) >> 16)
}

// meanGray is the mean of 8-bit R, G and B, rounded down.
func meanGray(r, g, b uint8) byte {
	return byte((uint32(r) + uint32(g) + uint32(b)) / 3)
}
