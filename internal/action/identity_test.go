package action

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate/github"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/fakegithub"
)

// Hostile pull requests against the summary comment and the review: only
// what the token's own login wrote counts as kubeready's.

// noToken fails the test when the token appears anywhere but in the
// ::add-mask:: command.
func noToken(t *testing.T, srv *fakegithub.Server, res actionResult) {
	t.Helper()
	for _, l := range strings.Split(res.stdout+"\n"+res.stderr+"\n"+res.summary, "\n") {
		if strings.Contains(l, srv.Token) && !strings.HasPrefix(l, "::add-mask::") {
			t.Errorf("the token was printed: %q", l)
		}
	}
	for _, c := range srv.IssueComments(7) {
		if strings.Contains(c.Body, srv.Token) {
			t.Error("the token is in a comment")
		}
	}
}

// TestActionHijackAttempts: before kubeready's first run, mallory posts a
// comment that starts with the summary marker (with a forged state and a
// fake all-clear), and review comments that carry kubeready's finding
// markers (the fingerprints are deterministic: taken here from a run on
// another fake) on the very lines of the findings. kubeready writes its
// own summary comment and its own review comments; hers are untouched; the
// summary says nothing of them; two runs leave exactly one summary
// comment, kubeready's.
func TestActionHijackAttempts(t *testing.T) {
	repo := newTestRepo(t)
	scout := newActionFake(t, repo)
	if res := newActionEnv(t, scout, repo).run(t); res.code != cli.ExitFindings {
		t.Fatalf("scouting run: exit %d\n%s", res.code, res.stdout)
	}
	spoofs := scout.ReviewComments(7)
	if len(spoofs) != 2 {
		t.Fatalf("scouting run: %d review comments", len(spoofs))
	}

	srv := newActionFake(t, repo)
	forged := github.CommentMarker + "\n<!-- kubeready:state findings=42 -->\n### ✅ No upgrade blockers\n"
	hers := srv.AddIssueComment(7, "mallory", forged)
	for _, c := range spoofs {
		srv.AddReviewComment(7, "mallory", c.Path, c.Line, c.Body)
	}
	env := newActionEnv(t, srv, repo)
	for run := 1; run <= 2; run++ {
		res := env.run(t)
		if res.code != cli.ExitFindings {
			t.Fatalf("run %d: exit %d\n%s\n%s", run, res.code, res.stdout, res.stderr)
		}
		if w := regexp.MustCompile(`(?m)^::warning::.*$`).FindAllString(res.stdout, -1); len(w) != 0 {
			t.Errorf("run %d: warnings %q", run, w)
		}
		for _, bad := range []string{"mallory", "42 findings", "reported earlier"} {
			if strings.Contains(res.summary, bad) {
				t.Errorf("run %d: the step summary speaks of her comments (%q):\n%s", run, bad, res.summary)
			}
		}
		noToken(t, srv, res)
	}
	var ours []fakegithub.IssueComment
	for _, c := range srv.IssueComments(7) {
		if c.ID == hers {
			if c.Body != forged || c.Edits != 0 {
				t.Errorf("mallory's comment was touched: %q", c.Body)
			}
			continue
		}
		ours = append(ours, c)
	}
	if len(ours) != 1 || ours[0].User != fakegithub.BotLogin || !strings.HasPrefix(ours[0].Body, github.CommentMarker) || ours[0].Edits != 1 {
		t.Fatalf("kubeready's comments %+v, want one summary by %s, edited once by the second run", ours, fakegithub.BotLogin)
	}
	if strings.Contains(ours[0].Body, "42 findings") || strings.Contains(ours[0].Body, "mallory") {
		t.Errorf("the summary comment speaks of her comment:\n%s", ours[0].Body)
	}
	var bot, her int
	for _, c := range srv.ReviewComments(7) {
		switch c.User {
		case fakegithub.BotLogin:
			bot++
		case "mallory":
			her++
		}
	}
	if bot != 2 || her != 2 {
		t.Errorf("review comments: %d by kubeready (want 2, despite her markers), %d by mallory (want 2)", bot, her)
	}
	if n := len(srv.Reviews(7)); n != 1 {
		t.Errorf("%d reviews, want 1: the second run found its own comments", n)
	}
	for _, r := range srv.Requests() {
		if r.Op == "users/get-authenticated" {
			t.Error("GET /user was called for the workflow's token")
		}
	}
}

