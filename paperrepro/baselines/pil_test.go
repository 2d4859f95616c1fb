package baselines

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// pilPNG is Deletang et al.'s png.py: each 2048-byte chunk reshaped to PIL
// size (32, 64) and saved with optimize=True. It reads the chunks from the
// file argv[1] and prints the header-once compression ratio (the header
// measured as a 1x1 image, as Run measures it).
const pilPNG = `
import io, sys
from PIL import Image
def size(b, w, h):
    buf = io.BytesIO()
    Image.frombytes('L', (w, h), b).save(buf, format='PNG', optimize=True)
    return len(buf.getvalue())
data = open(sys.argv[1], 'rb').read()
n = len(data) // 2048
total = sum(size(data[i*2048:(i+1)*2048], 32, 64) for i in range(n))
print((total - (n-1)*size(bytes(1), 1, 1)) / (n*2048))
`

// TestPNG32WideAgainstPIL is a reference check, not a measurement the
// project reports: Go's image/png at BestCompression on rows of 32 pixels
// (the codec png-32wide) against PIL with optimize=True, which Deletang et
// al. used, on the same 512 tiles of the shared images. Go's encoder is
// the closest to theirs the project has; on these tiles it gives 0.4% more
// bytes than PIL's (0.6839 against 0.6812 on all 2028 tiles), so the
// width of the rows and the sample, not the encoder, make the gap to their
// published 0.585. The check needs Debian's python3-pil, which the project
// does not otherwise depend on; without it the test is skipped.
func TestPNG32WideAgainstPIL(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import PIL").Run(); err != nil {
		t.Skipf("no PIL for /usr/bin/python3 (apt-get install python3-pil): %v", err)
	}
	src := sharedSource(t, datasets.Image, datasets.RuleTiles, 512)
	_, data, err := readChunks(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiles.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", pilPNG, path).CombinedOutput()
	if err != nil {
		t.Fatalf("PIL: %v: %s", err, out)
	}
	pil, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("PIL printed %q", out)
	}
	curve, err := SampleSizeCurve(context.Background(), src, PNG32Wide(), []int{src.NumChunks()})
	if err != nil {
		t.Fatal(err)
	}
	goCR := curve[0].HeaderOnce
	t.Logf("512 tiles, 32 pixels wide, header once: Go image/png %.4f, PIL optimize=True %.4f", goCR, pil)
	if rel := math.Abs(goCR-pil) / pil; rel > 0.01 {
		t.Errorf("Go's png-32wide gives %.4f, PIL's optimize=True %.4f: %.1f%% apart, want within 1%%", goCR, pil, 100*rel)
	}
}
