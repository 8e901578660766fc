package engine

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// Scopes accepted by --scope.
const (
	ScopeLines = "lines"
	ScopeFiles = "files"
	ScopeAll   = "all"
)

// changeInputs turns a change into the paths to scan, limited to paths under
// the PATH arguments when any were given. Files that no longer exist in the
// working tree are skipped with the reason.
func changeInputs(change *scan.Change, limit []string) (paths []string, skipped []annotate.Skipped) {
	for _, fc := range change.Files() {
		p := change.PathFor(fc.Path)
		// Any change inside a Helm chart (a helper, NOTES.txt, a deleted
		// template) renders the chart again.
		chart, _ := scan.ChartOf(p)
		if (!scan.IsManifestName(p) && chart == "") || !under(p, limit) {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			if chart != "" {
				paths = append(paths, chart)
				continue
			}
			skipped = append(skipped, annotate.Skipped{File: p, Reason: "changed in the diff but not in the working tree"})
			continue
		}
		paths = append(paths, p)
	}
	for _, s := range change.Skipped {
		skipped = append(skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}
	return paths, skipped
}

// under reports whether p lies under one of the roots (all paths when there
// are none).
func under(p string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, r := range roots {
		ra, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(ra, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

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

// inScope filters findings by --scope and returns how many it left out.
func inScope(findings []checks.Finding, scope string) ([]checks.Finding, int) {
	out := findings[:0:0]
	for _, f := range findings {
		switch {
		case scope == ScopeLines && !f.InChangedLines, scope == ScopeFiles && !f.InChangedFile:
			continue
		}
		out = append(out, f)
	}
	return out, len(findings) - len(out)
}
