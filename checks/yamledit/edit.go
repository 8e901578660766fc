package yamledit

import (
	"bytes"
	"fmt"
	"slices"
)

// Edit replaces bytes [Start, End) of the file at Path with New.
type Edit struct {
	Path  string `json:"path"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	New   string `json:"new"`
}

// ApplyEdits applies edits to data, the content of one file, and returns the
// new content; data is not modified. Edits are applied in order of Start
// (then End), so a pure insertion at an offset goes before a replacement
// starting there; insertions at the same offset keep the order given. An
// edit out of range, or one that overlaps another, is an error and nothing
// is applied. It is the one applier behind --fix, --format patch, GitHub
// suggestions and SARIF fixes (checks.ApplyEdits).
func Apply(data []byte, edits []Edit) ([]byte, error) {
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	size := len(data)
	prevEnd := 0
	for i, e := range sorted {
		if e.Start < 0 || e.End < e.Start || e.End > len(data) {
			return nil, fmt.Errorf("%s: edit [%d,%d) outside the file (%d bytes)", e.Path, e.Start, e.End, len(data))
		}
		if i > 0 && e.Start < prevEnd {
			return nil, fmt.Errorf("%s: edits [%d,%d) and [%d,%d) overlap", e.Path, sorted[i-1].Start, sorted[i-1].End, e.Start, e.End)
		}
		prevEnd = e.End
		size += len(e.New) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, e := range sorted {
		out = append(out, data[at:e.Start]...)
		out = append(out, e.New...)
		at = e.End
	}
	return append(out, data[at:]...), nil
}

// TrimEdit shrinks a replacement to the lines that change: whole lines that
// the old and the new text share at the start and at the end are left out,
// so a fix shows (and a review suggestion replaces) only what it changes.
func TrimEdit(data []byte, e Edit) Edit {
	old, nw := data[e.Start:e.End], []byte(e.New)
	for {
		i := bytes.IndexByte(old, '\n')
		if i < 0 || i >= len(nw) || !bytes.Equal(old[:i+1], nw[:i+1]) {
			break
		}
		old, nw = old[i+1:], nw[i+1:]
		e.Start += i + 1
	}
	for len(old) > 0 && len(nw) > 0 {
		// the last line of each, line break included
		lo := bytes.LastIndexByte(old[:len(old)-1], '\n') + 1
		ln := bytes.LastIndexByte(nw[:len(nw)-1], '\n') + 1
		if old[len(old)-1] != '\n' || !bytes.Equal(old[lo:], nw[ln:]) {
			break
		}
		old, nw = old[:lo], nw[:ln]
		e.End = e.Start + lo
	}
	e.New = string(nw)
	return e
}
