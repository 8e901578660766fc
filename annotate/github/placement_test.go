package github

import (
	"errors"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
)

// TestNoteEscapesData: file names and error texts from a pull request reach
// the summary's notes inert: no @mention, no HTML, no link, no fake heading.
func TestNoteEscapesData(t *testing.T) {
	evil := "x.yaml\n\n### ✅ No upgrade blockers\n@octo/team <img src=x onerror=alert(1)> [click](https://evil.example)"
	p := &Placement{}
	p.Note("GitHub left out the diff of %s (too large), so the lines come from `git diff`.", evil)
	p.Note("Listing the pull request's files failed (%v).", errors.New(evil))
	md := annotate.Markdown{Placement: p}
	out := md.Render(&annotate.Report{Target: "1.25"})
	for _, bad := range []string{"\n### ", "@octo", "<img", "[click](", "\n\n###"} {
		if strings.Contains(out, bad) {
			t.Errorf("rendered notes contain %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "`git diff`") {
		t.Errorf("kubeready's own Markdown was escaped too:\n%s", out)
	}
}
