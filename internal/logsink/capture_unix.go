//go:build unix

package logsink

import (
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Capture points the process's standard output and standard error (file
// descriptors 1 and 2) at a pipe read into w, so that a library printing
// straight to os.Stdout or os.Stderr (kustomize prints its deprecation
// warnings and some errors that way) goes through w like every log line,
// and can neither forge a workflow command nor corrupt a report on
// standard output. It returns kubeready's own standard output and error
// (copies of the original descriptors) and a function that ends the
// capture, printing what is left; call it before the process exits. The
// Go runtime's crash output goes to the returned stderr as well.
//
// When the descriptors cannot be redirected, Capture returns os.Stdout and
// os.Stderr unchanged.
func Capture(w *Writer) (stdout, stderr *os.File, end func()) {
	outFD, err1 := unix.Dup(1)
	errFD, err2 := unix.Dup(2)
	r, pw, err3 := os.Pipe()
	if err1 != nil || err2 != nil || err3 != nil {
		return os.Stdout, os.Stderr, func() { w.Flush() }
	}
	unix.CloseOnExec(outFD)
	unix.CloseOnExec(errFD)
	stdout = os.NewFile(uintptr(outFD), "/dev/stdout")
	stderr = os.NewFile(uintptr(errFD), "/dev/stderr")
	if unix.Dup2(int(pw.Fd()), 1) != nil || unix.Dup2(int(pw.Fd()), 2) != nil {
		_ = unix.Dup2(outFD, 1)
		_ = unix.Dup2(errFD, 2)
		return os.Stdout, os.Stderr, func() { w.Flush() }
	}
	pw.Close() // descriptors 1 and 2 hold the pipe's write end now
	w.setOut(stderr)
	_ = debug.SetCrashOutput(stderr, debug.CrashOptions{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(w, r)
	}()
	var once sync.Once
	return stdout, stderr, func() {
		once.Do(func() {
			// Put the original descriptors back: that closes the pipe's
			// last write ends, so the copy ends with what is left in it.
			dup2(outFD, 1)
			dup2(errFD, 2)
			copied := make(chan struct{})
			go func() { wg.Wait(); close(copied) }()
			select {
			case <-copied:
			case <-time.After(2 * time.Second):
				// A write end is still open somewhere (a descriptor that
				// could not be restored): stop reading rather than hang.
			}
			r.Close()
			w.Flush()
		})
	}
}

// dup2 is unix.Dup2, retried when a signal or a concurrent open interrupts
// it (EINTR, EBUSY), as the process's output depends on it.
func dup2(from, to int) {
	for range 10 {
		err := unix.Dup2(from, to)
		if err != unix.EINTR && err != unix.EBUSY {
			return
		}
	}
}
