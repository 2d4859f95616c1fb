package datasets

import (
	"path/filepath"
	"slices"
	"strings"
)

// sortByName sorts paths byte-wise by their file name, then by full path.
func sortByName(paths []string) {
	slices.SortFunc(paths, func(a, b string) int {
		if c := strings.Compare(filepath.Base(a), filepath.Base(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}
