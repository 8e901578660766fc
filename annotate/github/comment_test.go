package github

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/annotate/internal/reporttest"
	"github.com/kubeready/kubeready/internal/fakegithub"
)

func summaryComments(srv *fakegithub.Server) []fakegithub.IssueComment {
	var out []fakegithub.IssueComment
	for _, c := range srv.IssueComments(7) {
		if strings.HasPrefix(c.Body, CommentMarker) {
			out = append(out, c)
		}
	}
	return out
}

func TestCommentStickyAcrossRuns(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.AddIssueComment(7, "alice", "Looks good to me")
	ctx := context.Background()
	c := &Comment{Client: client, PR: testPR(srv), Markdown: annotate.Markdown{Scope: "files", Version: "v1.0.0"}}
	if err := c.Report(ctx, cronReport()); err != nil {
		t.Fatal(err)
	}
	if !c.Created || c.URL == "" {
		t.Fatalf("first run: Created=%v URL=%q", c.Created, c.URL)
	}
	first := summaryComments(srv)
	if len(first) != 1 {
		t.Fatalf("after one run: %d summary comments, want 1", len(first))
	}
	body := first[0].Body
	for _, want := range []string{
		"### kubeready: Kubernetes 1.25 upgrade check",
		"**3 findings** (1 error, 2 warnings, 0 info) in 1 file.",
		"#### [`deploy/cron.yaml`](https://github.com/octo/deploys/blob/" + headSHA + "/deploy/cron.yaml)",
		"| [2](https://github.com/octo/deploys/blob/" + headSHA + "/deploy/cron.yaml#L2) | error | [`api-removed`](https://kubernetes.io/docs/reference/using-api/deprecation-guide/#cronjob-v125) |",
		"Change apiVersion to batch/v1 (safe)",
		"commit [`0123456`](https://github.com/octo/deploys/commit/" + headSHA + ")",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q:\n%s", want, body)
		}
	}

	// Second run, one finding fixed: the same comment is edited.
	c2 := &Comment{Client: client, PR: testPR(srv), Markdown: annotate.Markdown{Scope: "files"}}
	rep := cronReport()
	rep.Findings = rep.Findings[1:]
	if err := c2.Report(ctx, rep); err != nil {
		t.Fatal(err)
	}
	after := summaryComments(srv)
	if len(after) != 1 || after[0].ID != first[0].ID || after[0].Edits != 1 || !c2.Edited || c2.Created {
		t.Fatalf("second run: %d summary comments (id %v, edits %v), want the first one edited once", len(after), after[0].ID, after[0].Edits)
	}
	if !strings.Contains(after[0].Body, "**2 findings**") {
		t.Errorf("edited body not current:\n%s", after[0].Body)
	}

	// Third run, everything fixed: it says so instead of disappearing.
	c3 := &Comment{Client: client, PR: testPR(srv)}
	if err := c3.Report(ctx, &annotate.Report{Target: "1.25"}); err != nil {
		t.Fatal(err)
	}
	final := summaryComments(srv)
	if len(final) != 1 || final[0].ID != first[0].ID {
		t.Fatalf("third run: %d summary comments", len(final))
	}
	if !strings.Contains(final[0].Body, "No upgrade blockers") || !strings.Contains(final[0].Body, "The 2 findings reported earlier are fixed.") {
		t.Errorf("all-fixed body:\n%s", final[0].Body)
	}
	if got := len(srv.IssueComments(7)); got != 2 {
		t.Errorf("%d comments on the PR, want alice's and the summary", got)
	}
}

func TestCommentNotCreatedWhenClean(t *testing.T) {
	srv, client, _ := newGitHub(t)
	c := &Comment{Client: client, PR: testPR(srv)}
	if err := c.Report(context.Background(), &annotate.Report{Target: "1.25"}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.IssueComments(7)); n != 0 || c.Created {
		t.Errorf("a clean first run posted %d comments", n)
	}
	// Run errors are worth a comment even without findings.
	if err := c.Report(context.Background(), &annotate.Report{Target: "1.25", Errors: []annotate.RunError{{File: "x.yaml", Message: "permission denied"}}}); err != nil {
		t.Fatal(err)
	}
	if n := len(summaryComments(srv)); n != 1 {
		t.Errorf("run errors: %d summary comments, want 1", n)
	}
}

