package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/annotate/github"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// actionMode reports whether kubeready runs as the GitHub Action: inside
// GitHub Actions, with no arguments, and with the inputs action.yml declares
// in the environment (the runner sets every input that has a default). A
// workflow's `run: kubeready ...` step gets the CLI.
func actionMode(args []string, getenv func(string) string) bool {
	return len(args) == 0 && getenv("GITHUB_ACTIONS") == "true" &&
		(getenv("INPUT_TARGET") != "" || getenv("INPUT_GITHUB-TOKEN") != "")
}

// actionInputs are the Action's own inputs (action.yml), read from
// INPUT_*; the inputs that are also flags end up in options.
type actionInputs struct {
	paths                        []string
	comment, review, annotations bool
	sarifFile                    string
	token                        string
}

// flagInputs are the inputs that are also flags (and .kubeready.yaml keys),
// with their action.yml defaults. An input left at its default is not
// passed as a flag, so that the repository's .kubeready.yaml decides, as it
// does for the CLI and the pre-commit hooks; kubeready's own defaults are
// the same values.
func flagInputs() []struct{ name, def string } {
	return []struct{ name, def string }{
		{"target", "1.25"}, {"platform", checks.PlatformEKS}, {"fail-on", "error"}, {"scope", scopeFiles},
	}
}

// readInputs reads the inputs and checks them. The flag inputs go through
// the CLI's own flag parser (with .kubeready.yaml), so both ways in accept
// the same values. Warnings from reading the configuration come back in
// warn.
func readInputs(gha *githubactions.Action) (in actionInputs, opts options, warn string, err error) {
	get := func(name, def string) string {
		if v := gha.GetInput(name); v != "" {
			return v
		}
		return def
	}
	in = actionInputs{paths: strings.Fields(get("paths", ".")), sarifFile: gha.GetInput("sarif-file"), token: gha.GetInput("github-token")}
	for _, b := range []struct {
		name string
		def  bool
		dst  *bool
	}{{"comment", true, &in.comment}, {"review", false, &in.review}, {"annotations", true, &in.annotations}} {
		if *b.dst, err = parseBoolInput(b.name, gha.GetInput(b.name), b.def); err != nil {
			return in, opts, "", err
		}
	}
	for _, p := range in.paths {
		if filepath.IsAbs(p) || p == ".." || strings.HasPrefix(filepath.ToSlash(filepath.Clean(p)), "../") {
			return in, opts, "", fmt.Errorf("input paths: %q is outside the repository", p)
		}
	}
	args := []string{"--workers", fmt.Sprint(runtime.GOMAXPROCS(0))}
	scopeGiven := false
	for _, f := range flagInputs() {
		if v := get(f.name, f.def); v != f.def {
			args = append(args, "--"+f.name, v)
			scopeGiven = scopeGiven || f.name == "scope"
		}
	}
	for _, v := range strings.Fields(gha.GetInput("helm-values")) {
		args = append(args, "--helm-values", v)
	}
	args = append(args, "--")
	args = append(args, in.paths...)
	var errBuf strings.Builder
	opts, _, ok := parseFlags(args, io.Discard, &errBuf)
	msg := strings.TrimSpace(strings.ReplaceAll(errBuf.String(), "kubeready: ", ""))
	if !ok {
		return in, opts, "", fmt.Errorf("inputs: %s", msg)
	}
	// The Action suggests fixes and never writes them, whatever a `fix` key
	// in .kubeready.yaml says.
	opts.fix, opts.format = fixNone, "text"
	// Without --base or --diff the CLI's default scope is all; on a pull
	// request the Action's is files, unless the configuration says.
	if !scopeGiven && !configSets(opts.config, "scope") {
		opts.scope = scopeFiles
	}
	return in, opts, msg, nil
}

// configSets reports whether a configuration file sets the flag key.
func configSets(c *config, key string) bool {
	if c == nil {
		return false
	}
	for _, s := range c.settings {
		if s.key == key {
			return true
		}
	}
	return false
}

func parseBoolInput(name, v string, def bool) (bool, error) {
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("input %s %q: want true or false", name, v)
}

