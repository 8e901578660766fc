//go:build unix

package paths

import (
	"os"
	"syscall"
)

// OpenNonBlocking opens path for reading without blocking: a FIFO (or a
// device) opens at once instead of waiting for a writer, so the caller's
// check that it holds a regular file (Stat on the open file) can refuse it.
func OpenNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
