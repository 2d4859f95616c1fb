package baselines

import (
	"fmt"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// Published is a compression ratio Deletang et al. published for a
// classical codec on their data.
type Published struct {
	Modality, Codec string
	CR              float64
	// Data says what they compressed, Source where the figure is printed.
	Data, Source string
}

// deletangSource is where the published figures below are printed.
const deletangSource = "Deletang et al., Language Modeling Is Compression, ICLR 2024, abstract (arXiv:2309.10668v2)"

// Cited returns the published figure as a cited fact: its CR and where it
// is printed.
func (p Published) Cited() cite.Fact {
	return cite.Fact{Value: fmt.Sprintf("%.3f", p.CR), Source: p.Source}
}

// DeletangPublished lists the figures of Deletang et al. that ours are put
// beside. Their chunks: ImageNet images converted to gray by the mean of
// R, G and B, cut into 32x64 tiles; LibriSpeech train-clean-100 samples
// reduced to 8 bits (pcm8); 2048 bytes each; the header counted once
// (DeletangSetup cites their code).
var DeletangPublished = []Published{
	{Modality: datasets.Image, Codec: "png", CR: 0.585, Data: "ImageNet 32x64 gray tiles", Source: deletangSource},
	{Modality: datasets.Speech, Codec: "flac", CR: 0.303, Data: "LibriSpeech 8-bit samples", Source: deletangSource},
}

// PublishedRow puts one published figure beside one of our codecs on the
// same modality, under Deletang et al.'s data rule, in every accounting.
type PublishedRow struct {
	Published
	// Rule is the data rule of ours (DeletangRules).
	Rule string
	// Codec and Setting name our codec: the published one, or a variant of
	// it such as png-32wide (their reshaping of a chunk).
	Codec, Setting string
	// CR holds our compression ratio under each accounting.
	CR map[Accounting]float64
}

// ComparePublished returns one row per published figure and matching codec
// of ours (the codec or a variant named codec-...) on Deletang et al.'s
// rules, in the order of DeletangPublished and then of the table.
func ComparePublished(t Table) []PublishedRow {
	var out []PublishedRow
	for _, p := range DeletangPublished {
		rule := DeletangRules[p.Modality]
		for _, r := range t.Select(p.Modality, rule, PerChunkHeaderOnce) {
			if r.Codec != p.Codec && !strings.HasPrefix(r.Codec, p.Codec+"-") {
				continue
			}
			row := PublishedRow{Published: p, Rule: rule, Codec: r.Codec, Setting: r.Setting, CR: map[Accounting]float64{}}
			for _, a := range Accountings {
				if res, ok := t.Find(p.Modality, rule, r.Codec, a); ok {
					row.CR[a] = res.CR()
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// deletangCode is where Deletang et al.'s code states how their figures
// were made.
const deletangCode = "google-deepmind/language_modeling_is_compression, commit 89b454c"

// DeletangSetup is how Deletang et al. made their published figures, as
// their code states it, and so what a comparison of theirs with ours must
// account for beyond the codecs' names. What can be measured here is
// measured by the package: the width of the PNG rows (PNG against
// PNG32Wide), the sample (SampleSizeCurve) and the gray conversion
// (datasets.GrayMean against the paper's luma); their sample's size, their
// FLAC encoder and PIL's PNG encoder cannot be run here and are cited.
var DeletangSetup = struct {
	// Chunks is their sample: many more chunks than ours (2048 at most).
	Chunks cite.Fact
	// PNG is their image codec and its row width.
	PNG cite.Fact
	// FLAC is their speech codec.
	FLAC cite.Fact
	// Gray is their conversion of ImageNet's colour images to gray.
	Gray cite.Fact
}{
	Chunks: cite.Fact{Value: "488,281 chunks of 2048 bytes (1 GB) of each data set", Source: deletangCode + ", constants.py (NUM_CHUNKS, CHUNK_SIZE_BYTES)"},
	PNG:    cite.Fact{Value: "PIL, Image.save(format='PNG', optimize=True), each chunk as an image 32 pixels wide and 64 high", Source: deletangCode + ", compressors/png.py"},
	FLAC:   cite.Fact{Value: "ffmpeg through pydub, -compression_level 12, 8-bit mono samples at 16 kHz", Source: deletangCode + ", compressors/flac.py"},
	Gray:   cite.Fact{Value: "np.mean(image, axis=-1).astype(np.uint8): the mean of R, G and B, rounded down", Source: deletangCode + ", data_loaders.py"},
}
