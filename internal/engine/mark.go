package engine

import (
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// The mark stage: which findings a change touches.

// mark records on each finding whether its file and its line (or, for an
// object-level finding, any line of its document) are part of the change.
// Without a change every finding counts as changed.
func mark(findings []checks.Finding, change *scan.Change) {
	for i := range findings {
		f := &findings[i]
		if change == nil {
			f.InChangedFile, f.InChangedLines = true, true
			continue
		}
		fc := change.Lookup(f.File)
		f.InChangedFile = fc != nil
		switch {
		case fc == nil:
			f.InChangedLines = false
		case f.ObjectLevel:
			f.InChangedLines = fc.Overlaps(f.DocStart, f.DocEnd)
		default:
			end := f.EndLine
			if end < f.Line {
				end = f.Line
			}
			f.InChangedLines = fc.Overlaps(f.Line, end)
		}
	}
}
