package notebook

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

func TestAllDataFindsEveryPlaceInLookupOrder(t *testing.T) {
	p := places(t)
	touch(t, filepath.Join(p.Shared, "data", "librispeech-sample", "a.flac"))
	touch(t, filepath.Join(p.DataDir, "librispeech", "flac", "a.flac"))
	all, err := p.AllData("speech")
	if err != nil || len(all) != 2 || all[0].Place != DataFolder || all[1].Place != Shared {
		t.Errorf("speech in the data folder and ../shared: %v, %v", all, err)
	}
	if first, err := p.Data("speech"); err != nil || first != all[0] {
		t.Errorf("Data = %v, %v; want AllData's first, %v", first, err, all[0])
	}
}

// LargestSample reads the place with the most chunks, not the first:
// testdata/'s two utterances come first, ../shared's forty hold more.
func TestLargestSampleReadsThePlaceWithTheMostChunks(t *testing.T) {
	shared := testenv.Shared(t, "data", "librispeech-sample")
	t.Setenv("PAPERREPRO_DATA", t.TempDir())
	t.Setenv("PAPERREPRO_SHARED", filepath.Dir(filepath.Dir(shared)))
	first, _, ok := OpenDataWith(datasets.Speech, datasets.Options{Rule: datasets.RulePCM8, Count: allChunks})
	if !ok {
		t.Fatal("no speech data")
	}
	src, found, ok := LargestSample(datasets.Speech, datasets.Options{Rule: datasets.RulePCM8, Count: 1})
	if !ok || found.Place != Shared || src.NumChunks() <= first.NumChunks() || src.Provenance().Rule != datasets.RulePCM8 {
		t.Errorf("LargestSample: %v, %d chunks; the first place holds %d", found, src.NumChunks(), first.NumChunks())
	}
}

// The curves, the gray rules and the setup on ../shared's sample; the
// numbers are those `paperrepro baselines` and package baselines' tests
// measure on the same chunks.
func TestDeletangCurvesOnTheSharedSample(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: compresses every tile and speech chunk of ../shared")
	}
	root := filepath.Dir(testenv.Shared(t, "data", "imagenet-sample"))
	t.Setenv("PAPERREPRO_DATA", t.TempDir())
	t.Setenv("PAPERREPRO_SHARED", filepath.Dir(root))
	curves := DeletangCurves()
	var names []string
	for _, c := range curves {
		names = append(names, c.Codec)
		if c.Found.Place != Shared || c.Points[0].Chunks != 256 || c.Last().Chunks < 2048 {
			t.Errorf("%s: %d points from %v, %d to %d chunks", c.Codec, len(c.Points), c.Found, c.Points[0].Chunks, c.Last().Chunks)
		}
	}
	if strings.Join(names, " ") != "png png-32wide flac" {
		t.Fatalf("curves of %q, want png, png-32wide (tiles) and flac (pcm8)", names)
	}
	flac := curves[2]
	if flac.Last().Chunks != 3749 || !near(flac.Points[0].HeaderOnce, 0.2376, 5e-5) || !near(flac.Last().HeaderOnce, 0.2701, 5e-5) {
		t.Errorf("pcm8 FLAC: %+v, want 0.2376 at 256 chunks and 0.2701 on all 3749", flac.Points)
	}
	if lo, hi := flac.Range(); lo != flac.Points[0].HeaderOnce || !near(hi, 0.2822, 5e-5) {
		t.Errorf("pcm8 FLAC's range %.4f to %.4f", lo, hi)
	}
	table := SampleSizeTable(curves).Text()
	if !strings.Contains(table, "flac (-8, 8-bit unsigned mono 16000 Hz)\t256\t0.2376\t") || !strings.Contains(table, baselines.DeletangPublished[1].Cited().Markdown()) {
		t.Errorf("SampleSizeTable:\n%s", table)
	}
	setup := DeletangSetupTable(curves).Text()
	for _, want := range []string{"8138 image chunks (rule `tiles`) from 100 files", "3749 speech chunks (rule `pcm8`) from 40 files", "image/png, best, 32 pixels wide", baselines.DeletangSetup.Gray.Markdown()} {
		if !strings.Contains(setup, want) {
			t.Errorf("DeletangSetupTable lacks %q:\n%s", want, setup)
		}
	}
	g, ok := CompareGray(curves)
	if !ok || g.Chunks != 8138 || !near(g.Luma, curves[1].Last().HeaderOnce, 0) || !near(g.Mean, 0.6612, 5e-5) {
		t.Errorf("CompareGray = %+v, want luma as png-32wide's curve on all 8138 tiles, mean 0.6612", g)
	}
}

