package figures

import (
	"math"
	"strconv"
	"strings"
)

// Count formats a model size or step count the way papers label axes:
// 70e6 as "70M", 1.4e9 as "1.4B", 143000 as "143k", 512 as "512", with at
// most three significant digits.
func Count(v float64) string {
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= u.scale {
			return significant(v/u.scale, 3) + u.suffix
		}
	}
	return significant(v, 3)
}

// significant formats v with at most n significant digits and no trailing
// zeros.
func significant(v float64, n int) string {
	if v == 0 {
		return "0"
	}
	digits := max(n-1-int(math.Floor(math.Log10(math.Abs(v)))), 0)
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}
