package github

import (
	"context"
	"os"

	"github.com/sethvargo/go-githubactions"

	"github.com/kubeready/kubeready/annotate"
)

// StepSummaryBudget keeps the step summary below GitHub's 1 MiB per step.
const StepSummaryBudget = 1000 * 1000

// StepSummary appends the Markdown summary to the job's step summary
// ($GITHUB_STEP_SUMMARY). Call it only inside GitHub Actions:
// go-githubactions panics when the file is not set.
type StepSummary struct {
	Action   *githubactions.Action
	Markdown annotate.Markdown
	// Replace rewrites the step's summary instead of appending to it: the
	// Action writes it once before any API call and again after them.
	Replace bool
}

// Report implements annotate.Reporter.
func (s StepSummary) Report(_ context.Context, r *annotate.Report) error {
	m := s.Markdown
	if m.Budget <= 0 {
		m.Budget = StepSummaryBudget
	}
	if s.Replace {
		// The file is this step's own (the runner gives each step one).
		return os.WriteFile(s.Action.Getenv("GITHUB_STEP_SUMMARY"), []byte(m.Render(r)+"\n"), 0o644)
	}
	s.Action.AddStepSummary(m.Render(r))
	return nil
}