func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }

func TestCompareGrayNeedsTheCurveOfPNG32Wide(t *testing.T) {
	if _, ok := CompareGray([]SampleCurve{{Codec: "flac"}}); ok {
		t.Error("CompareGray without a png-32wide curve: ok")
	}
}

func TestCurveSummaryAndGrayReading(t *testing.T) {
	pub := baselines.DeletangPublished[0]
	png := SampleCurve{Published: pub, Rule: "tiles", Codec: "png-32wide", Points: []baselines.SamplePoint{{Chunks: 256, HeaderOnce: 0.65}, {Chunks: 512, HeaderOnce: 0.69}, {Chunks: 700, HeaderOnce: 0.66}}}
	if got, want := png.Summary(), "png-32wide on image chunks (rule `tiles`): 0.6500 at 256 chunks, 0.6600 on all 700, between 0.6500 and 0.6900 on the way"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	one := SampleCurve{Published: pub, Rule: "tiles", Codec: "png", Points: []baselines.SamplePoint{{Chunks: 100, HeaderOnce: 0.6}}}
	if got := one.Summary(); !strings.HasSuffix(got, "0.6000 on all 100, too few for a curve") {
		t.Errorf("one point: %q", got)
	}
	if c, ok := (Curves{one, png}).Find("png-32wide"); !ok || c.Codec != "png-32wide" {
		t.Errorf("Find(png-32wide) = %v, %v", c.Codec, ok)
	}
	if _, ok := (Curves{one}).Find("flac"); ok {
		t.Error("Find(flac) among png curves: ok")
	}
	wide := SampleCurve{Published: pub, Rule: "tiles", Codec: "png", Setting: "best, 64 pixels wide", Points: []baselines.SamplePoint{{Chunks: 700, HeaderOnce: 0.6}}}
	png.Setting = "best, 32 pixels wide"
	reading := SampleReading(Curves{wide, png})
	for _, want := range []string{"- png on image chunks", "- png-32wide on image chunks", "On the same 700 tiles, `png-32wide` (best, 32 pixels wide, their shape) gives 0.6600 and `png` (best, 64 pixels wide, a patch's own rows) 0.6000: the row width alone moves the ratio by +0.0600."} {
		if !strings.Contains(reading, want) {
			t.Errorf("SampleReading lacks %q:\n%s", want, reading)
		}
	}
	if strings.Contains(SampleReading(Curves{png}), "row") {
		t.Error("SampleReading of one PNG width speaks of the width")
	}
	small := GrayComparison{Chunks: 700, Luma: 0.660, Mean: 0.662}
	if got := small.Reading(png); !strings.Contains(got, "a difference of 0.0020, 20 times smaller than what the sample alone moves it (0.6500 to 0.6900)") {
		t.Errorf("a small difference: %q", got)
	}
	large := GrayComparison{Chunks: 700, Luma: 0.60, Mean: 0.66}
	if got := large.Reading(png); !strings.Contains(got, "a cause of the gap in its own right") {
		t.Errorf("a large difference: %q", got)
	}
}

func TestSessionValueComputesOncePerSession(t *testing.T) {
	calls := 0
	compute := func() ([]int, bool) { calls++; return []int{calls}, true }
	t.Setenv("GONB_TMP_DIR", "")
	sessionValue("x", compute)
	sessionValue("x", compute)
	if calls != 2 {
		t.Errorf("outside GoNB: %d computations, want 2", calls)
	}
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	first, _ := sessionValue("x", compute)
	again, ok := sessionValue("x", compute)
	if calls != 3 || !ok || again[0] != first[0] {
		t.Errorf("in a session: %d computations, values %v then %v", calls, first, again)
	}
	none := func() ([]int, bool) { calls++; return nil, false }
	sessionValue("y", none)
	if _, ok := sessionValue("y", none); ok || calls != 5 {
		t.Errorf("nothing to keep is not kept: ok=%v, %d computations", ok, calls)
	}
}
