package github

import (
	"fmt"

	"github.com/kubeready/kubeready/annotate"
)

// Placement says where the GitHub reporters put the findings and what they
// could not do, so the summaries can say it (as annotate.Markdown's
// Placement).
type Placement struct {
	// NotAnnotated counts findings past GitHub's per-step annotation limit.
	NotAnnotated int
	// Review is what the review reporter did; nil when it did not run.
	Review *ReviewResult
	// Notes are whole sentences about the run: fallbacks, refused writes.
	Notes []string
}

// Note adds a sentence to the notes. The format is kubeready's own
// Markdown; every argument is data (a file name from the pull request, an
// error text, an API answer) and is escaped (annotate.Cell): no mention,
// link, HTML, heading or line break can come from it.
func (p *Placement) Note(format string, args ...any) {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			safe[i] = annotate.Cell(v)
		case error:
			safe[i] = annotate.Cell(v.Error())
		case fmt.Stringer:
			safe[i] = annotate.Cell(v.String())
		default:
			safe[i] = a
		}
	}
	p.Notes = append(p.Notes, fmt.Sprintf(format, safe...))
}

// Sentences implements annotate.Notes: the annotations left out, what the
// review did, then the notes.
func (p *Placement) Sentences() []string {
	if p == nil {
		return nil
	}
	var s []string
	if p.NotAnnotated > 0 {
		s = append(s, fmt.Sprintf("%d %s %s not shown as annotations: GitHub shows at most %d per level (error, warning, notice) in a step. All are listed here.",
			p.NotAnnotated, annotate.Plural(p.NotAnnotated, "finding"), annotate.IsAre(p.NotAnnotated), AnnotationsPerLevel))
	}
	if p.Review != nil {
		s = append(s, p.Review.sentences()...)
	}
	return append(s, p.Notes...)
}
