package action

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/scan"
)

// actionEvent is the part of the workflow's event payload the Action reads.
type actionEvent struct {
	PullRequest *struct {
		Number       int      `json:"number"`
		ChangedFiles int      `json:"changed_files"`
		Head         eventRef `json:"head"`
		Base         eventRef `json:"base"`
	} `json:"pull_request"`
	// Before and After are the commits of a push.
	Before string `json:"before"`
	After  string `json:"after"`
}

// eventRef is a pull request's head or base.
type eventRef struct {
	SHA  string `json:"sha"`
	Repo *struct {
		FullName string `json:"full_name"`
	} `json:"repo"`
}

// fromFork reports whether the pull request's head is in another
// repository than its base (a fork), as far as the payload says.
func (ev *actionEvent) fromFork() bool {
	pr := ev.PullRequest
	if pr == nil || pr.Head.Repo == nil || pr.Base.Repo == nil {
		return false
	}
	return !strings.EqualFold(pr.Head.Repo.FullName, pr.Base.Repo.FullName)
}

// readEvent reads GITHUB_EVENT_PATH; no file means an empty event.
func readEvent(path string) (*actionEvent, error) {
	ev := &actionEvent{}
	if path == "" {
		return ev, nil
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ev, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the event payload: %w", err)
	}
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("reading the event payload %s: %w", path, err)
	}
	if pr := ev.PullRequest; pr != nil && (pr.Number <= 0 || pr.Head.SHA == "") {
		return nil, fmt.Errorf("the event payload %s has a pull_request without a number or head.sha", path)
	}
	return ev, nil
}

