package filesum

import (
	"os"
	"syscall"
)

// stamp identifies a version of a file: its size and modification time,
// and on Linux its device, inode and change time (set by the kernel on
// every write, rename or chmod; no user can set it back).
type stamp struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Dev     uint64 `json:"dev,omitempty"`
	Inode   uint64 `json:"inode,omitempty"`
	Change  int64  `json:"ctime_ns,omitempty"`
}

func stampOf(info os.FileInfo) stamp {
	s := stamp{Size: info.Size(), ModTime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Dev, s.Inode, s.Change = uint64(st.Dev), st.Ino, st.Ctim.Nano()
	}
	return s
}
