//go:build !unix

package logsink

import "os"

// Capture is a no-op outside Unix: the standard logger, slog and klog still
// go through w (Install), direct prints to os.Stderr do not.
func Capture(w *Writer) (stdout, stderr *os.File, end func()) {
	return os.Stdout, os.Stderr, func() { w.Flush() }
}