// headTree returns the directory that holds the files of commit sha: the
// workspace when it is checked out at sha, else a temporary git worktree of
// sha (fetched first when the checkout lacks it). The default checkout of a
// pull_request event is a merge commit whose line numbers can differ from
// the head's, and pull_request_target checks out the base. ok is false when
// neither works: the workspace is then scanned as it is, and its line
// numbers may be off.
func headTree(ctx context.Context, workspace, sha string, note func(string, ...any)) (dir string, cleanup func(), ok bool) {
	nothing := func() {}
	out, err := git.Run(ctx, workspace, "rev-parse", "HEAD")
	if err != nil {
		note("The workspace is not a git checkout, so kubeready could not make sure it scanned the pull request's head %s; line numbers may be off. Check out the repository before this step.", short(sha))
		return workspace, nothing, false
	}
	head := strings.TrimSpace(string(out))
	if head == sha {
		return workspace, nothing, true
	}
	if _, err := git.Run(ctx, workspace, "cat-file", "-e", sha+"^{commit}"); err != nil {
		if _, err := git.Run(ctx, workspace, "fetch", "--no-tags", "--quiet", "--depth=1", "origin", sha); err != nil {
			note("The workspace is at %s, not at the pull request's head %s, and fetching the head failed (%v): the workspace was scanned, so line numbers may be off. Check out `${{ github.event.pull_request.head.sha }}`.", short(head), short(sha), err)
			return workspace, nothing, false
		}
	}
	tmp, err := os.MkdirTemp("", "kubeready-head-")
	if err != nil {
		note("Could not make a temporary directory for the pull request's head: %v.", err)
		return workspace, nothing, false
	}
	if _, err := git.Run(ctx, workspace, "worktree", "add", "--detach", "--quiet", tmp, sha); err != nil {
		os.RemoveAll(tmp)
		note("The workspace is at %s, not at the pull request's head %s, and checking out the head failed (%v): the workspace was scanned, so line numbers may be off.", short(head), short(sha), err)
		return workspace, nothing, false
	}
	note("The workspace is at %s (for a pull request, usually the merge commit); kubeready scanned the pull request's head %s from a temporary worktree, so line numbers match the pull request.", short(head), short(sha))
	return tmp, func() {
		_, _ = git.Run(context.Background(), workspace, "worktree", "remove", "--force", tmp)
		os.RemoveAll(tmp)
	}, true
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// maxListedFiles is how many files GitHub lists for one pull request.
const maxListedFiles = 3000

// prChange finds the pull request's changed files and hunks through the
// API (all pages). Past GitHub's 3,000-file cap, or when a manifest's patch
// is missing (GitHub leaves out large ones), it uses `git diff base...head`
// instead and says so; should that fail too, the files the API listed
// count as changed as a whole. nil means the change is unknown.
func (a *actionRun) prChange(ctx context.Context) *scan.Change {
	pr := a.ev.PullRequest
	note := a.place.Note
	if a.client == nil {
		c, err := gitDiffChange(ctx, a.workspace, a.root, pr.Base.SHA, pr.Head.SHA)
		if err != nil {
			note("Without a github-token the changed files come from git, which failed (%v).", err)
			return nil
		}
		return c
	}
	// The file list is the one API call before the scan: bound it, so a
	// hung API costs a fallback to git, not the job.
	listCtx, cancel := context.WithTimeout(ctx, a.deadlines.listFiles)
	defer cancel()
	var files []*github.CommitFile
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := a.client.PullRequests.ListFiles(listCtx, a.pr.Owner, a.pr.Repo, pr.Number, opts)
		if err != nil {
			note("Listing the pull request's files failed (%v); the changed lines come from `git diff` instead.", err)
			c, gerr := gitDiffChange(ctx, a.workspace, a.root, pr.Base.SHA, pr.Head.SHA)
			if gerr != nil {
				note("`git diff` failed too (%v).", gerr)
				return nil
			}
			return c
		}
		files = append(files, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	var why string
	switch {
	case len(files) >= maxListedFiles || pr.ChangedFiles > len(files):
		why = fmt.Sprintf("The pull request changes %d files and GitHub lists at most %d", max(pr.ChangedFiles, len(files)), maxListedFiles)
	default:
		for _, f := range files {
			if f.GetPatch() == "" && f.GetStatus() != "removed" && f.GetChanges() > 0 && scan.IsManifestName(f.GetFilename()) {
				why = fmt.Sprintf("GitHub left out the diff of %s (too large)", f.GetFilename())
				break
			}
		}
	}
	if why != "" {
		c, err := gitDiffChange(ctx, a.workspace, a.root, pr.Base.SHA, pr.Head.SHA)
		if err == nil {
			note("%s, so the changed files and lines come from `git diff %s...%s`.", why, short(pr.Base.SHA), short(pr.Head.SHA))
			return c
		}
		note("%s, and `git diff %s...%s` failed (%v; check out with `fetch-depth: 0`): files without a diff count as changed as a whole, and files GitHub did not list are not scanned.",
			why, short(pr.Base.SHA), short(pr.Head.SHA), err)
	}
	c := scan.NewChange(a.root)
	for _, f := range files {
		if f.GetStatus() == "removed" {
			continue
		}
		fc, err := scan.ParsePatch(f.GetFilename(), f.GetPatch())
		if err != nil {
			note("%v; the file counts as changed as a whole.", err)
			if fc, err = scan.ParsePatch(f.GetFilename(), ""); err != nil {
				continue // a path kubeready refuses to read
			}
			fc.Whole = true
		}
		if f.GetStatus() == "added" || (f.GetPatch() == "" && f.GetChanges() > 0) {
			fc.Whole = true
		}
		fc.OldPath = f.GetPreviousFilename()
		c.Add(fc)
	}
	return c
}

// gitDiffChange reads `git diff base...head` in the workspace, as a change
// rooted at root (where the head's files are).
func gitDiffChange(ctx context.Context, workspace, root, base, head string) (*scan.Change, error) {
	if base == "" || head == "" {
		return nil, fmt.Errorf("no base or head commit")
	}
	out, err := git.Run(ctx, workspace, "diff", "--no-color", "--no-ext-diff", "--find-renames", base+"..."+head)
	if err != nil {
		if _, ferr := git.Run(ctx, workspace, "fetch", "--no-tags", "--quiet", "origin", base, head); ferr != nil {
			return nil, err
		}
		if out, err = git.Run(ctx, workspace, "diff", "--no-color", "--no-ext-diff", "--find-renames", base+"..."+head); err != nil {
			return nil, err
		}
	}
	c, errs := scan.ParseDiff(bytes.NewReader(out), root)
	if len(errs) > 0 {
		return c, errs[0]
	}
	return c, nil
}

// pushChange is what a push changed: `git diff before after`, or nil (all
// findings count as changed) for a new branch or when the checkout lacks
// the previous commit.
func pushChange(ctx context.Context, workspace, before, after string, note func(string, ...any)) *scan.Change {
	if strings.Trim(before, "0") == "" {
		note("A new branch: every finding counts as changed.")
		return nil
	}
	out, err := git.Run(ctx, workspace, "diff", "--no-color", "--no-ext-diff", "--find-renames", before, after)
	if err != nil {
		note("The push's previous commit %s is not in the checkout (use `fetch-depth: 2` or more): every finding counts as changed.", short(before))
		return nil
	}
	c, errs := scan.ParseDiff(bytes.NewReader(out), workspace)
	if len(errs) > 0 {
		note("Reading the push's diff: %v.", errs[0])
	}
	return c
}
