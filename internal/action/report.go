package action

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/annotate/github"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/scan"
)

// The reporters, in the order that lets each later one say what the earlier
// ones did: annotations, SARIF, the step summary and the outputs are written
// before any API call, so nothing the runner shows depends on GitHub's API
// answering; then review comments and the summary comment, within
// deadlines.report; then the step summary again, with what the API calls did.

// report sends the report through every reporter the inputs ask for, in
// an order that lets each later one say what the earlier ones did.
func (a *actionRun) report(ctx context.Context, rep *annotate.Report) {
	md := annotate.Markdown{PR: a.pr, Scope: a.opts.Engine.Scope, Version: cli.Version, Placement: a.place}
	if a.in.annotations {
		ann := &github.Annotations{Action: a.gha}
		_ = ann.Report(ctx, rep)
		a.place.NotAnnotated = ann.NotShown
	}
	sarifOut := ""
	if a.in.sarifFile != "" {
		if err := a.writeSARIF(ctx, rep); err != nil {
			a.gha.Errorf("kubeready: writing %s: %v", a.in.sarifFile, err)
			rep.Errors = append(rep.Errors, annotate.RunError{File: a.in.sarifFile, Message: err.Error()})
		} else {
			sarifOut = a.in.sarifFile
		}
	}
	stepSummary := a.gha.Getenv("GITHUB_STEP_SUMMARY") != ""
	if stepSummary {
		_ = github.StepSummary{Action: a.gha, Markdown: md}.Report(ctx, rep)
	}
	if a.gha.Getenv("GITHUB_OUTPUT") != "" {
		_ = github.Outputs{Action: a.gha, SARIFFile: sarifOut}.Report(ctx, rep)
	}
	notesBefore := len(a.place.Notes)

	// The whole API phase (every request, retries and waits included) has
	// a deadline; each request also has its own (RetryTransport.PerTry).
	apiCtx, cancel := context.WithTimeoutCause(ctx, a.deadlines.report, fmt.Errorf("the GitHub API calls took longer than %s", a.deadlines.report))
	defer cancel()
	a.postToPullRequest(apiCtx, rep, md)
	if len(a.denied) > 0 {
		a.gha.Warningf("%s", a.deniedWarning())
		a.place.Notes = slices.DeleteFunc(a.place.Notes, func(n string) bool { return strings.HasPrefix(n, "Review comments were not posted") })
		a.place.Note("%s", a.deniedWarning())
	}
	if stepSummary && (len(a.place.Notes) != notesBefore || a.place.Review != nil) {
		// the same summary, now saying what the API calls did
		_ = github.StepSummary{Action: a.gha, Markdown: md, Replace: true}.Report(ctx, rep)
	}
	a.gha.Infof("%s", annotate.Summary(rep))
}

// postToPullRequest writes the review comments and the summary comment.
func (a *actionRun) postToPullRequest(ctx context.Context, rep *annotate.Report, md annotate.Markdown) {
	isPR := a.pr.Number > 0
	switch {
	case !isPR:
	case a.client == nil && (a.in.review || a.in.comment):
		a.place.Note("No github-token, so no summary comment or review comments.")
	default:
		login := a.login(ctx)
		if a.in.review && !a.headOK {
			a.place.Note("No review comments: the scanned files may not be the pull request's head, so their line numbers could be wrong.")
		} else if a.in.review {
			hunks := map[string][]scan.LineRange{}
			for path, fc := range changedFiles(a.change) {
				hunks[path] = fc.Hunks
			}
			rv := &github.Review{Client: a.client, PR: a.pr, Hunks: hunks, Login: login, ReadFile: func(p string) ([]byte, error) {
				return os.ReadFile(filepath.Join(a.root, filepath.FromSlash(p)))
			}}
			err := rv.Report(ctx, rep)
			a.place.Review = &rv.Result
			a.writeFailed("the review comments", err)
		}
		if len(a.denied) > 0 {
			// Said in the summary comment, should the token be allowed
			// to write that; the step summary gets the combined note.
			a.place.Note("Review comments were not posted: GitHub refused them (HTTP %s), so the token may not write pull request reviews.", a.deniedStatuses())
		}
		if a.in.comment {
			// Tried even after a refused review: issue comments need only
			// issues: write, which a workflow may grant alone.
			c := &github.Comment{Client: a.client, PR: a.pr, Markdown: md, Login: login}
			err := c.Report(ctx, rep)
			a.writeFailed("the summary comment", err)
			if err == nil && c.URL != "" {
				a.gha.Infof("kubeready: summary comment %s", c.URL)
			}
		}
	}
}

