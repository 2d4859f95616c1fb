package scaling

import (
	"math"
	"testing"
)

func grid3() []Observation {
	var obs []Observation
	for i, m := range []string{"s", "m", "l"} {
		for j, s := range []float64{1000, 2000, 4000} {
			cr := 0.5 - 0.1*float64(i) - 0.05*float64(j)
			if m == "s" && s == 4000 {
				cr = 0.47 // worse than at step 2000 (0.45)
			}
			obs = append(obs, Observation{Model: m, P: 1e6 * math.Pow(2, float64(i)), S: s, CR: cr})
		}
	}
	return obs
}

func TestStepGainsAndSizeEffect(t *testing.T) {
	obs := grid3()
	gains, err := StepGains(obs, 2000, 4000)
	if err != nil {
		t.Fatal(err)
	}
	want := []ModelGain{
		{Model: "s", P: 1e6, From: 0.45, To: 0.47, Gain: -0.02},
		{Model: "m", P: 2e6, From: 0.35, To: 0.30, Gain: 0.05},
		{Model: "l", P: 4e6, From: 0.25, To: 0.20, Gain: 0.05},
	}
	for i, g := range gains {
		w := want[i]
		if g.Model != w.Model || g.P != w.P || math.Abs(g.From-w.From) > 1e-12 || math.Abs(g.To-w.To) > 1e-12 || math.Abs(g.Gain-w.Gain) > 1e-12 {
			t.Errorf("gain %d = %+v, want %+v", i, g, w)
		}
	}
	if _, err := StepGains(obs, 2000, 8000); err == nil {
		t.Error("a missing step accepted")
	}
	effect, err := SizeEffect(obs, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(effect-0.2) > 1e-12 {
		t.Errorf("size effect at step 1000 = %v, want 0.5 - 0.3", effect)
	}
	if _, err := SizeEffect(obs[:3], 1000); err == nil {
		t.Error("one model accepted")
	}
	if _, err := SizeEffect(obs, 3000); err == nil {
		t.Error("a missing step accepted")
	}
}
