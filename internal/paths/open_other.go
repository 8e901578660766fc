//go:build !unix

package paths

import "os"

// OpenNonBlocking opens path for reading. Outside Unix there are no FIFOs
// that block an open.
func OpenNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