func TestCommentFoundPastFirstPage(t *testing.T) {
	srv, client, _ := newGitHub(t)
	for i := 0; i < 150; i++ {
		srv.AddIssueComment(7, "bob", "chatter")
	}
	if err := (&Comment{Client: client, PR: testPR(srv)}).Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 120; i++ {
		srv.AddIssueComment(7, "bob", "more chatter")
	}
	c := &Comment{Client: client, PR: testPR(srv)}
	if err := c.Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	if n := len(summaryComments(srv)); n != 1 || !c.Edited {
		t.Fatalf("%d summary comments after a re-run with the first on page 2, want 1 edited", n)
	}
	pages := 0
	for _, r := range srv.Requests() {
		if r.Op == "issues/list-comments" {
			pages++
			if !strings.Contains(r.Query, "per_page=100") {
				t.Errorf("list without per_page=100: %s", r.Query)
			}
		}
	}
	if pages != 2+3 {
		t.Errorf("%d list pages fetched, want 2 then 3", pages)
	}
}

func TestCommentPrefersBotAndRetiresDuplicates(t *testing.T) {
	srv, client, _ := newGitHub(t)
	human := srv.AddIssueComment(7, "mallory", CommentMarker+"\nI am not the summary")
	a := srv.AddIssueComment(7, fakegithub.BotLogin, CommentMarker+"\nold")
	b := srv.AddIssueComment(7, fakegithub.BotLogin, CommentMarker+"\nold duplicate from a racing run")
	c := &Comment{Client: client, PR: testPR(srv)}
	if err := c.Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]fakegithub.IssueComment{}
	for _, ic := range srv.IssueComments(7) {
		byID[ic.ID] = ic
	}
	if byID[human].Edits != 0 {
		t.Error("a human's comment that starts with the marker was edited")
	}
	if !strings.Contains(byID[a].Body, "**3 findings**") {
		t.Errorf("the first bot comment was not made current:\n%s", byID[a].Body)
	}
	if strings.HasPrefix(byID[b].Body, CommentMarker) || !strings.Contains(byID[b].Body, "out of date") {
		t.Errorf("the duplicate was not retired: %q", byID[b].Body)
	}
	var bots int
	for _, ic := range summaryComments(srv) {
		if ic.User == fakegithub.BotLogin {
			bots++
		}
	}
	if bots != 1 {
		t.Errorf("%d bot summary comments left, want 1", bots)
	}
}

func TestCommentStaysUnderGitHubLimit(t *testing.T) {
	srv, client, _ := newGitHub(t)
	rep := &annotate.Report{Target: "1.25", Findings: reporttest.ManyFindings(5000), Stats: annotate.Stats{Files: 700, Documents: 5000}}
	for i := 0; i < 300; i++ {
		rep.Errors = append(rep.Errors, annotate.RunError{File: "bad.yaml", Line: i + 1, Message: strings.Repeat("x", 100)})
	}
	c := &Comment{Client: client, PR: testPR(srv)}
	if err := c.Report(context.Background(), rep); err != nil {
		t.Fatalf("a large report was not accepted: %v", err)
	}
	got := summaryComments(srv)
	if len(got) != 1 {
		t.Fatalf("%d comments", len(got))
	}
	body := got[0].Body
	if n := len([]rune(body)); n > MaxCommentBody || len(body) > annotate.DefaultCommentBudget {
		t.Errorf("body is %d characters, %d bytes", n, len(body))
	}
	for _, want := range []string{"<details><summary>", "more findings not listed**", "… and 250 more", "</sub>\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("large summary lacks %q", want)
		}
	}
	if strings.Count(body, "<details>") != strings.Count(body, "</details>") {
		t.Error("unbalanced <details>")
	}
}

