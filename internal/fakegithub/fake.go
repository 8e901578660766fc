// Package fakegithub is a local stand-in for the GitHub REST operations
// kubeready uses, for tests. Every request is checked against GitHub's
// published REST description (testdata/api.github.com.slim.json, a copy of
// ../shared/github's slice plus GET /user: see testdata/PROVENANCE.md) with
// kin-openapi; what the description cannot express (lines outside the
// diff, the 65,536-character body limit, a fork's read-only token, rate
// limits) is modelled by hand. Pull-request files, issue comments, review
// comments and reviews are kept as state, so a test can run a reporter twice
// and look at what is left.
package fakegithub

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Limits GitHub enforces that the REST description does not state.
const (
	// MaxBody is the longest issue or review comment body GitHub accepts.
	MaxBody = 65536
	// MaxFiles is how many files GitHub lists for one pull request.
	MaxFiles = 3000
	// MaxReviewComments is how many comments one review may carry here:
	// GitHub documents no limit but fails larger reviews in practice.
	MaxReviewComments = 30
	// BotLogin is the login of the workflow's token (GITHUB_TOKEN): the
	// default author of everything the fake's token writes.
	BotLogin = "github-actions[bot]"
)

// spec is the slimmed REST description, embedded so that a test in any
// package (whatever its working directory) finds it without ../shared.
//
//go:embed testdata/api.github.com.slim.json
var spec []byte

// SpecPath writes the in-repository REST description into the test's
// temporary directory and returns its path, for New.
func SpecPath(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "api.github.com.slim.json")
	if err := os.WriteFile(p, spec, 0o644); err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	return p
}

// File is one file of a pull request as pulls/list-files returns it.
type File struct {
	Filename         string `json:"filename"`
	Status           string `json:"status"`
	Additions        int    `json:"additions"`
	Deletions        int    `json:"deletions"`
	Changes          int    `json:"changes"`
	Patch            string `json:"patch,omitempty"`
	PreviousFilename string `json:"previous_filename,omitempty"`
}

// PullRequest is one pull request of the fake repository.
type PullRequest struct {
	Number  int
	HeadSHA string
	BaseSHA string
	Files   []File
}

// IssueComment is a comment on the pull request's conversation.
type IssueComment struct {
	ID     int64
	Issue  int
	Body   string
	User   string
	Edits  int
	Create time.Time
}

// ReviewComment is a comment on a line of the pull request's diff.
type ReviewComment struct {
	ID        int64
	PR        int
	ReviewID  int64
	Path      string
	Line      int
	StartLine int
	Side      string
	CommitID  string
	Body      string
	User      string
}

// Review is a submitted pull-request review.
type Review struct {
	ID       int64
	PR       int
	Body     string
	Event    string
	CommitID string
	Comments int
}

// Fault is a response the server gives instead of the real one, to the next
// Times requests of operation Op (an operationId of the description, such as
// "issues/create-comment"; empty matches every operation).
type Fault struct {
	Op     string
	Status int
	Times  int
	Header map[string]string
	Body   string
	// After applies the real operation first and then answers with the
	// fault: GitHub creating a comment and the proxy in front of it
	// answering 502 anyway.
	After bool
	// Hang never answers: the request is held until the client gives up
	// (its context ends) or the server closes.
	Hang bool
}

// Request is one request the server answered.
type Request struct {
	Method string
	Path   string
	Query  string
	Op     string
	Status int
	Body   string
}

