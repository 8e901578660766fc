// Package action is kubeready as a GitHub Action: it reads the inputs and
// the event, finds what the pull request (or push) changed, scans its head
// commit through the engine, and reports through GitHub.
package action

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"
	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/annotate/github"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
	"github.com/sethvargo/go-githubactions"
)

// Run is kubeready as the GitHub Action: it reads the inputs and the
// event, finds what the pull request changed, scans its head commit, and
// reports through annotations, the review, the summary comment, SARIF, the
// step summary and the outputs. The exit code depends on the findings (and
// scan errors) only: a GitHub write that fails, as on a fork's read-only
// token, is a warning.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer) int {
	gha := githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv))
	if token := gha.GetInput("github-token"); token != "" {
		gha.AddMask(token)
	}
	ghctx, err := gha.Context()
	if ghctx == nil {
		gha.Errorf("kubeready: reading the workflow's context: %v", err)
		return cli.ExitError
	}
	ev, err := readEvent(ghctx.EventPath)
	if err != nil {
		gha.Errorf("kubeready: %v", err)
		return cli.ExitError
	}
	workspace := ghctx.Workspace
	if workspace == "" {
		workspace = "."
	}
	if workspace, err = filepath.Abs(workspace); err != nil {
		gha.Errorf("kubeready: %v", err)
		return cli.ExitError
	}
	owner, repo := ghctx.Repo()
	place := &github.Placement{}
	run := &actionRun{gha: gha, ev: ev, workspace: workspace, place: place, root: workspace, headOK: true,
		pr: github.PullRequest{Owner: owner, Repo: repo, ServerURL: ghctx.ServerURL, HeadSHA: ghctx.SHA}}

	// A pull request is scanned at its head, with the base commit's
	// configuration (config.go); anything else with the working tree's.
	if pr := ev.PullRequest; pr != nil && isPullRequestEvent(ghctx.EventName) {
		dir, cleanup, ok := headTree(ctx, workspace, pr.Head.SHA, place.Note)
		defer cleanup()
		run.root, run.headOK = dir, ok
		choice, unread, err := baseConfig(ctx, workspace, run.root, pr.Base.SHA)
		if err != nil {
			gha.Errorf("kubeready: %v", err)
			return cli.ExitError
		}
		if unread != nil {
			gha.Warningf("kubeready: could not read %s at the pull request's base commit (%v); kubeready's defaults were used, not the pull request's file", configName, unread)
			place.Note("Could not read .kubeready.yaml at the pull request's base commit (%v): kubeready's defaults were used, not the pull request's file.", unread)
		}
		run.config = choice
	}
	in, opts, warn, err := readInputs(gha, run.config)
	if err != nil {
		gha.Errorf("kubeready: %v", err)
		return cli.ExitError
	}
	if warn != "" {
		gha.Warningf("kubeready: %s", warn)
	}
	if newest := checks.APIs.Newest(); newest.Less(opts.Engine.Env.Target) {
		gha.Warningf("kubeready: target %s is newer than %s, the newest release kubeready knows; rules stop at %s", opts.Engine.Env.Target, newest, newest)
	}
	run.in, run.opts = in, opts
	deadlines, err := apiDeadlines(getenv("KUBEREADY_API_TIMEOUT"))
	if err != nil {
		gha.Errorf("kubeready: %v", err)
		return cli.ExitError
	}
	run.deadlines = deadlines
	if in.token != "" {
		transport := &github.RetryTransport{MinWriteGap: time.Second, PerTry: deadlines.perTry, Logf: func(format string, args ...any) {
			gha.Infof("kubeready: %s", fmt.Sprintf(format, args...))
		}}
		if run.client, err = github.NewClient(ghctx.APIURL, in.token, transport); err != nil {
			gha.Errorf("kubeready: %v", err)
			return cli.ExitError
		}
	}
	return run.do(ctx, ghctx.EventName)
}

// isPullRequestEvent reports whether a run with a pull_request payload is
// about that pull request (an empty name: a local run with a payload).
func isPullRequestEvent(name string) bool {
	return name == "pull_request" || name == "pull_request_target" || name == ""
}

