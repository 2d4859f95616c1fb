package scaling

import (
	"errors"
	"strings"
	"testing"
)

func TestObservationTransforms(t *testing.T) {
	obs := grid3()
	dropped := WithoutSteps(obs, 1000, 4000)
	if len(dropped) != 3 || dropped[0].S != 2000 || len(obs) != 9 {
		t.Errorf("WithoutSteps left %d cells (first at step %g), input now %d", len(dropped), dropped[0].S, len(obs))
	}
	scaled := Rescaled(obs, 2)
	if scaled[4].CR != 2*obs[4].CR || obs[4].CR == scaled[4].CR {
		t.Errorf("Rescaled: %v from %v", scaled[4].CR, obs[4].CR)
	}
	sizes := map[string]float64{"s": 10, "m": 20, "l": 40}
	resized, err := WithSizes(obs, func(m string) (float64, error) {
		if p, ok := sizes[m]; ok {
			return p, nil
		}
		return 0, errors.New("unknown model")
	})
	if err != nil {
		t.Fatal(err)
	}
	if resized[8].P != 40 || obs[8].P != 4e6 {
		t.Errorf("WithSizes: P %v (input %v)", resized[8].P, obs[8].P)
	}
	if _, err := WithSizes(obs, func(m string) (float64, error) { return 0, errors.New("unknown model") }); err == nil || !strings.Contains(err.Error(), "size of s") {
		t.Errorf("failing size: %v", err)
	}
	if _, err := WithSizes(obs, func(string) (float64, error) { return -1, nil }); err == nil {
		t.Error("negative size accepted")
	}
}
