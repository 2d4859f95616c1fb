//go:build !linux

package filesum

import "os"

// stamp identifies a version of a file: its size and modification time.
type stamp struct {
	Size    int64 `json:"size"`
	ModTime int64 `json:"mtime_ns"`
}

func stampOf(info os.FileInfo) stamp {
	return stamp{Size: info.Size(), ModTime: info.ModTime().UnixNano()}
}
