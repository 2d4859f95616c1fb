package neox

import "testing"

// TestPythiaParameterCounts checks the counts computed from the Pythia
// shapes against the parameter counts the Pythia model cards state (the
// Hugging Face model cards of EleutherAI/pythia-*, table "naming convention
// and parameter count": total params and non-embedding params; the same
// numbers as the EleutherAI/pythia GitHub README). The -deduped twins share
// their size's config and counts.
func TestPythiaParameterCounts(t *testing.T) {
	cards := []struct {
		name                string
		total, nonEmbedding int
	}{
		{"pythia-70m", 70_426_624, 18_915_328},
		{"pythia-160m", 162_322_944, 85_056_000},
		{"pythia-410m", 405_334_016, 302_311_424},
		{"pythia-1b", 1_011_781_632, 805_736_448},
		{"pythia-1.4b", 1_414_647_808, 1_208_602_624},
		{"pythia-2.8b", 2_775_208_960, 2_517_652_480},
		{"pythia-6.9b", 6_857_302_016, 6_444_163_072},
		{"pythia-12b", 11_846_072_320, 11_327_027_200},
	}
	suite := PythiaSuite()
	if len(cards) != len(suite) {
		t.Fatalf("%d model cards for %d Pythia sizes", len(cards), len(suite))
	}
	for i, card := range cards {
		if suite[i].Name != card.name {
			t.Errorf("PythiaSuite()[%d] is %s, want %s", i, suite[i].Name, card.name)
		}
		for _, name := range []string{card.name, card.name + "-deduped"} {
			cfg, err := PythiaConfig(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if got := cfg.Parameters(); got != card.total {
				t.Errorf("%s: %d parameters, model card says %d", name, got, card.total)
			}
			if got := cfg.NonEmbeddingParameters(); got != card.nonEmbedding {
				t.Errorf("%s: %d non-embedding parameters, model card says %d", name, got, card.nonEmbedding)
			}
			if got, want := cfg.EmbeddingParameters(), 2*cfg.VocabSize*cfg.HiddenSize; got != want {
				t.Errorf("%s: %d embedding parameters, want embed_in + embed_out = %d", name, got, want)
			}
		}
	}
}

// TestParameterCountsMatchWeightSpecs checks the counts against the tensors
// a checkpoint of the shape holds (weightSpecs), tied embeddings and
// bias-free attention included, so the formulas cannot drift from the model.
func TestParameterCountsMatchWeightSpecs(t *testing.T) {
	base := pythiaShape(64, 3, 4, 1000)
	tied, noBias := base, base
	tied.TieWordEmbeddings = true
	noBias.AttentionBias = false
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"untied", base}, {"tied", tied}, {"no attention bias", noBias}} {
		total, embedding := 0, 0
		for _, spec := range weightSpecs(tc.cfg) {
			n := 1
			for _, d := range spec.Shape {
				n *= d
			}
			total += n
			if spec.Name == "gpt_neox.embed_in.weight" || spec.Name == outputLayerName {
				embedding += n
			}
		}
		if got := tc.cfg.Parameters(); got != total {
			t.Errorf("%s: Parameters() = %d, the checkpoint's tensors hold %d", tc.name, got, total)
		}
		if got := tc.cfg.EmbeddingParameters(); got != embedding {
			t.Errorf("%s: EmbeddingParameters() = %d, embed_in and embed_out hold %d", tc.name, got, embedding)
		}
	}
}

func TestPythiaConfigNames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hidden  int
		wantErr bool
	}{
		{"pythia-70m", 512, false},
		{"70m", 512, false},
		{"pythia-1.4b-deduped", 2048, false},
		{"EleutherAI/pythia-12b-deduped", 5120, false},
		{"6.9b", 4096, false},
		{"pythia-3b", 0, true},
		{"", 0, true},
	} {
		cfg, err := PythiaConfig(tc.name)
		if (err != nil) != tc.wantErr || cfg.HiddenSize != tc.hidden {
			t.Errorf("PythiaConfig(%q) = hidden %d, %v; want hidden %d, error %v", tc.name, cfg.HiddenSize, err, tc.hidden, tc.wantErr)
		}
	}
}

func TestPythiaDeduped(t *testing.T) {
	p := PythiaSuite()[0]
	d := p.Deduped()
	if d.Name != "pythia-70m-deduped" || d.Config != p.Config || d.Deduped() != d {
		t.Errorf("Deduped() of %s = %+v", p.Name, d)
	}
}
