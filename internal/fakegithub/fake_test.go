package fakegithub

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that keeps the fake's complaints instead of
// failing, so a test can check that the fake complains.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) complaints() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func do(t *testing.T, s *Server, method, path, body string, auth bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(s.URL, "/")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFakeRejectsRequestsOutsideTheDescription shows the contract check can
// fail: each request here breaks GitHub's REST description or a rule the
// fake models by hand.
func TestFakeRejectsRequestsOutsideTheDescription(t *testing.T) {
	spec := SpecPath(t)
	tests := []struct {
		name, method, path, body string
		auth                     bool
		wantStatus               int
		wantComplaint            string
	}{
		{"unknown operation", "DELETE", "/repos/octo/deploys/issues/comments/1", "", true, 404, "not an operation"},
		{"comment without body", "POST", "/repos/octo/deploys/issues/7/comments", `{"text":"hi"}`, true, 422, "does not match"},
		{"body of the wrong type", "POST", "/repos/octo/deploys/issues/7/comments", `{"body":42}`, true, 422, "does not match"},
		{"review with a bad event", "POST", "/repos/octo/deploys/pulls/7/reviews", `{"event":"SHOUT","body":"x"}`, true, 422, "does not match"},
		{"per_page not a number", "GET", "/repos/octo/deploys/pulls/7/files?per_page=lots", "", true, 422, "does not match"},
		{"review comment without path", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","line":2}`, true, 422, "does not match"},
		{"no token", "GET", "/repos/octo/deploys/pulls/7/files", "", false, 401, "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			s := New(rec, spec)
			s.AddPullRequest(&PullRequest{Number: 7, HeadSHA: "abc"})
			status, _ := do(t, s, tt.method, tt.path, tt.body, tt.auth)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			got := rec.complaints()
			if len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), tt.wantComplaint) {
				t.Errorf("complaints %q, want one mentioning %q", got, tt.wantComplaint)
			}
		})
	}
}

func TestFakeModelsWhatTheDescriptionCannot(t *testing.T) {
	s := New(t, SpecPath(t))
	s.AddPullRequest(&PullRequest{Number: 7, HeadSHA: "abc", Files: []File{
		{Filename: "a.yaml", Status: "modified", Patch: "@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n@@ -10 +11 @@\n-x\n+y"},
	}})
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"comment in the first hunk", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"a.yaml","line":2,"side":"RIGHT"}`, 201},
		{"multi-line in one hunk", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"a.yaml","start_line":1,"start_side":"RIGHT","line":4,"side":"RIGHT"}`, 201},
		{"line between hunks", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"a.yaml","line":7,"side":"RIGHT"}`, 422},
		{"start line in another hunk", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"a.yaml","start_line":2,"start_side":"RIGHT","line":11,"side":"RIGHT"}`, 422},
		{"start line equal to line", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"a.yaml","start_line":2,"start_side":"RIGHT","line":2,"side":"RIGHT"}`, 422},
		{"file not in the PR", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"abc","path":"b.yaml","line":1,"side":"RIGHT"}`, 422},
		{"wrong commit", "POST", "/repos/octo/deploys/pulls/7/comments", `{"body":"x","commit_id":"def","path":"a.yaml","line":2,"side":"RIGHT"}`, 422},
		{"review with one bad comment", "POST", "/repos/octo/deploys/pulls/7/reviews", `{"event":"COMMENT","body":"r","comments":[{"path":"a.yaml","line":2,"side":"RIGHT","body":"ok"},{"path":"a.yaml","line":8,"side":"RIGHT","body":"bad"}]}`, 422},
		{"review with a side GitHub does not know", "POST", "/repos/octo/deploys/pulls/7/reviews", `{"event":"COMMENT","body":"r","comments":[{"path":"a.yaml","line":2,"side":"MIDDLE","body":"ok"}]}`, 422},
		{"review of 31 comments", "POST", "/repos/octo/deploys/pulls/7/reviews", `{"event":"COMMENT","body":"r","comments":[` + strings.Repeat(`{"path":"a.yaml","line":2,"side":"RIGHT","body":"ok"},`, 30) + `{"path":"a.yaml","line":2,"side":"RIGHT","body":"ok"}]}`, 502},
		{"body too long", "POST", "/repos/octo/deploys/issues/7/comments", `{"body":"` + strings.Repeat("é", MaxBody+1) + `"}`, 422},
		{"body at the limit", "POST", "/repos/octo/deploys/issues/7/comments", `{"body":"` + strings.Repeat("é", MaxBody) + `"}`, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := do(t, s, tt.method, tt.path, tt.body, true); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
	if n := len(s.ReviewComments(7)); n != 2 {
		t.Errorf("%d review comments kept, want the 2 placeable ones (a refused review keeps none)", n)
	}
	s.ReadOnly = true
	if status, body := do(t, s, "POST", "/repos/octo/deploys/issues/7/comments", `{"body":"x"}`, true); status != 403 || !strings.Contains(body, "Resource not accessible by integration") {
		t.Errorf("read-only token: %d %s", status, body)
	}
	if status, _ := do(t, s, "GET", "/repos/octo/deploys/issues/7/comments", "", true); status != 200 {
		t.Errorf("read-only token cannot read: %d", status)
	}
}