// Server is the fake. Its fields may be set before the first request;
// afterwards use the methods, which lock.
type Server struct {
	// URL is the API base URL, with a trailing slash.
	URL   string
	Owner string
	Repo  string
	// Token is the token every request must carry ("Bearer <Token>").
	Token string
	// ReadOnly makes every write answer 403 as for a fork's token.
	ReadOnly bool
	// Login is whom the token belongs to: the author of every comment and
	// review it writes, and the only one who may edit them. Empty means
	// BotLogin. GET /user answers 403 "Resource not accessible by
	// integration" for a login ending in [bot] (an installation token,
	// such as GITHUB_TOKEN, as GitHub does) and 200 with the login for any
	// other (a personal access token).
	Login string

	t      testing.TB
	srv    *httptest.Server
	closed chan struct{} // closed when the test ends
	router routers.Router

	mu             sync.Mutex
	prs            map[int]*PullRequest
	issueComments  []*IssueComment
	reviewComments []*ReviewComment
	reviews        []*Review
	faults         []*Fault
	requests       []Request
	nextID         int64
	writing        int
	maxWriting     int
}

// New starts a fake for owner/repo that validates requests against the REST
// description at specPath. It is closed when the test ends.
func New(t testing.TB, specPath string) *Server {
	t.Helper()
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("fakegithub: loading %s: %v", specPath, err)
	}
	s := &Server{Owner: "octo", Repo: "deploys", Token: "ghs_faketoken0123456789", t: t, prs: map[int]*PullRequest{}, nextID: 1000,
		closed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.closed) // lets hanging requests go, so Close can wait for them
		s.srv.Close()
	})
	doc.Servers = openapi3.Servers{{URL: s.srv.URL}}
	if s.router, err = gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("fakegithub: router: %v", err)
	}
	s.URL = s.srv.URL + "/"
	return s
}

// login is whom the token belongs to; s.mu is held or the server idle.
func (s *Server) login() string {
	if s.Login == "" {
		return BotLogin
	}
	return s.Login
}

// AddPullRequest adds (or replaces) a pull request.
func (s *Server) AddPullRequest(pr *PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs[pr.Number] = pr
}

// SetHead moves a pull request's head to a new commit with new files, as a
// push to the PR branch does.
func (s *Server) SetHead(number int, sha string, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs[number].HeadSHA = sha
	s.prs[number].Files = files
}

// AddIssueComment adds a comment as user, as if posted earlier.
func (s *Server) AddIssueComment(issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.issueComments = append(s.issueComments, &IssueComment{ID: s.nextID, Issue: issue, User: user, Body: body, Create: time.Now()})
	return s.nextID
}

// AddReviewComment adds a review comment on pull request pr as user, as
// if posted earlier (on the pull request's head commit, the RIGHT side).
func (s *Server) AddReviewComment(pr int, user, path string, line int, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := &ReviewComment{ID: s.nextID, PR: pr, Path: path, Line: line, Side: "RIGHT", Body: body, User: user}
	if p := s.prs[pr]; p != nil {
		c.CommitID = p.HeadSHA
	}
	s.reviewComments = append(s.reviewComments, c)
	return s.nextID
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// IssueComments returns a copy of the comments on issue, oldest first.
func (s *Server) IssueComments(issue int) []IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []IssueComment
	for _, c := range s.issueComments {
		if c.Issue == issue {
			out = append(out, *c)
		}
	}
	return out
}

// ReviewComments returns a copy of the review comments on pull request pr.
func (s *Server) ReviewComments(pr int) []ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ReviewComment
	for _, c := range s.reviewComments {
		if c.PR == pr {
			out = append(out, *c)
		}
	}
	return out
}

// Reviews returns a copy of the reviews on pull request pr.
func (s *Server) Reviews(pr int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Review
	for _, r := range s.reviews {
		if r.PR == pr {
			out = append(out, *r)
		}
	}
	return out
}

// Requests returns the log of answered requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxConcurrentWrites is the largest number of writes that were in flight at
// once: GitHub asks for one at a time.
func (s *Server) MaxConcurrentWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxWriting
}

