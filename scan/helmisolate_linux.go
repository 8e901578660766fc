package scan

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// limitMemory limits the process's address space to what it maps now plus
// extra bytes: past it, the Go runtime cannot grow the heap and the
// process ends with "out of memory".
func limitMemory(extra int64) {
	lim := uint64(extra)
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			if pages, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				lim += pages * uint64(os.Getpagesize())
			}
		}
	}
	_ = unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: lim, Max: lim})
}
