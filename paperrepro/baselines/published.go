package baselines

import (
	"strings"

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

// DeletangPublished lists the figures of Deletang et al. that ours are put
// beside. Their chunks: ImageNet images converted to gray by the mean of
// R, G and B, cut into 32x64 tiles; LibriSpeech train-clean-100 samples
// reduced to 8 bits (pcm8); 2048 bytes each; the header counted once.
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
