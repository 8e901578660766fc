package engine

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
)

// The read stage: one input from disk or standard input, within the limits.

// read loads one input. A file over the size limit or one that cannot be
// read gives a finding (problem) instead of content; err is for standard
// input failing.
func (e *Engine) read(in scan.Input) (f *scan.File, problem *checks.Finding, err error) {
	max := e.limits.MaxFileSize
	if in.Path == scan.StdinPath {
		r := e.stdin
		if max > 0 {
			r = io.LimitReader(r, max+1)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, nil, fmt.Errorf("reading standard input: %w", err)
		}
		if max > 0 && int64(len(data)) > max {
			return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("standard input is over %s (--max-file-size): not checked", scan.FormatSize(max))), nil
		}
		return scan.NewFile(in.Path, data), nil, nil
	}
	// Opened without blocking, and refused unless it is a regular file: a
	// path swapped for a FIFO or a device after discovery does not hang.
	fh, err := paths.OpenNonBlocking(in.Path)
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	if st.IsDir() {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "is a directory"), nil
	}
	if !st.Mode().IsRegular() {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "not a regular file (a FIFO, socket or device): not read"), nil
	}
	if max > 0 && st.Size() > max {
		return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("%s is over %s (--max-file-size): not checked", scan.FormatSize(st.Size()), scan.FormatSize(max))), nil
	}
	var r io.Reader = fh
	if max > 0 {
		r = io.LimitReader(fh, max+1) // the file may grow while we read
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	if max > 0 && int64(len(data)) > max {
		return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("over %s (--max-file-size): not checked", scan.FormatSize(max))), nil
	}
	return scan.NewFile(in.Path, data), nil, nil
}

// fileProblem is a finding about a whole file, on its first line.
func fileProblem(r *checks.Rule, path, msg string) *checks.Finding {
	return &checks.Finding{Rule: r.ID, Severity: r.Severity, File: path, Line: 1, Column: 1, Message: msg, URL: r.Source, DocStart: 1, DocEnd: 1}
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