// apiError is GitHub's error body.
type apiError struct {
	Message          string `json:"message"`
	Errors           []any  `json:"errors,omitempty"`
	DocumentationURL string `json:"documentation_url,omitempty"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := readAll(r)
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	op := ""
	defer func() {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Op: op, Status: rec.status, Body: string(body)})
		s.mu.Unlock()
	}()

	route, params, err := s.router.FindRoute(r)
	if err != nil {
		s.t.Errorf("fakegithub: %s %s is not an operation of GitHub's REST description: %v", r.Method, r.URL, err)
		writeJSON(rec, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	op = route.Operation.OperationID
	r.Body = nopCloser{bytes.NewReader(body)}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		s.t.Errorf("fakegithub: %s %s (%s) does not match GitHub's REST description: %v\nbody: %s", r.Method, r.URL, op, err, body)
		writeJSON(rec, http.StatusUnprocessableEntity, apiError{Message: "Invalid request.\n\n" + err.Error()})
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+s.Token {
		s.t.Errorf("fakegithub: %s %s: Authorization header missing or wrong", r.Method, r.URL.Path)
		writeJSON(rec, http.StatusUnauthorized, apiError{Message: "Bad credentials"})
		return
	}

	write := r.Method != http.MethodGet
	s.mu.Lock()
	if write {
		s.writing++
		if s.writing > s.maxWriting {
			s.maxWriting = s.writing
		}
	}
	s.mu.Unlock()
	if write {
		// Hold the write a moment so that overlapping writes would be seen.
		time.Sleep(2 * time.Millisecond)
		defer func() {
			s.mu.Lock()
			s.writing--
			s.mu.Unlock()
		}()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Header().Set("X-RateLimit-Limit", "1000")
	rec.Header().Set("X-RateLimit-Remaining", "999")
	rec.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	if f := s.takeFault(op); f != nil {
		if f.Hang {
			s.mu.Unlock()
			select {
			case <-r.Context().Done():
			case <-s.closed:
			}
			s.mu.Lock()
			rec.status = 0 // never answered
			return
		}
		if f.After {
			s.dispatch(httptest.NewRecorder(), r, op, params, body, write)
		}
		for k, v := range f.Header {
			rec.Header().Set(k, v)
		}
		b := f.Body
		if b == "" {
			b = fmt.Sprintf(`{"message":"injected %d"}`, f.Status)
		}
		rec.Header().Set("Content-Type", "application/json; charset=utf-8")
		rec.WriteHeader(f.Status)
		_, _ = rec.Write([]byte(b))
		return
	}
	s.dispatch(rec, r, op, params, body, write)
}

// dispatch answers one request that passed the contract check; s.mu is held.
func (s *Server) dispatch(rec http.ResponseWriter, r *http.Request, op string, params map[string]string, body []byte, write bool) {
	if write && s.ReadOnly {
		rec.Header().Set("X-Accepted-GitHub-Permissions", "issues=write; pull_requests=write")
		writeJSON(rec, http.StatusForbidden, apiError{Message: "Resource not accessible by integration",
			DocumentationURL: "https://docs.github.com/rest/issues/comments#create-an-issue-comment"})
		return
	}
	p := func(name string) int { n, _ := strconv.Atoi(params[name]); return n }
	if op == "users/get-authenticated" {
		s.getUser(rec)
		return
	}
	if params["owner"] != s.Owner || params["repo"] != s.Repo {
		writeJSON(rec, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	switch op {
	case "pulls/get":
		s.getPull(rec, p("pull_number"))
	case "pulls/list-files":
		s.listFiles(rec, r, p("pull_number"))
	case "issues/list-comments":
		s.listIssueComments(rec, r, p("issue_number"))
	case "issues/create-comment":
		s.createIssueComment(rec, p("issue_number"), body)
	case "issues/update-comment":
		s.updateIssueComment(rec, int64(p("comment_id")), body)
	case "pulls/list-review-comments":
		s.listReviewComments(rec, r, p("pull_number"))
	case "pulls/create-review-comment":
		s.createReviewComment(rec, p("pull_number"), body)
	case "pulls/create-review":
		s.createReview(rec, p("pull_number"), body)
	default:
		s.t.Errorf("fakegithub: operation %s is in the description but not modelled", op)
		writeJSON(rec, http.StatusNotImplemented, apiError{Message: "not modelled"})
	}
}

func (s *Server) takeFault(op string) *Fault {
	for i, f := range s.faults {
		if f.Op == "" || f.Op == op {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) pr(w http.ResponseWriter, n int) *PullRequest {
	pr := s.prs[n]
	if pr == nil {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
	}
	return pr
}

func (s *Server) user(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{"login": login, "id": 41898282, "type": typ}
}

// getUser answers GET /user: an installation token (a [bot] login, such
// as the workflow's GITHUB_TOKEN) may not call it.
func (s *Server) getUser(w http.ResponseWriter) {
	login := s.login()
	if strings.HasSuffix(login, "[bot]") {
		writeJSON(w, http.StatusForbidden, apiError{Message: "Resource not accessible by integration",
			DocumentationURL: "https://docs.github.com/rest/users/users#get-the-authenticated-user"})
		return
	}
	u := s.user(login)
	u["node_id"], u["avatar_url"], u["gravatar_id"] = "U_x", "https://avatars.githubusercontent.com/u/1", ""
	u["url"], u["html_url"] = s.URL+"users/"+login, "https://github.com/"+login
	u["site_admin"], u["user_view_type"] = false, "public"
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) getPull(w http.ResponseWriter, n int) {
	pr := s.pr(w, n)
	if pr == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"number": pr.Number, "state": "open", "changed_files": len(pr.Files),
		"head": map[string]any{"sha": pr.HeadSHA}, "base": map[string]any{"sha": pr.BaseSHA},
	})
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request, n int) {
	pr := s.pr(w, n)
	if pr == nil {
		return
	}
	files := pr.Files
	if len(files) > MaxFiles {
		files = files[:MaxFiles]
	}
	items := make([]any, len(files))
	for i, f := range files {
		items[i] = map[string]any{
			"sha": fmt.Sprintf("%040x", i), "filename": f.Filename, "status": f.Status,
			"additions": f.Additions, "deletions": f.Deletions, "changes": f.Changes,
			"patch": f.Patch, "previous_filename": f.PreviousFilename,
			"blob_url": s.URL + "blob/" + f.Filename, "raw_url": s.URL + "raw/" + f.Filename, "contents_url": s.URL + "contents/" + f.Filename,
		}
		if f.Patch == "" {
			delete(items[i].(map[string]any), "patch")
		}
		if f.PreviousFilename == "" {
			delete(items[i].(map[string]any), "previous_filename")
		}
	}
	s.page(w, r, items)
}

func (s *Server) listIssueComments(w http.ResponseWriter, r *http.Request, issue int) {
	var items []any
	for _, c := range s.issueComments {
		if c.Issue == issue {
			items = append(items, s.issueCommentJSON(c))
		}
	}
	s.page(w, r, items)
}

func (s *Server) issueCommentJSON(c *IssueComment) map[string]any {
	return map[string]any{
		"id": c.ID, "node_id": "IC_" + strconv.FormatInt(c.ID, 10), "body": c.Body, "user": s.user(c.User),
		"html_url":   fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", s.Owner, s.Repo, c.Issue, c.ID),
		"created_at": c.Create.UTC().Format(time.RFC3339), "updated_at": c.Create.UTC().Format(time.RFC3339),
		"author_association": "NONE",
	}
}

func tooLong(w http.ResponseWriter, body string) bool {
	if n := len([]rune(body)); n > MaxBody {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", Errors: []any{map[string]any{
			"resource": "IssueComment", "code": "unprocessable", "field": "data",
			"message": fmt.Sprintf("Body is too long (maximum is %d characters)", MaxBody)}}})
		return true
	}
	return false
}

func (s *Server) createIssueComment(w http.ResponseWriter, issue int, body []byte) {
	var in struct{ Body string }
	_ = json.Unmarshal(body, &in)
	if s.prs[issue] == nil {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	if tooLong(w, in.Body) {
		return
	}
	s.nextID++
	c := &IssueComment{ID: s.nextID, Issue: issue, Body: in.Body, User: s.login(), Create: time.Now()}
	s.issueComments = append(s.issueComments, c)
	writeJSON(w, http.StatusCreated, s.issueCommentJSON(c))
}

func (s *Server) updateIssueComment(w http.ResponseWriter, id int64, body []byte) {
	var in struct{ Body string }
	_ = json.Unmarshal(body, &in)
	for _, c := range s.issueComments {
		if c.ID != id {
			continue
		}
		if c.User != s.login() {
			// GitHub lets the workflow's token edit no one else's comment.
			writeJSON(w, http.StatusForbidden, apiError{Message: "Resource not accessible by integration"})
			return
		}
		if tooLong(w, in.Body) {
			return
		}
		c.Body = in.Body
		c.Edits++
		writeJSON(w, http.StatusOK, s.issueCommentJSON(c))
		return
	}
	writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
}

func (s *Server) listReviewComments(w http.ResponseWriter, r *http.Request, pr int) {
	var items []any
	for _, c := range s.reviewComments {
		if c.PR == pr {
			items = append(items, s.reviewCommentJSON(c))
		}
	}
	s.page(w, r, items)
}

func (s *Server) reviewCommentJSON(c *ReviewComment) map[string]any {
	m := map[string]any{
		"id": c.ID, "pull_request_review_id": c.ReviewID, "path": c.Path, "body": c.Body, "user": s.user(c.User),
		"commit_id": c.CommitID, "original_commit_id": c.CommitID, "line": c.Line, "original_line": c.Line, "side": c.Side,
		"diff_hunk": "@@", "html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d#discussion_r%d", s.Owner, s.Repo, c.PR, c.ID),
	}
	if c.StartLine > 0 {
		m["start_line"], m["original_start_line"], m["start_side"] = c.StartLine, c.StartLine, c.Side
	}
	return m
}

// draft is one comment of a review or a single review comment.
type draft struct {
	Path      string  `json:"path"`
	Body      string  `json:"body"`
	Line      int     `json:"line"`
	Side      string  `json:"side"`
	StartLine int     `json:"start_line"`
	StartSide string  `json:"start_side"`
	Position  *int    `json:"position"`
	CommitID  string  `json:"commit_id"`
	InReplyTo *int64  `json:"in_reply_to"`
	Subject   *string `json:"subject_type"`
}

// diffError is the 422 GitHub gives for a comment it cannot place.
func diffError(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Unprocessable Entity", Errors: []any{
		"Pull request review thread line must be part of the diff, Pull request review thread start line must be part of the same hunk as the line., and Pull request review thread diff hunk can't be blank"}})
}

// placeable reports whether d may be placed on pr's diff: on the RIGHT side
// of a hunk of a file's patch, start and end line in the same hunk.
func placeable(pr *PullRequest, d draft) bool {
	if d.Position != nil || d.Line < 1 || d.Side != "RIGHT" {
		return false
	}
	if d.StartLine != 0 && (d.StartLine >= d.Line || d.StartSide != "RIGHT") {
		return false
	}
	for _, f := range pr.Files {
		if f.Filename != d.Path {
			continue
		}
		for _, h := range hunks(f.Patch) {
			if h[0] <= d.Line && d.Line <= h[1] && (d.StartLine == 0 || h[0] <= d.StartLine) {
				return true
			}
		}
	}
	return false
}

var hunkHeader = regexp.MustCompile(`(?m)^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@`)

// hunks returns the new-side line ranges of a patch's hunks. It is written
// apart from scan's diff reader on purpose, so the fake does not share its
// mistakes.
func hunks(patch string) [][2]int {
	var out [][2]int
	for _, m := range hunkHeader.FindAllStringSubmatch(patch, -1) {
		start, _ := strconv.Atoi(m[1])
		n := 1
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		if n > 0 {
			out = append(out, [2]int{start, start + n - 1})
		}
	}
	return out
}

func (s *Server) createReviewComment(w http.ResponseWriter, n int, body []byte) {
	pr := s.pr(w, n)
	if pr == nil {
		return
	}
	var d draft
	_ = json.Unmarshal(body, &d)
	if d.CommitID != pr.HeadSHA {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", Errors: []any{"commit_id is not part of the pull request"}})
		return
	}
	if tooLong(w, d.Body) {
		return
	}
	if !placeable(pr, d) {
		diffError(w)
		return
	}
	s.nextID++
	c := &ReviewComment{ID: s.nextID, PR: n, Path: d.Path, Line: d.Line, StartLine: d.StartLine, Side: d.Side, CommitID: d.CommitID, Body: d.Body, User: s.login()}
	s.reviewComments = append(s.reviewComments, c)
	writeJSON(w, http.StatusCreated, s.reviewCommentJSON(c))
}

func (s *Server) createReview(w http.ResponseWriter, n int, body []byte) {
	pr := s.pr(w, n)
	if pr == nil {
		return
	}
	var in struct {
		CommitID string  `json:"commit_id"`
		Body     string  `json:"body"`
		Event    string  `json:"event"`
		Comments []draft `json:"comments"`
	}
	_ = json.Unmarshal(body, &in)
	if in.Event != "COMMENT" && in.Event != "REQUEST_CHANGES" && in.Event != "APPROVE" {
		s.t.Errorf("fakegithub: review without an event stays PENDING and is never shown")
	}
	if (in.Event == "COMMENT" || in.Event == "REQUEST_CHANGES") && in.Body == "" {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Unprocessable Entity", Errors: []any{"Body is required for COMMENT"}})
		return
	}
	if in.CommitID != "" && in.CommitID != pr.HeadSHA {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Unprocessable Entity", Errors: []any{"Commit is not part of the pull request"}})
		return
	}
	if len(in.Comments) > MaxReviewComments {
		writeJSON(w, http.StatusBadGateway, apiError{Message: "Server Error"})
		return
	}
	if tooLong(w, in.Body) {
		return
	}
	// A review is all or nothing: one comment off the diff rejects it all,
	// and the error does not say which.
	for _, d := range in.Comments {
		if d.Side != "LEFT" && d.Side != "RIGHT" {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Unprocessable Entity", Errors: []any{"side must be LEFT or RIGHT"}})
			return
		}
		if !placeable(pr, d) || len([]rune(d.Body)) > MaxBody {
			diffError(w)
			return
		}
	}
	s.nextID++
	rv := &Review{ID: s.nextID, PR: n, Body: in.Body, Event: in.Event, CommitID: pr.HeadSHA, Comments: len(in.Comments)}
	s.reviews = append(s.reviews, rv)
	for _, d := range in.Comments {
		s.nextID++
		s.reviewComments = append(s.reviewComments, &ReviewComment{ID: s.nextID, PR: n, ReviewID: rv.ID, Path: d.Path,
			Line: d.Line, StartLine: d.StartLine, Side: d.Side, CommitID: pr.HeadSHA, Body: d.Body, User: s.login()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": rv.ID, "node_id": "PRR_x", "body": rv.Body, "state": "COMMENTED",
		"commit_id": rv.CommitID, "user": s.user(s.login()), "html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d#pullrequestreview-%d", s.Owner, s.Repo, n, rv.ID)})
}

// page writes one page of items with GitHub's Link header.
func (s *Server) page(w http.ResponseWriter, r *http.Request, items []any) {
	perPage, page := 30, 1
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (len(items)+perPage-1)/perPage)
	from := min((page-1)*perPage, len(items))
	to := min(from+perPage, len(items))
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, strings.TrimSuffix(s.URL, "/"), r.URL.Path, q.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := items[from:to]
	if out == nil {
		out = []any{}
	}
	writeJSON(w, http.StatusOK, out)
}

// SortedPaths lists the paths of a set of review comments, for messages.
func SortedPaths(cs []ReviewComment) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s:%d", c.Path, c.Line))
	}
	sort.Strings(out)
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readAll(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}
