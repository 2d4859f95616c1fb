package datasets_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

func TestImageSharedFixtures(t *testing.T) {
	dataDir := sharedData(t)
	for _, tc := range []struct{ rule, fixture string }{
		{datasets.RuleRandomCrop, "random-crop-seed0-first64.bin"},
		{datasets.RuleTiles, "tiles-first64.bin"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			want := readFile(t, testenv.Shared(t, "fixtures", "patches", tc.fixture))
			src, err := datasets.Open(datasets.Image, dataDir, datasets.Options{Rule: tc.rule, Count: 64})
			if err != nil {
				t.Fatal(err)
			}
			got := allChunks(t, src)
			if !bytes.Equal(got, want) {
				for i := range 64 {
					if !bytes.Equal(got[i*2048:(i+1)*2048], want[i*2048:(i+1)*2048]) {
						t.Fatalf("patch %d differs from %s (first of the 64 that does)", i, tc.fixture)
					}
				}
			}
			if prov := src.Provenance(); prov.Rule != tc.rule || len(prov.Files) == 0 || prov.Files[0].Path != "n01440764_tench.JPEG" {
				t.Errorf("provenance %+v: want rule %s starting with n01440764_tench.JPEG", prov, tc.rule)
			}
		})
	}
}

// encodePNG encodes img as PNG.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// grayRamp is a w x h gray image whose pixel (x, y) is (x + 3y) % 256.
func grayRamp(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{Y: uint8(x + 3*y)})
		}
	}
	return img
}

// colorImage is a w x h RGB image with distinct channels per pixel.
func colorImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(2 * y), B: uint8(x * y), A: 255})
		}
	}
	return img
}

// pilLuma is PIL's convert("L"), written out here independently of the package.
func pilLuma(c color.NRGBA) byte {
	return byte((19595*int(c.R) + 38470*int(c.G) + 7471*int(c.B) + 32768) >> 16)
}

// patchOf returns the 64x32 patch of img at (x0, y0) as the package should.
func patchOf(img image.Image, x0, y0 int) []byte {
	var out []byte
	for y := y0; y < y0+32; y++ {
		for x := x0; x < x0+64; x++ {
			switch m := img.(type) {
			case *image.Gray:
				out = append(out, m.GrayAt(x, y).Y)
			case *image.NRGBA:
				out = append(out, pilLuma(m.NRGBAAt(x, y)))
			}
		}
	}
	return out
}

// truncatedJPEG is a JPEG cut in half: its header reads, its pixels do not.
func truncatedJPEG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, colorImage(128, 64), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[:buf.Len()/2]
}

func TestImageTilesSkipCorruptAndSmallImages(t *testing.T) {
	dir := t.TempDir()
	ramp, colored := grayRamp(70, 40), colorImage(128, 33)
	writeFile(t, dir, "a.png", encodePNG(t, ramp))
	writeFile(t, dir, "b.JPEG", truncatedJPEG(t))
	writeFile(t, dir, "c.png", encodePNG(t, grayRamp(63, 100)))
	writeFile(t, dir, "sub/d.PNG", encodePNG(t, colored))
	writeFile(t, dir, "notes.txt", []byte("not an image"))

	var log bytes.Buffer
	src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 3, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(patchOf(ramp, 0, 0), patchOf(colored, 0, 0)...), patchOf(colored, 64, 0)...)
	if got := allChunks(t, src); !bytes.Equal(got, want) {
		t.Error("tiles differ from the images' 32x64 tiles in file-name order")
	}
	for _, name := range []string{"b.JPEG", "c.png"} {
		if !strings.Contains(log.String(), name) {
			t.Errorf("warnings %q do not name %s", log.String(), name)
		}
	}
	prov := src.Provenance()
	if len(prov.Skipped) != 2 || prov.Skipped[0].Path != "b.JPEG" || prov.Skipped[1].Path != "c.png" {
		t.Errorf("skipped %+v, want b.JPEG then c.png", prov.Skipped)
	}
	if len(prov.Files) != 2 || prov.Files[0].Path != "a.png" || prov.Files[1].Path != "sub/d.PNG" {
		t.Errorf("files %+v, want a.png then sub/d.PNG", prov.Files)
	}

	_, err = datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 4})
	wantError(t, err, "3 whole 32x64 tiles", "4 requested")
}

func TestImageRandomCropCyclesThroughImages(t *testing.T) {
	dir := t.TempDir()
	// Exactly one patch in size: every crop sits at (0, 0), whatever the seed.
	exact := grayRamp(64, 32)
	writeFile(t, dir, "only.png", encodePNG(t, exact))
	src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Count: 5, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat(patchOf(exact, 0, 0), 5)
	if got := allChunks(t, src); !bytes.Equal(got, want) {
		t.Error("random crops of a patch-sized image are not the image itself, five times")
	}
	if prov := src.Provenance(); len(prov.Files) != 1 || prov.Parameters["seed"] != uint64(7) {
		t.Errorf("provenance %+v: want one file and seed 7", prov)
	}
}