func TestFakePagesAndCapsFiles(t *testing.T) {
	s := New(t, SpecPath(t))
	var files []File
	for i := 0; i < MaxFiles+5; i++ {
		files = append(files, File{Filename: fmt.Sprintf("f%04d.yaml", i), Status: "added", Patch: "@@ -0,0 +1 @@\n+a: 1"})
	}
	s.AddPullRequest(&PullRequest{Number: 7, HeadSHA: "abc", Files: files})
	seen := 0
	for page := 1; page <= 31; page++ {
		status, body := do(t, s, "GET", fmt.Sprintf("/repos/octo/deploys/pulls/7/files?per_page=100&page=%d", page), "", true)
		if status != 200 {
			t.Fatalf("page %d: %d", page, status)
		}
		seen += strings.Count(body, `"filename"`)
	}
	if seen != MaxFiles {
		t.Errorf("listed %d files, want GitHub's cap of %d", seen, MaxFiles)
	}
}

// TestFakeIdentity: GET /user answers 403 for an installation token (the
// workflow's GITHUB_TOKEN) and the login for a personal token; what the
// token writes carries its login, and it may edit nobody else's comment.
func TestFakeIdentity(t *testing.T) {
	s := New(t, SpecPath(t))
	s.AddPullRequest(&PullRequest{Number: 7, HeadSHA: "abc", Files: []File{{Filename: "a.yaml", Status: "modified", Patch: "@@ -1 +1,2 @@\n a\n+b"}}})
	if status, body := do(t, s, "GET", "/user", "", true); status != 403 || !strings.Contains(body, "Resource not accessible by integration") {
		t.Errorf("GET /user with the workflow token: %d %s", status, body)
	}
	other := s.AddIssueComment(7, "mallory", "<!-- kubeready:summary -->\nmine")
	if status, _ := do(t, s, "PATCH", fmt.Sprintf("/repos/octo/deploys/issues/comments/%d", other), `{"body":"x"}`, true); status != 403 {
		t.Errorf("editing another user's comment: %d, want 403", status)
	}
	s.AddReviewComment(7, "mallory", "a.yaml", 2, "<!-- kubeready:finding 0123abcd:0 -->")

	s.Login = "release-bot"
	if status, body := do(t, s, "GET", "/user", "", true); status != 200 || !strings.Contains(body, `"login":"release-bot"`) {
		t.Errorf("GET /user with a personal token: %d %s", status, body)
	}
	if status, _ := do(t, s, "POST", "/repos/octo/deploys/issues/7/comments", `{"body":"hi"}`, true); status != 201 {
		t.Fatalf("create: %d", status)
	}
	cs := s.IssueComments(7)
	if len(cs) != 2 || cs[1].User != "release-bot" || cs[0].Edits != 0 {
		t.Errorf("comments %+v", cs)
	}
	if status, _ := do(t, s, "PATCH", fmt.Sprintf("/repos/octo/deploys/issues/comments/%d", cs[1].ID), `{"body":"edited"}`, true); status != 200 {
		t.Errorf("editing the token's own comment: %d", status)
	}
	if rc := s.ReviewComments(7); len(rc) != 1 || rc[0].User != "mallory" || rc[0].CommitID != "abc" {
		t.Errorf("review comments %+v", rc)
	}
}
