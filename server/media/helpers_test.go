package media_test

import (
	"hash/crc32"
	"runtime"
)

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// runtimeMem reads how much the process has allocated so far.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.total = ms.TotalAlloc
}
