package scaling

import (
	"cmp"
	"slices"
)

// MonotoneBound returns upper bounds on the R^2 that any law can reach on
// obs if it never increases with S (inS) or never increases with P (inP),
// power law or not. Each is 1 - SSE/SS_tot of the best such fit: for inS,
// every model's cells along S replaced by their best non-increasing fit
// (isotonic regression by pool-adjacent-violators), likewise along P at
// every step for inP (a model is its size P). The paper's form with b, c > 0 decreases in both, so
// it cannot beat either bound; cells that rise (a model worse after more
// training, a bigger model worse than a smaller one) are what the bounds
// charge for.
func MonotoneBound(obs []Observation) (inS, inP float64) {
	var mean, ssTot float64
	for _, o := range obs {
		mean += o.CR / float64(len(obs))
	}
	for _, o := range obs {
		ssTot += (o.CR - mean) * (o.CR - mean)
	}
	sse := func(group func(Observation) any, along func(Observation) float64) float64 {
		groups := map[any][]Observation{}
		for _, o := range obs {
			groups[group(o)] = append(groups[group(o)], o)
		}
		var total float64
		for _, g := range groups {
			slices.SortFunc(g, func(x, y Observation) int { return cmp.Compare(along(x), along(y)) })
			y := make([]float64, len(g))
			for i, o := range g {
				y[i] = o.CR
			}
			total += nonIncreasingSSE(y)
		}
		return total
	}
	alongS := sse(func(o Observation) any { return o.P }, func(o Observation) float64 { return o.S })
	alongP := sse(func(o Observation) any { return o.S }, func(o Observation) float64 { return o.P })
	return 1 - alongS/ssTot, 1 - alongP/ssTot
}

// nonIncreasingSSE returns the squared error of the least-squares
// non-increasing fit to y, by pool-adjacent-violators: merge neighbouring
// blocks while a block's mean is below the next one's.
func nonIncreasingSSE(y []float64) float64 {
	type block struct{ sum, n float64 }
	var blocks []block
	for _, v := range y {
		blocks = append(blocks, block{v, 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/a.n >= b.sum/b.n {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sum + b.sum, a.n + b.n})
		}
	}
	var sse float64
	i := 0
	for _, b := range blocks {
		for range int(b.n) {
			d := y[i] - b.sum/b.n
			sse += d * d
			i++
		}
	}
	return sse
}