// deadlines bound the Action's GitHub API calls: each request (perTry),
// listing the pull request's files, and the reporting phase.
type deadlines struct {
	perTry, listFiles, report time.Duration
}

// apiDeadlines reads KUBEREADY_API_TIMEOUT (a Go duration such as 90s),
// the budget of the reporting phase; the other two follow from it. Empty:
// 3 minutes (30 s per request, 1 minute for the file list).
func apiDeadlines(v string) (deadlines, error) {
	d := 3 * time.Minute
	if v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 {
			return deadlines{}, fmt.Errorf("KUBEREADY_API_TIMEOUT %q: want a duration such as 90s", v)
		}
	}
	return deadlines{perTry: min(30*time.Second, d/3), listFiles: min(time.Minute, d/3), report: d}, nil
}

// actionRun is one run of the Action.
type actionRun struct {
	deadlines deadlines
	gha       *githubactions.Action
	in        actionInputs
	opts      cli.Options
	ev        *actionEvent
	workspace string // the repository's checkout
	root      string // where the scanned commit's files are: workspace, or a worktree of the PR head
	client    *gogithub.Client
	pr        github.PullRequest
	place     *github.Placement
	change    *scan.Change  // nil: everything counts as changed
	headOK    bool          // root holds exactly the commit the line numbers refer to
	denied    []deniedWrite // writes the token may not make
	// config is where the configuration came from; configNoted: the
	// summary already says the pull request changes it.
	config      configChoice
	configNoted bool
}

// do runs the Action once the tree to scan (root) and the inputs are known.
func (a *actionRun) do(ctx context.Context, eventName string) int {
	pr := a.ev.PullRequest
	switch {
	case pr != nil && isPullRequestEvent(eventName):
		a.pr.Number, a.pr.HeadSHA = pr.Number, pr.Head.SHA
		a.change = a.prChange(ctx)
		if a.config.fromBase && (headConfigDiffers(a.root, a.config.baseData) || changedFiles(a.change)[configName] != nil) {
			a.noteConfigChanged()
		}
	case eventName == "push" && a.ev.After != "":
		a.pr.HeadSHA = a.ev.After
		a.change = pushChange(ctx, a.workspace, a.ev.Before, a.ev.After, a.place.Note)
	default:
		a.place.Note("Event %s has no change to compare against: every finding counts as changed.", orUnknown(eventName))
	}
	if a.change == nil && a.opts.Engine.Scope != engine.ScopeAll {
		a.place.Note("The changed lines are unknown, so scope `%s` reports every finding in the scanned paths.", a.opts.Engine.Scope)
	}

	rep := a.scan(ctx)
	a.report(ctx, rep)
	return cli.ExitCode(rep, a.opts.FailOn)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// scan runs the CLI's pipeline on the inputs' paths under root, limited to
// the changed files unless the scope is all, and names files by their path
// from the repository root.
func (a *actionRun) scan(ctx context.Context) *annotate.Report {
	rep := &annotate.Report{Target: a.opts.Engine.Env.Target.String(), Platform: a.opts.Engine.Env.Platform}
	var paths []string
	for _, p := range a.opts.Paths {
		paths = append(paths, filepath.Join(a.root, p))
	}
	cfg := a.opts.Engine
	cfg.Stdin = strings.NewReader("")
	engine.Run(ctx, cfg, paths, a.change, rep)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.File = a.rel(f.File)
		for j := range f.Fixes {
			for k := range f.Fixes[j].Edits {
				if p := f.Fixes[j].Edits[k].Path; p != "" {
					f.Fixes[j].Edits[k].Path = a.rel(p)
				}
			}
		}
	}
	for i := range rep.Errors {
		if rep.Errors[i].File != "" {
			rep.Errors[i].File = a.rel(rep.Errors[i].File)
		}
		rep.Errors[i].Message = strings.ReplaceAll(rep.Errors[i].Message, a.root+string(filepath.Separator), "")
	}
	for i := range rep.Stats.Skipped {
		rep.Stats.Skipped[i].File = a.rel(rep.Stats.Skipped[i].File)
	}
	return rep
}

// rel names a scanned file by its slash path from the scanned root.
func (a *actionRun) rel(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		if r, ok := paths.Rel(a.root, abs); ok {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(p)
}
