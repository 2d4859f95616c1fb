package neox

import "testing"

// TestPythiaParameterCounts checks the Pythia shapes against the parameter
// counts on the Pythia model cards (EleutherAI/pythia README, "Total
// params" and "Non-embedding params").
func TestPythiaParameterCounts(t *testing.T) {
	cards := []struct {
		name                 string
		total, nonEmbeddings int
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
	if len(cards) != len(PythiaSuite()) {
		t.Fatalf("%d model cards for %d Pythia sizes", len(cards), len(PythiaSuite()))
	}
	for _, card := range cards {
		cfg, err := PythiaConfig(card.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", card.name, err)
		}
		if got := cfg.Parameters(); got != card.total {
			t.Errorf("%s: %d parameters, model card says %d", card.name, got, card.total)
		}
		if got := cfg.NonEmbeddingParameters(); got != card.nonEmbeddings {
			t.Errorf("%s: %d non-embedding parameters, model card says %d", card.name, got, card.nonEmbeddings)
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
		{"pythia-3b", 0, true},
		{"", 0, true},
	} {
		cfg, err := PythiaConfig(tc.name)
		if (err != nil) != tc.wantErr || cfg.HiddenSize != tc.hidden {
			t.Errorf("PythiaConfig(%q) = hidden %d, %v; want hidden %d, error %v", tc.name, cfg.HiddenSize, err, tc.hidden, tc.wantErr)
		}
	}
}