// runAction is kubeready as the GitHub Action: it reads the inputs and the
// event, finds what the pull request changed, scans its head commit, and
// reports through annotations, the review, the summary comment, SARIF, the
// step summary and the outputs. The exit code depends on the findings (and
// scan errors) only: a GitHub write that fails, as on a fork's read-only
// token, is a warning.
func runAction(ctx context.Context, getenv func(string) string, stdout io.Writer) int {
	gha := githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv))
	in, opts, warn, err := readInputs(gha)
	if in.token != "" {
		gha.AddMask(in.token)
	}
	if err != nil {
		gha.Errorf("kubeready: %v", err)
		return exitError
	}
	if warn != "" {
		gha.Warningf("kubeready: %s", warn)
	}
	if newest := checks.APIs.Newest(); newest.Less(opts.target) {
		gha.Warningf("kubeready: target %s is newer than %s, the newest release kubeready knows; rules stop at %s", opts.target, newest, newest)
	}
	ghctx, err := gha.Context()
	if ghctx == nil {
		gha.Errorf("kubeready: reading the workflow's context: %v", err)
		return exitError
	}
	ev, err := readEvent(ghctx.EventPath)
	if err != nil {
		gha.Errorf("kubeready: %v", err)
		return exitError
	}
	workspace := ghctx.Workspace
	if workspace == "" {
		workspace = "."
	}
	if workspace, err = filepath.Abs(workspace); err != nil {
		gha.Errorf("kubeready: %v", err)
		return exitError
	}
	owner, repo := ghctx.Repo()
	place := &github.Placement{}
	run := &actionRun{gha: gha, in: in, opts: opts, ev: ev, workspace: workspace, place: place,
		pr: github.PullRequest{Owner: owner, Repo: repo, ServerURL: ghctx.ServerURL, HeadSHA: ghctx.SHA}}
	if in.token != "" {
		transport := &github.RetryTransport{MinWriteGap: time.Second, Logf: func(format string, args ...any) {
			gha.Infof("kubeready: %s", fmt.Sprintf(format, args...))
		}}
		if run.client, err = github.NewClient(ghctx.APIURL, in.token, transport); err != nil {
			gha.Errorf("kubeready: %v", err)
			return exitError
		}
	}
	return run.do(ctx, ghctx.EventName)
}

// actionRun is one run of the Action.
type actionRun struct {
	gha       *githubactions.Action
	in        actionInputs
	opts      options
	ev        *actionEvent
	workspace string // the repository's checkout
	root      string // where the scanned commit's files are: workspace, or a worktree of the PR head
	client    *gogithub.Client
	pr        github.PullRequest
	place     *github.Placement
	change    *scan.Change // nil: everything counts as changed
	headOK    bool         // root holds exactly the commit the line numbers refer to
	denied    []string     // writes the token may not make
}

func (a *actionRun) do(ctx context.Context, eventName string) int {
	a.root, a.headOK = a.workspace, true
	pr := a.ev.PullRequest
	switch {
	case pr != nil && (eventName == "pull_request" || eventName == "pull_request_target" || eventName == ""):
		a.pr.Number, a.pr.HeadSHA = pr.Number, pr.Head.SHA
		dir, cleanup, ok := headTree(ctx, a.workspace, pr.Head.SHA, a.place.Note)
		defer cleanup()
		a.root, a.headOK = dir, ok
		a.change = a.prChange(ctx)
	case eventName == "push" && a.ev.After != "":
		a.pr.HeadSHA = a.ev.After
		a.change = pushChange(ctx, a.workspace, a.ev.Before, a.ev.After, a.place.Note)
	default:
		a.place.Note("Event %s has no change to compare against: every finding counts as changed.", orUnknown(eventName))
	}
	if a.change == nil && a.opts.scope != scopeAll {
		a.place.Note("The changed lines are unknown, so scope `%s` reports every finding in the scanned paths.", a.opts.scope)
	}

	rep := a.scan(ctx)
	a.report(ctx, rep)
	return exitCode(rep, a.opts.failOn)
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
	rep := &annotate.Report{Target: a.opts.target.String(), Platform: a.opts.platform}
	var paths []string
	for _, p := range a.opts.paths {
		paths = append(paths, filepath.Join(a.root, p))
	}
	if a.change != nil && a.opts.scope != scopeAll {
		var skipped []annotate.Skipped
		paths, skipped = changeInputs(a.change, paths)
		rep.Stats.Skipped = append(rep.Stats.Skipped, skipped...)
	}
	scanPaths(ctx, a.opts, paths, a.change, strings.NewReader(""), rep)
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
		if r, err := filepath.Rel(a.root, abs); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(p)
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

// report sends the report through every reporter the inputs ask for, in
// an order that lets each later one say what the earlier ones did.
func (a *actionRun) report(ctx context.Context, rep *annotate.Report) {
	md := annotate.Markdown{PR: a.pr, Scope: a.opts.scope, Version: version, Placement: a.place}
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
	if len(a.denied) > 0 {
		a.gha.Warningf("%s", a.deniedWarning())
		a.place.Notes = slices.DeleteFunc(a.place.Notes, func(n string) bool { return strings.HasPrefix(n, "Review comments were not posted") })
		a.place.Note("%s", a.deniedWarning())
	}
	if a.gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		_ = github.StepSummary{Action: a.gha, Markdown: md}.Report(ctx, rep)
	}
	if a.gha.Getenv("GITHUB_OUTPUT") != "" {
		_ = github.Outputs{Action: a.gha, SARIFFile: sarifOut}.Report(ctx, rep)
	}
	a.gha.Infof("%s", annotate.Summary(rep))
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
	if err := (annotate.SARIF{W: f, Version: version}).Report(ctx, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
