// Package annotate renders a run's findings: text for terminals, JSON for
// tools, SARIF for code scanning, a unified diff of the fixes, and the
// Markdown summary that annotate/github posts to GitHub. A reporter never
// decides what is a finding; it only places and formats.
package annotate

import (
	"context"

	"github.com/kubeready/kubeready/checks"
)

// Report is everything a run produced, already sorted and scoped.
type Report struct {
	Target string `json:"target"`
	// Current is the version the upgrade plan starts from (--current), when
	// the run checked every hop from it to Target; each finding's Hop is
	// one of current+1 … target.
	Current  string           `json:"current,omitempty"`
	Platform string           `json:"platform,omitempty"`
	Findings []checks.Finding `json:"findings"`
	Errors   []RunError       `json:"errors"`
	Stats    Stats            `json:"stats"`
	// Fixed lists what --fix applied (or what --format patch would apply);
	// Findings then holds what remains.
	Fixed []Fixed `json:"fixed,omitempty"`
	// Changes are the files the fixes change, for --format patch.
	Changes []FileChange `json:"-"`
}

// Fixed is one finding a fix resolved, where it was found and what the fix did.
type Fixed struct {
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Description string `json:"description"`
	Safe        bool   `json:"safe"`
	Reason      string `json:"reason,omitempty"`
}

// FileChange is one file's content before and after its fixes. Name is the
// path to write in a patch: slash-separated and relative.
type FileChange struct {
	Name     string
	Old, New []byte
}

// RunError is a problem that stopped part of the run (an unreadable path, a
// failed API call): it names the file and line, or the operation.
type RunError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Stats counts what the run looked at.
type Stats struct {
	Files     int       `json:"files"`
	Documents int       `json:"documents"`
	Skipped   []Skipped `json:"skipped,omitempty"`
	// Hidden counts findings left out by --scope.
	Hidden int `json:"hidden,omitempty"`
	// UnsafeFixes counts remaining findings whose only fixes are unsafe,
	// after --fix or in --format patch.
	UnsafeFixes int `json:"unsafeFixes,omitempty"`
}

// Skipped is an input the run passed over on purpose, with the reason.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Reporter writes a report somewhere.
type Reporter interface {
	Report(ctx context.Context, r *Report) error
}

// Visible returns the findings a human-facing reporter shows: all but the
// suppressed ones.
func (r *Report) Visible() []checks.Finding {
	out := make([]checks.Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if !f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}

// Counts returns the number of visible findings per severity.
func (r *Report) Counts() (errors, warnings, infos int) {
	for _, f := range r.Visible() {
		switch f.Severity {
		case checks.Error:
			errors++
		case checks.Warning:
			warnings++
		default:
			infos++
		}
	}
	return
}
