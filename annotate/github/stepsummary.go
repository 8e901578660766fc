package github

import (
	"context"

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
}

// Report implements annotate.Reporter.
func (s StepSummary) Report(_ context.Context, r *annotate.Report) error {
	m := s.Markdown
	if m.Budget <= 0 {
		m.Budget = StepSummaryBudget
	}
	s.Action.AddStepSummary(m.Render(r))
	return nil
}