func TestImageRandomCropFollowsTheRule(t *testing.T) {
	dir := t.TempDir()
	a, c := grayRamp(100, 50), colorImage(80, 40)
	writeFile(t, dir, "a.png", encodePNG(t, a))
	writeFile(t, dir, "b.png", encodePNG(t, grayRamp(64, 31)))
	writeFile(t, dir, "c.png", encodePNG(t, c))
	const seed, count = 3, 7
	// The rule as ../shared/README.md states it: x0 = IntN(W-64+1), then
	// y0 = IntN(H-32+1), cycling through the usable images in name order.
	rng := rand.New(rand.NewPCG(seed, 0))
	var want []byte
	for i := range count {
		img := []image.Image{a, c}[i%2]
		b := img.Bounds()
		x0 := rng.IntN(b.Dx() - 64 + 1)
		y0 := rng.IntN(b.Dy() - 32 + 1)
		want = append(want, patchOf(img, x0, y0)...)
	}
	src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Count: count, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if got := allChunks(t, src); !bytes.Equal(got, want) {
		t.Error("random crops differ from the rule applied by hand")
	}
	if prov := src.Provenance(); len(prov.Skipped) != 1 || len(prov.Files) != 2 {
		t.Errorf("provenance %+v: want b.png skipped once and a.png, c.png used", prov)
	}
}

func TestImageRandomCropIsSeeded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "big.png", encodePNG(t, colorImage(300, 200)))
	open := func(seed uint64) []byte {
		src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Count: 8, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return allChunks(t, src)
	}
	if !bytes.Equal(open(1), open(1)) {
		t.Error("the same seed gave different crops")
	}
	if bytes.Equal(open(1), open(2)) {
		t.Error("seeds 1 and 2 gave the same crops")
	}
}

func TestImageErrors(t *testing.T) {
	empty := t.TempDir()
	corrupt := t.TempDir()
	writeFile(t, corrupt, "x.jpg", truncatedJPEG(t))
	writeFile(t, corrupt, "y.jpeg", []byte("garbage"))
	for _, tc := range []struct {
		name string
		opts datasets.Options
		want []string
	}{
		{"empty directory", datasets.Options{Path: empty}, []string{"no JPEG or PNG images", empty}},
		{"missing directory", datasets.Options{Path: empty + "/nope"}, []string{"nope"}},
		{"only corrupt images", datasets.Options{Path: corrupt, Count: 1}, []string{"none of the 2 images"}},
		{"unknown rule", datasets.Options{Path: corrupt, Rule: "pcm8"}, []string{"pcm8"}},
		{"patch width not dividing chunk", datasets.Options{Path: corrupt, PatchWidth: 100}, []string{"100 pixels"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datasets.Open(datasets.Image, "", tc.opts)
			wantError(t, err, tc.want...)
		})
	}
}

// bombPNG is a PNG whose header claims width x height gray pixels and
// whose data is a few bytes: what a decompression bomb's header says.
func bombPNG(t *testing.T, width, height uint32) []byte {
	t.Helper()
	b := encodePNG(t, grayRamp(1, 1))
	// The IHDR chunk: length (4), "IHDR", width, height at 16 and 20, its CRC at 29.
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// bombJPEG is a JPEG whose frame header claims width x height pixels.
func bombJPEG(t *testing.T, width, height uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, colorImage(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	sof := bytes.Index(b, []byte{0xff, 0xc0})
	if sof < 0 {
		t.Fatal("no SOF0 marker in the encoded JPEG")
	}
	// FF C0, length (2), precision (1), height (2), width (2).
	binary.BigEndian.PutUint16(b[sof+5:], height)
	binary.BigEndian.PutUint16(b[sof+7:], width)
	return b
}

// TestImageBombsAreSkipped: an image whose header claims more pixels than
// a photograph has (a decompression bomb) is skipped with a warning from
// its header alone, before anything is decoded, like other unusable images.
func TestImageBombsAreSkipped(t *testing.T) {
	dir := t.TempDir()
	ramp := grayRamp(70, 40)
	writeFile(t, dir, "0bomb.png", bombPNG(t, 20000, 20000))
	writeFile(t, dir, "1bomb.JPEG", bombJPEG(t, 20000, 20000))
	writeFile(t, dir, "a.png", encodePNG(t, ramp))
	var log bytes.Buffer
	src, err := datasets.Open(datasets.Image, "", datasets.Options{Path: dir, Rule: datasets.RuleTiles, Count: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if got := allChunks(t, src); !bytes.Equal(got, patchOf(ramp, 0, 0)) {
		t.Error("the chunk is not a.png's first tile")
	}
	prov := src.Provenance()
	if len(prov.Skipped) != 2 {
		t.Fatalf("skipped %+v, want both bombs", prov.Skipped)
	}
	for _, s := range prov.Skipped {
		if !strings.Contains(s.Reason, "20000x20000 pixels in its header") || !strings.Contains(log.String(), s.Path) {
			t.Errorf("%s skipped for %q (log %q); want its header's 20000x20000 pixels named", s.Path, s.Reason, log.String())
		}
	}
}