func TestCommentReadOnlyToken(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.ReadOnly = true
	err := (&Comment{Client: client, PR: testPR(srv)}).Report(context.Background(), cronReport())
	if err == nil || !IsPermissionError(err) {
		t.Fatalf("err = %v, want a permission error", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests; a 403 on create must not be retried", n)
	}
}

func TestCommentRetries(t *testing.T) {
	srv, client, w := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "issues/list-comments", Status: 502})
	srv.Inject(fakegithub.Fault{Op: "issues/create-comment", Status: 429, Header: map[string]string{"Retry-After": "3"}})
	srv.Inject(fakegithub.Fault{Op: "issues/create-comment", Status: 403, Header: map[string]string{"Retry-After": "5"},
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`})
	c := &Comment{Client: client, PR: testPR(srv)}
	if err := c.Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	if n := len(summaryComments(srv)); n != 1 {
		t.Fatalf("%d summary comments after retries, want 1", n)
	}
	got := w.all()
	if len(got) != 3 || got[0].Seconds() != 1 || got[1].Seconds() != 3 || got[2].Seconds() != 5 {
		t.Errorf("waits = %v, want [1s (backoff after 502) 3s (Retry-After) 5s (Retry-After)]", got)
	}
	if srv.MaxConcurrentWrites() != 1 {
		t.Errorf("%d writes in flight at once", srv.MaxConcurrentWrites())
	}
}

var (
	rowRe     = regexp.MustCompile(`(?m)^\| \[\d+\]\(`)
	compactRe = regexp.MustCompile("(?m)^- \\[`")
	omittedRe = regexp.MustCompile(`\*\*(\d+) more findings? not listed\*\*`)
	detailsRe = regexp.MustCompile(`<summary>(\d+) more findings? in (\d+) files?</summary>`)
)

// TestMarkdownBudget checks that every finding is either in a table, in the
// collapsed list, or counted as not listed, and that the text keeps to its
// budget, for many sizes.
func TestMarkdownBudget(t *testing.T) {
	for _, budget := range []int{4000, 20000, annotate.DefaultCommentBudget} {
		for _, n := range []int{0, 1, 10, 60, 300, 3000} {
			t.Run(fmt.Sprintf("budget %d, %d findings", budget, n), func(t *testing.T) {
				r := &annotate.Report{Target: "1.25", Findings: reporttest.ManyFindings(n), Stats: annotate.Stats{Files: 9, Documents: 9}}
				m := annotate.Markdown{PR: PullRequest{Owner: "o", Repo: "r", HeadSHA: headSHA}, Budget: budget, Header: CommentMarker + "\n",
					Placement: &Placement{NotAnnotated: 3, Notes: []string{"A note."}}}
				out := m.Render(r)
				if len(out) > budget {
					t.Errorf("%d bytes, over the budget of %d", len(out), budget)
				}
				rows := len(rowRe.FindAllString(out, -1))
				compact := len(compactRe.FindAllString(out, -1))
				omitted := 0
				if s := omittedRe.FindStringSubmatch(out); s != nil {
					omitted, _ = strconv.Atoi(s[1])
				}
				if rows+compact+omitted != n {
					t.Errorf("%d in tables + %d collapsed + %d not listed = %d, want %d", rows, compact, omitted, rows+compact+omitted, n)
				}
				if s := detailsRe.FindStringSubmatch(out); s != nil {
					if c, _ := strconv.Atoi(s[1]); c != compact {
						t.Errorf("details say %d, list %d", c, compact)
					}
				} else if compact > 0 {
					t.Error("collapsed lines outside <details>")
				}
				if !strings.HasPrefix(out, CommentMarker) || !strings.Contains(out, "> A note.") || !strings.HasSuffix(out, "</sub>\n") {
					t.Errorf("header, notes or footer missing:\n%s", out)
				}
			})
		}
	}
}

func BenchmarkMarkdownComment5000(b *testing.B) {
	r := &annotate.Report{Target: "1.25", Findings: reporttest.ManyFindings(5000)}
	m := annotate.Markdown{PR: PullRequest{Owner: "o", Repo: "r", HeadSHA: headSHA}, Header: CommentMarker + "\n"}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Render(r)
	}
}

// TestCommentNoDuplicateAfter5xx: GitHub creates the comment and the proxy
// in front of it answers 502 anyway. The create is not sent again; kubeready
// lists the comments, finds the one it made and edits it. Two runs with the
// same fault: exactly one summary comment.
func TestCommentNoDuplicateAfter5xx(t *testing.T) {
	srv, client, _ := newGitHub(t)
	for run := 1; run <= 2; run++ {
		srv.Inject(fakegithub.Fault{Op: "issues/create-comment", Status: 502, After: true, Times: 4})
		c := &Comment{Client: client, PR: testPR(srv)}
		if err := c.Report(context.Background(), cronReport()); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if n := len(summaryComments(srv)); n != 1 {
			t.Fatalf("run %d: %d summary comments, want 1", run, n)
		}
	}
	creates := 0
	for _, r := range srv.Requests() {
		if r.Op == "issues/create-comment" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("%d creates sent, want 1 (a POST is never retried blindly)", creates)
	}
}

// TestCommentHungAPI: a list that never answers ends with the caller's
// deadline, not with the job's.
func TestCommentHungAPI(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "issues/list-comments", Hang: true, Times: 10})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := (&Comment{Client: client, PR: testPR(srv)}).Report(ctx, cronReport())
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %s; want an error at the deadline", err, time.Since(start))
	}
	if n := len(summaryComments(srv)); n != 0 {
		t.Errorf("%d summary comments", n)
	}
}
