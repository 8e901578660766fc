package github

import (
	"context"
	"strconv"

	"github.com/sethvargo/go-githubactions"

	"github.com/kubeready/kubeready/annotate"
)

// Outputs sets the Action's outputs ($GITHUB_OUTPUT): findings (visible
// findings), errors and warnings (of them, by severity) and sarif-file (the
// path written, or empty). Call it only inside GitHub Actions:
// go-githubactions panics when the file is not set.
type Outputs struct {
	Action    *githubactions.Action
	SARIFFile string
}

// Report implements annotate.Reporter.
func (o Outputs) Report(_ context.Context, r *annotate.Report) error {
	errs, warns, _ := r.Counts()
	o.Action.SetOutput("findings", strconv.Itoa(len(r.Visible())))
	o.Action.SetOutput("errors", strconv.Itoa(errs))
	o.Action.SetOutput("warnings", strconv.Itoa(warns))
	o.Action.SetOutput("sarif-file", o.SARIFFile)
	return nil
}
