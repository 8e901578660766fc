package annotate

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/kubeready/kubeready/checks"
)

// Text writes one line per finding, `path:line:col: severity: message [rule]`,
// then a one-line summary. Colour is for terminals only.
type Text struct {
	W     io.Writer
	Color bool
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Report implements Reporter.
func (t Text) Report(_ context.Context, r *Report) error {
	var b strings.Builder
	for _, f := range r.Fixed {
		what := "fixed"
		if !f.Safe {
			what = "fixed (unsafe: " + oneLine(f.Reason) + ")"
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]\n", f.File, f.Line, f.Column, what, oneLine(f.Description), f.Rule)
	}
	for _, f := range r.Visible() {
		sev := f.Severity.String()
		if t.Color {
			sev = t.paint(f.Severity, sev)
		}
		rule := f.Rule
		if r.Current != "" && f.Hop != "" {
			rule += ", blocks " + f.Hop // an upgrade plan: the first hop it blocks
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]\n", displayPath(f.File), f.Line, f.Column, sev, oneLine(f.Message), rule)
	}
	for _, e := range r.Errors {
		loc := displayPath(e.File)
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", loc, e.Line)
		}
		if loc != "" {
			loc += ": "
		}
		fmt.Fprintf(&b, "%serror: %s\n", loc, e.Message)
	}
	b.WriteString(Summary(r))
	b.WriteString("\n")
	_, err := io.WriteString(t.W, b.String())
	return err
}

func (t Text) paint(s checks.Severity, text string) string {
	switch s {
	case checks.Error:
		return bold + red + text + reset
	case checks.Warning:
		return yellow + text + reset
	}
	return cyan + text + reset
}

// Summary is the one-line tally used by the text output and the GitHub
// reporters.
func Summary(r *Report) string {
	errs, warns, infos := r.Counts()
	var parts []string
	n := errs + warns + infos
	if n == 0 {
		parts = append(parts, "no findings")
	} else {
		parts = append(parts, fmt.Sprintf("%d %s (%s)", n, Plural(n, "finding"), bySeverity(errs, warns, infos)))
	}
	s := fmt.Sprintf("kubeready: %s in %d %s, %d %s; target Kubernetes %s",
		strings.Join(parts, ", "), r.Stats.Files, Plural(r.Stats.Files, "file"),
		r.Stats.Documents, Plural(r.Stats.Documents, "document"), r.Target)
	if len(r.Fixed) > 0 {
		s += fmt.Sprintf("; fixed %d %s", len(r.Fixed), Plural(len(r.Fixed), "finding"))
	}
	if r.Stats.UnsafeFixes > 0 {
		s += fmt.Sprintf("; %d more with --fix-unsafe", r.Stats.UnsafeFixes)
	}
	if r.Stats.Hidden > 0 {
		s += fmt.Sprintf("; %d outside --scope not shown", r.Stats.Hidden)
	}
	if len(r.Errors) > 0 {
		s += fmt.Sprintf("; %d %s", len(r.Errors), Plural(len(r.Errors), "error"))
	}
	return s
}

// bySeverity tells findings by severity: "1 error, 2 warnings, 0 info".
func bySeverity(errs, warns, infos int) string {
	return fmt.Sprintf("%d %s, %d %s, %d info", errs, Plural(errs, "error"), warns, Plural(warns, "warning"), infos)
}

// Plural is word, with an s unless n is 1.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// oneLine keeps a message on one output line.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// displayPath quotes a path that holds control characters (a newline in a
// file name would otherwise forge an extra output line).
func displayPath(p string) string {
	for _, r := range p {
		if unicode.IsControl(r) {
			return strconv.Quote(p)
		}
	}
	return p
}
