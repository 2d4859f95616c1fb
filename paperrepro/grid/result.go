package grid

import (
	"fmt"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// CellResult is a result file's cell.
//
// Deprecated: use results.Cell; this alias stays until the notebooks move.
type CellResult = results.Cell

// ReadDir reads every result file under dir.
//
// Deprecated: use results.ReadCells; kept until the notebooks move.
func ReadDir(dir string) ([]*results.Cell, error) { return results.ReadCells(dir) }

// Tables turns cells into one table per modality.
//
// Deprecated: use results.CellTables (or results.Read on the folder); kept
// until the notebooks move.
func Tables(cells []*results.Cell) ([]results.Table, error) { return results.CellTables(cells) }

// summarize fills the totals and the mean CR of a cell from its chunks.
func summarize(c *results.Cell) error {
	c.Chunks, c.Tokens, c.Bits, c.CompressedBytes = len(c.PerChunk), 0, 0, 0
	seconds := 0.0
	for _, r := range c.PerChunk {
		c.Tokens += r.Tokens
		c.Bits += r.Bits
		c.CompressedBytes += r.CompressedBytes
		seconds += r.Seconds
	}
	cr, kept, dropped := protocol.MeanCR(len(c.PerChunk), func(i int) (float64, bool) { return c.PerChunk[i].CR, c.PerChunk[i].Dropped })
	if kept == 0 {
		return fmt.Errorf("%s: all %d chunks were dropped, so the cell has no compression ratio", c.Name(), len(c.PerChunk))
	}
	c.CR, c.DroppedChunks = cr, dropped
	c.WallSeconds = seconds
	if seconds > 0 {
		c.TokensPerSecond = float64(c.Tokens) / seconds
	}
	return nil
}

// cellPath is where a cell's result file lives under out.
func cellPath(out string, protocol results.ProtocolInfo, model string, step int, modality string) string {
	return filepath.Join(out, protocol.Label(), model, fmt.Sprintf("step%d", step), modality+results.CellFileExt)
}
