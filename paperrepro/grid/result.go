package grid

import (
	"fmt"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// cellPath is where a cell's result file lives under out.
func cellPath(out string, protocol results.ProtocolInfo, model string, step int, modality string) string {
	return filepath.Join(out, protocol.Label(), model, fmt.Sprintf("step%d", step), modality+results.CellFileExt)
}