// TestActionPersonalToken: with a token that is not the workflow's, the
// login comes from GET /user, asked once; a marked comment by
// github-actions[bot] (another workflow's) is someone else's.
func TestActionPersonalToken(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	srv.Login = "release-bot"
	other := srv.AddIssueComment(7, fakegithub.BotLogin, github.CommentMarker+"\nanother workflow's")
	env := newActionEnv(t, srv, repo)
	env["KUBEREADY_TOKEN_IS_GITHUB_TOKEN"] = "false"
	for run := 1; run <= 2; run++ {
		res := env.run(t)
		if res.code != cli.ExitFindings {
			t.Fatalf("run %d: exit %d\n%s\n%s", run, res.code, res.stdout, res.stderr)
		}
		if strings.Contains(res.summary, "GET /user") {
			t.Errorf("run %d: a note about GET /user:\n%s", run, res.summary)
		}
		noToken(t, srv, res)
	}
	var mine int
	for _, c := range srv.IssueComments(7) {
		if c.ID == other && c.Edits != 0 {
			t.Error("github-actions[bot]'s comment was edited")
		}
		if c.User == "release-bot" {
			mine++
		}
	}
	if mine != 1 {
		t.Errorf("%d comments by release-bot, want 1", mine)
	}
	if n := len(srv.Reviews(7)); n != 1 {
		t.Errorf("%d reviews, want 1", n)
	}
	calls := 0
	for _, r := range srv.Requests() {
		if r.Op == "users/get-authenticated" {
			calls++
		}
	}
	if calls != 2 {
		t.Errorf("GET /user called %d times in two runs, want once per run", calls)
	}
}

// TestActionLoginUnknown: a token that is not known to be the workflow's,
// and GET /user refuses it (403, as for any installation token): kubeready
// counts github-actions[bot]'s comments as its own and says so.
func TestActionLoginUnknown(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	delete(env, "KUBEREADY_TOKEN_IS_GITHUB_TOKEN") // as when the image runs without action.yml
	for run := 1; run <= 2; run++ {
		res := env.run(t)
		if res.code != cli.ExitFindings {
			t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
		want := "could not learn whom the github-token belongs to (GET /user: HTTP 403: Resource not accessible by integration), so only comments by github-actions\\[bot\\] count as its own."
		if !strings.Contains(res.summary, want) {
			t.Errorf("run %d: step summary lacks %q:\n%s", run, want, res.summary)
		}
		noToken(t, srv, res)
	}
	if cs := srv.IssueComments(7); len(cs) != 1 || cs[0].Edits != 1 {
		t.Errorf("comments %+v, want one, edited by the second run", cs)
	}
}

// TestActionEditRefused: GitHub refuses to edit kubeready's own summary
// comment (say, the conversation is locked). The warning names the comment
// and the HTTP status and blames no fork; no second comment is made.
// From a fork with a read-only token, the warning says so.
func TestActionEditRefused(t *testing.T) {
	repo := newTestRepo(t)
	for _, fork := range []bool{false, true} {
		srv := newActionFake(t, repo)
		own := srv.AddIssueComment(7, fakegithub.BotLogin, github.CommentMarker+"\nan earlier run's")
		env := newActionEnv(t, srv, repo)
		env["INPUT_REVIEW"] = "false"
		if fork {
			srv.ReadOnly = true
			env["GITHUB_EVENT_PATH"] = forkEvent(t, repo)
		} else {
			srv.Inject(fakegithub.Fault{Op: "issues/update-comment", Status: 403, Body: `{"message":"Unable to update comment: the conversation is locked"}`})
		}
		res := env.run(t)
		if res.code != cli.ExitFindings {
			t.Fatalf("fork %v: exit %d\n%s\n%s", fork, res.code, res.stdout, res.stderr)
		}
		warnings := regexp.MustCompile(`(?m)^::warning::.*$`).FindAllString(res.stdout, -1)
		if len(warnings) != 1 || !strings.Contains(warnings[0], "could not update its summary comment") ||
			!strings.Contains(warnings[0], "issuecomment-"+itoa(own)) || !strings.Contains(warnings[0], "HTTP 403") {
			t.Fatalf("fork %v: warnings %q, want one naming comment %d and HTTP 403", fork, warnings, own)
		}
		if blames := strings.Contains(warnings[0], "fork"); blames != fork {
			t.Errorf("fork %v: the warning speaks of forks: %v: %s", fork, blames, warnings[0])
		}
		if !fork && !strings.Contains(warnings[0], "the conversation is locked") {
			t.Errorf("GitHub's reason is missing: %s", warnings[0])
		}
		if !strings.Contains(res.summary, "Could not update the summary comment: GitHub refused the edit (HTTP 403") {
			t.Errorf("fork %v: step summary:\n%s", fork, res.summary)
		}
		if cs := srv.IssueComments(7); len(cs) != 1 {
			t.Errorf("fork %v: %d comments, want only the earlier one", fork, len(cs))
		}
		noToken(t, srv, res)
	}
}

// forkEvent is the recorded payload with the head in mallory's fork.
func forkEvent(t *testing.T, repo testRepo) string {
	t.Helper()
	data, err := os.ReadFile(repo.eventFile(t))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	ev["pull_request"].(map[string]any)["head"].(map[string]any)["repo"].(map[string]any)["full_name"] = "mallory/deploys"
	out, _ := json.Marshal(ev)
	p := filepath.Join(t.TempDir(), "fork.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
