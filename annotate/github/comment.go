package github

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/annotate"
)

// CommentMarker starts the body of kubeready's summary comment: it is how a
// later run finds the comment to edit.
const CommentMarker = "<!-- kubeready:summary -->"

// MaxCommentBody is GitHub's limit on a comment body, in characters.
const MaxCommentBody = 65536

// Comment keeps one summary comment on a pull request current. It finds
// the comment an earlier run wrote by CommentMarker, among the comments
// written by Login only, and edits it in place; it creates one only when
// there is none, and then only when there is something to say (findings or
// errors), so a clean pull request gets no comment, while one whose
// findings are all fixed is told so. Should several marked comments of
// Login's exist (two runs racing), the first is kept and the others are cut
// down to a link to it. Marked comments by anyone else are ignored: never
// edited, never read, never mentioned.
type Comment struct {
	Client   *gogithub.Client
	PR       PullRequest
	Markdown annotate.Markdown
	// Login is whom the token writes as (see Login); empty means
	// WorkflowLogin.
	Login string

	// Set by Report: the comment's address, and whether it was created,
	// edited, or left alone because there was nothing to say.
	URL     string
	Created bool
	Edited  bool
}

var stateRe = regexp.MustCompile(`<!-- kubeready:state findings=(\d+) -->`)

// Report implements annotate.Reporter.
func (c *Comment) Report(ctx context.Context, r *annotate.Report) error {
	existing, err := c.find(ctx)
	if err != nil {
		return err
	}
	visible := len(r.Visible())
	m := c.Markdown
	m.PR = c.PR
	if m.Budget <= 0 || m.Budget > annotate.DefaultCommentBudget {
		m.Budget = annotate.DefaultCommentBudget
	}
	m.Header = CommentMarker + "\n" + fmt.Sprintf("<!-- kubeready:state findings=%d -->\n", visible)
	if len(existing) > 0 {
		if s := stateRe.FindStringSubmatch(existing[0].GetBody()); s != nil {
			m.Previous, _ = strconv.Atoi(s[1])
		}
	}
	body := m.Render(r)
	if n := len([]rune(body)); n > MaxCommentBody {
		// Render keeps to its budget; this is a last guard.
		body = string([]rune(body)[:MaxCommentBody-200]) + "\n\n… (cut at GitHub's size limit)\n"
	}

	if len(existing) == 0 {
		if visible == 0 && len(r.Errors) == 0 {
			return nil
		}
		got, _, err := c.Client.Issues.CreateComment(ctx, c.PR.Owner, c.PR.Repo, c.PR.Number, &gogithub.IssueComment{Body: &body})
		if err == nil {
			c.URL, c.Created = got.GetHTMLURL(), true
			return nil
		}
		if IsPermissionError(err) || ctx.Err() != nil {
			return fmt.Errorf("creating the summary comment: %w", err)
		}
		// A create is never sent twice (RetryTransport): GitHub may have
		// made the comment before the error. Look again, and edit what is
		// there now instead of creating another.
		if existing, _ = c.find(ctx); len(existing) == 0 {
			return fmt.Errorf("creating the summary comment: %w", err)
		}
	}
	keep := existing[0]
	got, _, err := c.Client.Issues.EditComment(ctx, c.PR.Owner, c.PR.Repo, keep.GetID(), &gogithub.IssueComment{Body: &body})
	if err != nil {
		return &EditError{ID: keep.GetID(), Err: err}
	}
	c.URL, c.Edited = got.GetHTMLURL(), true
	for _, dup := range existing[1:] {
		note := fmt.Sprintf("kubeready: this summary is out of date; the current one is %s.", c.URL)
		if _, _, err := c.Client.Issues.EditComment(ctx, c.PR.Owner, c.PR.Repo, dup.GetID(), &gogithub.IssueComment{Body: &note}); err != nil {
			return fmt.Errorf("retiring the duplicate summary comment %d: %w", dup.GetID(), err)
		}
	}
	return nil
}

// EditError is GitHub refusing to edit kubeready's own summary comment
// (one Login wrote): a refusal of the edit, not of a create, so it is no
// sign of a fork's read-only token by itself.
type EditError struct {
	ID  int64
	Err error
}

func (e *EditError) Error() string {
	return fmt.Sprintf("editing the summary comment %d: %s", e.ID, DescribeError(e.Err))
}

func (e *EditError) Unwrap() error { return e.Err }

// find lists the pull request's comments (all pages) and returns Login's
// that start with the marker, oldest first.
func (c *Comment) find(ctx context.Context) ([]*gogithub.IssueComment, error) {
	var ours []*gogithub.IssueComment
	opts := &gogithub.IssueListCommentsOptions{ListOptions: gogithub.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.Client.Issues.ListComments(ctx, c.PR.Owner, c.PR.Repo, c.PR.Number, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the pull request's comments: %w", err)
		}
		for _, ic := range page {
			if ownedBy(ic.GetUser(), c.Login) && strings.HasPrefix(strings.TrimSpace(ic.GetBody()), CommentMarker) {
				ours = append(ours, ic)
			}
		}
		if resp.NextPage == 0 {
			return ours, nil
		}
		opts.Page = resp.NextPage
	}
}
