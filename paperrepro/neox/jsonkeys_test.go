package neox

import (
	"strings"
	"testing"
)

func TestCheckDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		name, json, wantErr string
	}{
		{"distinct", `{"a": {"x": 1, "y": [1, {"x": 2}]}, "b": "x"}`, ""},
		{"same key in sibling objects", `{"a": {"x": 1}, "b": {"x": 1}}`, ""},
		{"top level", `{"a": 1, "b": 2, "a": 3}`, `key "a" appears twice in the top-level object`},
		{"nested", `{"weight_map": {"w": "1.bin", "w": "2.bin"}}`, `key "w" appears twice in object "weight_map"`},
		{"inside an array", `{"l": [{"k": 1, "k": 2}]}`, `key "k" appears twice in object "l"`},
		{"truncated", `{"a": {"x": 1}`, "parsing JSON"},
	} {
		err := checkDuplicateKeys([]byte(tc.json))
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
