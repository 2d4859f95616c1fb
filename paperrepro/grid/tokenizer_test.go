package grid

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTokenizerFor(t *testing.T) {
	withOwn, without := t.TempDir(), t.TempDir()
	own := filepath.Join(withOwn, "tokenizer.json")
	if err := os.WriteFile(own, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir, explicit, fallback, want string
	}{
		{name: "explicit wins", dir: withOwn, explicit: "/x/tok.json", fallback: "/y/tok.json", want: "/x/tok.json"},
		{name: "checkpoint's own", dir: withOwn, fallback: "/y/tok.json", want: own},
		{name: "fallback", dir: without, fallback: "/y/tok.json", want: "/y/tok.json"},
		{name: "none", dir: without, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TokenizerFor(tc.dir, tc.explicit, tc.fallback); got != tc.want {
				t.Errorf("TokenizerFor(%q, %q, %q) = %q, want %q", tc.dir, tc.explicit, tc.fallback, got, tc.want)
			}
		})
	}
}
