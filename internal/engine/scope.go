package engine

import "github.com/kubeready/kubeready/checks"

// The scope stage: which findings --scope reports.

// Scopes accepted by --scope.
const (
	ScopeLines = "lines"
	ScopeFiles = "files"
	ScopeAll   = "all"
)

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
