package github

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/internal/fakegithub"
)

// Attacks on the sticky comment and the review from people who can comment
// on the pull request: only comments written by the token's own login are
// kubeready's.

// TestCommentIgnoresOthersMarker: a human, and another app, post comments
// that start with the summary marker (one with a forged state) before the
// first run. kubeready writes its own comment and never touches theirs;
// after two runs there is exactly one summary comment by kubeready, and
// the summary says nothing of the others.
func TestCommentIgnoresOthersMarker(t *testing.T) {
	srv, client, _ := newGitHub(t)
	human := srv.AddIssueComment(7, "mallory", CommentMarker+"\n<!-- kubeready:state findings=99 -->\n### ✅ No upgrade blockers")
	app := srv.AddIssueComment(7, "evil-app[bot]", CommentMarker+"\nI am a bot too")
	before := srv.IssueComments(7)
	for run := 1; run <= 2; run++ {
		c := &Comment{Client: client, PR: testPR(srv), Login: WorkflowLogin}
		if err := c.Report(context.Background(), cronReport()); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if run == 1 && !c.Created || run == 2 && !c.Edited {
			t.Errorf("run %d: created %v, edited %v", run, c.Created, c.Edited)
		}
	}
	var ours []fakegithub.IssueComment
	for _, ic := range srv.IssueComments(7) {
		switch ic.ID {
		case human, app:
			for _, b := range before {
				if b.ID == ic.ID && (b.Body != ic.Body || ic.Edits != 0) {
					t.Errorf("%s's comment was touched: %q", ic.User, ic.Body)
				}
			}
		default:
			ours = append(ours, ic)
		}
	}
	if len(ours) != 1 || ours[0].User != fakegithub.BotLogin || ours[0].Edits != 1 {
		t.Fatalf("kubeready's comments: %+v, want one by %s edited once", ours, fakegithub.BotLogin)
	}
	for _, bad := range []string{"99 findings", "reported earlier", "mallory", "evil-app"} {
		if strings.Contains(ours[0].Body, bad) {
			t.Errorf("the summary speaks of the others' comments (%q):\n%s", bad, ours[0].Body)
		}
	}
	for _, r := range srv.Requests() {
		if r.Op == "issues/update-comment" && (strings.HasSuffix(r.Path, "/"+strconv.FormatInt(human, 10)) || strings.HasSuffix(r.Path, "/"+strconv.FormatInt(app, 10))) {
			t.Errorf("an edit of someone else's comment was sent: %s", r.Path)
		}
	}
}

// TestCommentOwnLoginFromUser: with a personal token (login release-bot),
// a marked comment by github-actions[bot] is someone else's too.
func TestCommentOwnLoginFromUser(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.Login = "release-bot"
	actions := srv.AddIssueComment(7, fakegithub.BotLogin, CommentMarker+"\nanother workflow's summary")
	login, err := Login(context.Background(), client)
	if err != nil || login != "release-bot" {
		t.Fatalf("Login = %q, %v", login, err)
	}
	for run := 1; run <= 2; run++ {
		if err := (&Comment{Client: client, PR: testPR(srv), Login: login}).Report(context.Background(), cronReport()); err != nil {
			t.Fatal(err)
		}
	}
	var ours int
	for _, ic := range summaryComments(srv) {
		if ic.ID == actions && ic.Edits != 0 {
			t.Error("github-actions[bot]'s comment was edited by a personal token's run")
		}
		if ic.User == "release-bot" {
			ours++
		}
	}
	if ours != 1 {
		t.Errorf("%d summary comments by release-bot, want 1", ours)
	}
}

// TestLoginWorkflowToken: GET /user refuses the workflow's token (403), and
// Login says so with the status.
func TestLoginWorkflowToken(t *testing.T) {
	srv, client, _ := newGitHub(t)
	_, err := Login(context.Background(), client)
	if err == nil || !strings.Contains(DescribeError(err), "HTTP 403") || strings.Contains(err.Error(), srv.Token) {
		t.Errorf("Login with the workflow token: %v", err)
	}
}

// TestCommentEditRefused: GitHub refuses the edit of kubeready's own
// comment. The error names the comment and the HTTP status, and is an
// EditError (not a fork's missing permission to create).
func TestCommentEditRefused(t *testing.T) {
	srv, client, _ := newGitHub(t)
	own := srv.AddIssueComment(7, fakegithub.BotLogin, CommentMarker+"\nold")
	srv.Inject(fakegithub.Fault{Op: "issues/update-comment", Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	err := (&Comment{Client: client, PR: testPR(srv), Login: WorkflowLogin}).Report(context.Background(), cronReport())
	var ee *EditError
	if !errors.As(err, &ee) || ee.ID != own || !strings.Contains(err.Error(), "HTTP 403") {
		t.Fatalf("err = %v, want an EditError for comment %d naming HTTP 403", err, own)
	}
	if n := len(summaryComments(srv)); n != 1 {
		t.Errorf("%d summary comments: a refused edit must not create another", n)
	}
}

// TestReviewIgnoresSpoofedMarkers: someone posts review comments carrying
// kubeready's finding markers (the fingerprints are deterministic) on the
// very lines of the findings. kubeready's own comments are posted anyway,
// and nobody else's is touched.
func TestReviewIgnoresSpoofedMarkers(t *testing.T) {
	srv, client, _ := newGitHub(t)
	rep := cronReport()
	fps := annotate.Fingerprints(rep.Findings)
	for i, f := range rep.Findings {
		srv.AddReviewComment(7, "mallory", f.File, f.Line, "nothing to see <!-- kubeready:finding "+fps[i]+" -->")
	}
	rv := newReview(srv, &Review{Client: client, ReadFile: readCron, Login: WorkflowLogin})
	if err := rv.Report(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	if rv.Result.Posted != 2 || rv.Result.Existing != 0 {
		t.Errorf("result %+v, want 2 posted and none counted as already there", rv.Result)
	}
	var ours, theirs int
	for _, c := range srv.ReviewComments(7) {
		switch c.User {
		case fakegithub.BotLogin:
			ours++
		case "mallory":
			theirs++
		}
	}
	if ours != 2 || theirs != 3 {
		t.Errorf("%d review comments by kubeready (want 2), %d by mallory (want her 3)", ours, theirs)
	}
	// A second run counts its own comments, still not hers.
	rv2 := newReview(srv, &Review{Client: client, ReadFile: readCron, Login: WorkflowLogin})
	if err := rv2.Report(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	if rv2.Result.Posted != 0 || rv2.Result.Existing != 2 {
		t.Errorf("second run %+v, want its own 2 found", rv2.Result)
	}
}
