package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
		if a.in.review && !a.headOK {
			a.place.Note("No review comments: the scanned files may not be the pull request's head, so their line numbers could be wrong.")
		} else if a.in.review {
			hunks := map[string][]scan.LineRange{}
			for path, fc := range changedFiles(a.change) {
				hunks[path] = fc.Hunks
			}
			rv := &github.Review{Client: a.client, PR: a.pr, Hunks: hunks, ReadFile: func(p string) ([]byte, error) {
				return os.ReadFile(filepath.Join(a.root, filepath.FromSlash(p)))
			}}
			err := rv.Report(ctx, rep)
			a.place.Review = &rv.Result
			a.writeFailed("the review comments", err)
		}
		if len(a.denied) > 0 {
			// Said in the summary comment, should the token be allowed
			// to write that; the step summary gets the combined note.
			a.place.Note("Review comments were not posted: the token may not write pull request reviews (HTTP 403/404).")
		}
		if a.in.comment {
			// Tried even after a refused review: issue comments need only
			// issues: write, which a workflow may grant alone.
			c := &github.Comment{Client: a.client, PR: a.pr, Markdown: md}
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

// writeFailed records a failed write: a refused one for the single
// permission warning, any other as a warning of its own.
func (a *actionRun) writeFailed(what string, err error) {
	switch {
	case err == nil:
	case github.IsPermissionError(err):
		a.denied = append(a.denied, what)
	default:
		a.gha.Warningf("kubeready could not post %s: %v", what, err)
		a.place.Note("Could not post %s: %s.", what, strings.TrimSuffix(err.Error(), "."))
	}
}

func (a *actionRun) deniedWarning() string {
	return fmt.Sprintf("kubeready could not post %s: the token may not write to this pull request (HTTP 403/404), "+
		"as is the case for pull requests from forks, whose GITHUB_TOKEN is read-only. "+
		"The findings are in the annotations and the step summary, and the job's result depends on the findings only. "+
		"For comments on fork pull requests, see the README (GitHub Action, forks).", strings.Join(a.denied, " and "))
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
