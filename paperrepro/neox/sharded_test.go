package neox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestLoadShardedBin checks a pytorch_model.bin that PyTorch sharded as
// transformers does for Pythia 2.8b-12b (testdata/neox/bin-f16-sharded,
// made from bin-f16-rotary100 by make_sharded_bin.py) against the
// unsharded file: the same logits within 1e-6 (they are the same numbers).
func TestLoadShardedBin(t *testing.T) {
	single := loadFixture(t, "bin-f16-rotary100")
	sharded := loadFixture(t, "bin-f16-sharded")
	g := readGolden(t, filepath.Join(testenv.Testdata(t, "neox", "bin-f16-rotary100"), "golden.safetensors"))
	want, got := rawLogits(t, single, g.ids), rawLogits(t, sharded, g.ids)
	if diff := maxAbsDiff(got, want); diff > 1e-6 {
		t.Errorf("sharded and single-file logits differ by %.3g", diff)
	}
}

// shardedCopy copies the sharded fixture into a temporary folder, with
// editIndex, when not nil, changing the index's JSON text.
func shardedCopy(t *testing.T, editIndex func(string) string) string {
	t.Helper()
	src := testenv.Testdata(t, "neox", "bin-f16-sharded")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == binShardIndex && editIndex != nil {
			data = []byte(editIndex(string(data)))
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadShardedBadInput checks that a sharded checkpoint whose index and
// shards disagree is refused with an error naming the index or the shard
// and the tensor: the validation sharded safetensors get.
func TestLoadShardedBadInput(t *testing.T) {
	const (
		first = "pytorch_model-00001-of-00003.bin"
		last  = "pytorch_model-00003-of-00003.bin"
		embed = "gpt_neox.embed_in.weight"
		out   = "embed_out.weight"
	)
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	data, err := os.ReadFile(testenv.Testdata(t, "neox", "bin-f16-sharded", binShardIndex))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	if index.WeightMap[embed] != first || index.WeightMap[out] != last {
		t.Fatalf("fixture: %s in %s, %s in %s; the test expects %s and %s", embed, index.WeightMap[embed], out, index.WeightMap[out], first, last)
	}
	for _, tc := range []struct {
		name     string
		index    func(string) string
		files    func(dir string)
		wantErrs []string
	}{
		{name: "index names the wrong shard",
			index:    func(s string) string { return strings.Replace(s, `"`+embed+`": "`+first, `"`+embed+`": "`+last, 1) },
			wantErrs: []string{last, embed, "not stored there"}},
		{name: "tensor missing from the index",
			index:    func(s string) string { return strings.Replace(s, `"`+embed+`": "`+first+`",`, "", 1) },
			wantErrs: []string{first, embed, "not listed"}},
		{name: "tensor listed twice in the index",
			index: func(s string) string {
				return strings.Replace(s, `"weight_map": {`, `"weight_map": {"`+out+`": "`+first+`",`, 1)
			},
			wantErrs: []string{binShardIndex, out, "twice"}},
		{name: "shard missing",
			files:    func(dir string) { os.Remove(filepath.Join(dir, last)) },
			wantErrs: []string{last}},
		{name: "shard outside the folder",
			index:    func(s string) string { return strings.ReplaceAll(s, `"`+last+`"`, `"../`+last+`"`) },
			wantErrs: []string{binShardIndex, "../" + last, "same folder"}},
		{name: "empty index",
			index:    func(string) string { return `{"weight_map": {}}` },
			wantErrs: []string{binShardIndex, "weight_map"}},
		{name: "tensor stored in two shards",
			files: func(dir string) {
				// The last shard again in the first one's place: its tensors
				// are now in two files, the index lists them in one.
				data, err := os.ReadFile(filepath.Join(dir, last))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, first), data, 0o644)
			},
			wantErrs: []string{out, first, last, "both"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := shardedCopy(t, tc.index)
			if tc.files != nil {
				tc.files(dir)
			}
			m, err := Load(dir)
			if err == nil {
				m.Close()
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tc.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}
