package datasets

import (
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go/format"
)

// TestRowGroupSpan: the bytes fetched for a row group are where its footer
// places the columns' chunks, and a footer placing them outside the shard
// (a corrupt or hostile one, which would otherwise have its whole claim
// fetched into memory) is an error naming the row group.
func TestRowGroupSpan(t *testing.T) {
	chunk := func(data, dict, size int64) format.ColumnChunk {
		return format.ColumnChunk{MetaData: format.ColumnMetaData{DataPageOffset: data, DictionaryPageOffset: dict, TotalCompressedSize: size}}
	}
	meta := &format.FileMetaData{RowGroups: []format.RowGroup{
		{Columns: []format.ColumnChunk{chunk(4, 0, 100), chunk(120, 104, 50), chunk(200, 0, 10)}},
		{Columns: []format.ColumnChunk{chunk(300, 0, 1<<40), chunk(400, 0, 10)}},
		{Columns: []format.ColumnChunk{chunk(-8, 0, 100), chunk(400, 0, 10)}},
	}}
	start, end, err := rowGroupSpan(meta, 0, []int{0, 1}, 1000)
	if err != nil || start != 4 || end != 154 {
		t.Errorf("row group 0: [%d, %d), %v; want [4, 154)", start, end, err)
	}
	for _, g := range []int{1, 2} {
		if _, _, err := rowGroupSpan(meta, g, []int{0, 1}, 1000); err == nil || !strings.Contains(err.Error(), "row group") || !strings.Contains(err.Error(), "1000-byte shard") {
			t.Errorf("row group %d: %v; want an error saying its chunks lie outside the 1000-byte shard", g, err)
		}
	}
}