// changedFiles indexes a change's files by path.
func changedFiles(c *scan.Change) map[string]*scan.FileChange {
	m := map[string]*scan.FileChange{}
	if c != nil {
		for _, fc := range c.Files() {
			m[fc.Path] = fc
		}
	}
	return m
}

// tokenIsWorkflowsEnv is set by action.yml's run step to "true" when the
// github-token input is the workflow's own GITHUB_TOKEN (an expression the
// runner evaluates: the token itself is not passed twice).
const tokenIsWorkflowsEnv = "KUBEREADY_TOKEN_IS_GITHUB_TOKEN"

// login is whom the token writes as, the author of kubeready's own
// comments: github-actions[bot] for the workflow's token, else the login
// GET /user gives (once per run). When GitHub does not say, kubeready
// counts github-actions[bot]'s comments as its own and says so.
func (a *actionRun) login(ctx context.Context) string {
	if a.gha.Getenv(tokenIsWorkflowsEnv) == "true" {
		return github.WorkflowLogin
	}
	login, err := github.Login(ctx, a.client)
	if err != nil {
		a.gha.Infof("kubeready: GET /user: %s", github.DescribeError(err))
		a.place.Note("kubeready could not learn whom the github-token belongs to (GET /user: %s), so only comments by %s count as its own.",
			github.DescribeError(err), github.WorkflowLogin)
		return github.WorkflowLogin
	}
	return login
}

// deniedWrite is a write GitHub refused with a permission error.
type deniedWrite struct {
	what   string
	status int
}

// httpStatus is the HTTP status of a go-github error, or 0.
func httpStatus(err error) int {
	var er *gogithub.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// writeFailed records a failed write: a refused create for the single
// permission warning, a refused edit of kubeready's own comment and any
// other failure as a warning of its own.
func (a *actionRun) writeFailed(what string, err error) {
	var edit *github.EditError
	switch {
	case err == nil:
	case errors.As(err, &edit):
		msg := fmt.Sprintf("kubeready could not update its summary comment (%s): GitHub refused the edit (%s).",
			a.commentURL(edit.ID), github.DescribeError(edit.Err))
		if a.ev.fromFork() && github.IsPermissionError(err) {
			msg += " This pull request comes from a fork, whose GITHUB_TOKEN is read-only."
		}
		a.gha.Warningf("%s", msg)
		a.place.Note("Could not update the summary comment: GitHub refused the edit (%s).", github.DescribeError(edit.Err))
	case github.IsPermissionError(err):
		a.denied = append(a.denied, deniedWrite{what, httpStatus(err)})
	default:
		a.gha.Warningf("kubeready could not post %s: %v", what, err)
		a.place.Note("Could not post %s: %s.", what, strings.TrimSuffix(err.Error(), "."))
	}
}

// commentURL is the address of issue comment id on the pull request.
func (a *actionRun) commentURL(id int64) string {
	server := strings.TrimSuffix(a.pr.ServerURL, "/")
	if server == "" {
		server = "https://github.com"
	}
	return fmt.Sprintf("%s/%s/%s/pull/%d#issuecomment-%d", server, a.pr.Owner, a.pr.Repo, a.pr.Number, id)
}

// deniedStatuses lists the HTTP statuses of the refused writes ("403",
// "403/404").
func (a *actionRun) deniedStatuses() string {
	var s []string
	for _, d := range a.denied {
		if v := fmt.Sprint(d.status); d.status != 0 && !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return "403/404"
	}
	return strings.Join(s, "/")
}

func (a *actionRun) deniedWarning() string {
	var what []string
	for _, d := range a.denied {
		what = append(what, d.what)
	}
	why := "Check the workflow's `permissions:` (`pull-requests: write` for review comments, `issues: write` for the summary comment). "
	if a.ev.fromFork() {
		why = "This pull request comes from a fork, whose GITHUB_TOKEN is read-only. "
	}
	return fmt.Sprintf("kubeready could not post %s: GitHub refused (HTTP %s), so the token may not write to this pull request. %s"+
		"The findings are in the annotations and the step summary, and the job's result depends on the findings only. "+
		"For comments on fork pull requests, see the README (GitHub Action, forks).", strings.Join(what, " and "), a.deniedStatuses(), why)
}

func (a *actionRun) writeSARIF(ctx context.Context, rep *annotate.Report) error {
	p := a.in.sarifFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.workspace, p)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := (annotate.SARIF{W: f, Version: cli.Version}).Report(ctx, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
