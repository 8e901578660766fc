package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/fakegithub"
	"github.com/kubeready/kubeready/scan"
)

func newReview(srv *fakegithub.Server, r *Review) *Review {
	r.PR = testPR(srv)
	if r.Hunks == nil {
		r.Hunks = cronHunks()
	}
	return r
}

func TestReviewPostsOnceWithSuggestions(t *testing.T) {
	srv, client, _ := newGitHub(t)
	ctx := context.Background()
	rv := newReview(srv, &Review{Client: client, ReadFile: readCron})
	if err := rv.Report(ctx, cronReport()); err != nil {
		t.Fatal(err)
	}
	if rv.Result.Posted != 2 || rv.Result.OutsideDiff != 1 || rv.Result.OneByOne {
		t.Fatalf("result %+v, want 2 posted in one review and 1 outside the diff", rv.Result)
	}
	reviews := srv.Reviews(7)
	if len(reviews) != 1 || reviews[0].Comments != 2 || reviews[0].Event != "COMMENT" || reviews[0].CommitID != headSHA {
		t.Fatalf("reviews %+v", reviews)
	}
	cs := srv.ReviewComments(7)
	if len(cs) != 2 {
		t.Fatalf("%d review comments", len(cs))
	}
	// Most severe first: the error on line 2 carries the safe fix.
	c := cs[0]
	if c.Path != "deploy/cron.yaml" || c.Line != 2 || c.StartLine != 0 || c.Side != "RIGHT" {
		t.Errorf("first comment at %s:%d (start %d, side %s)", c.Path, c.Line, c.StartLine, c.Side)
	}
	if !strings.Contains(c.Body, "```suggestion\napiVersion: batch/v1\n```") {
		t.Errorf("no suggestion block:\n%s", c.Body)
	}
	if !strings.Contains(c.Body, "<!-- kubeready:finding ") {
		t.Errorf("no finding marker:\n%s", c.Body)
	}
	if strings.Contains(cs[1].Body, "```suggestion") {
		t.Errorf("a finding without a fix got a suggestion:\n%s", cs[1].Body)
	}

	// The same findings again, with a new one: only the new one is posted.
	rep := cronReport()
	rep.Findings = append(rep.Findings, checks.Finding{Rule: "api-deprecated", Severity: checks.Warning, File: "deploy/cron.yaml",
		Line: 13, Column: 11, Message: "Another finding in the second hunk.", InChangedFile: true})
	rv2 := newReview(srv, &Review{Client: client, ReadFile: readCron})
	if err := rv2.Report(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if rv2.Result.Posted != 1 || rv2.Result.Existing != 2 {
		t.Errorf("second run %+v, want 1 posted and 2 already there", rv2.Result)
	}
	// And a third time: nothing new, no empty review.
	rv3 := newReview(srv, &Review{Client: client, ReadFile: readCron})
	if err := rv3.Report(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if rv3.Result.Posted != 0 || rv3.Result.Existing != 3 {
		t.Errorf("third run %+v", rv3.Result)
	}
	if n := len(srv.Reviews(7)); n != 2 {
		t.Errorf("%d reviews after three runs, want 2 (none when nothing is new)", n)
	}
	if n := len(srv.ReviewComments(7)); n != 3 {
		t.Errorf("%d review comments, want 3 without duplicates: %v", n, fakegithub.SortedPaths(srv.ReviewComments(7)))
	}
}

func TestReviewSameFindingMovedLineGetsNewComment(t *testing.T) {
	srv, client, _ := newGitHub(t)
	ctx := context.Background()
	rep := cronReport()
	if err := newReview(srv, &Review{Client: client}).Report(ctx, rep); err != nil {
		t.Fatal(err)
	}
	rep.Findings[2].Line = 13 // same finding, another line
	rv := newReview(srv, &Review{Client: client})
	if err := rv.Report(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if rv.Result.Posted != 1 || rv.Result.Existing != 1 {
		t.Errorf("result %+v, want the moved finding posted again", rv.Result)
	}
}

func TestReviewCapsAtThirty(t *testing.T) {
	srv, client, _ := newGitHub(t)
	var patch strings.Builder
	patch.WriteString("@@ -0,0 +1,40 @@\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&patch, "+line %d\n", i)
	}
	srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: headSHA, Files: []fakegithub.File{{Filename: "big.yaml", Status: "added", Patch: patch.String()}}})
	var fs []checks.Finding
	for i := 1; i <= 35; i++ {
		sev := checks.Warning
		if i > 30 {
			sev = checks.Error // the most severe must make the cut
		}
		fs = append(fs, checks.Finding{Rule: "api-deprecated", Severity: sev, File: "big.yaml", Line: i, Message: fmt.Sprintf("finding %d", i)})
	}
	fc, _ := scan.ParsePatch("big.yaml", patch.String())
	rv := newReview(srv, &Review{Client: client, Hunks: map[string][]scan.LineRange{"big.yaml": fc.Hunks}})
	if err := rv.Report(context.Background(), &annotate.Report{Target: "1.25", Findings: fs}); err != nil {
		t.Fatal(err)
	}
	if rv.Result.Posted != 30 || rv.Result.OverLimit != 5 {
		t.Fatalf("result %+v, want 30 posted and 5 over the limit", rv.Result)
	}
	errorsPosted := 0
	for _, c := range srv.ReviewComments(7) {
		if strings.HasPrefix(c.Body, "**error**") {
			errorsPosted++
		}
	}
	if errorsPosted != 5 {
		t.Errorf("%d of the 5 errors posted; the most severe come first", errorsPosted)
	}
	if s := strings.Join(rv.Result.sentences(), " "); !strings.Contains(s, "at most 30 are posted per run") {
		t.Errorf("sentences %q", s)
	}
}

func TestReviewFallsBackOneByOneOn422(t *testing.T) {
	srv, client, _ := newGitHub(t)
	// The reporter believes line 7 is in a hunk; GitHub does not, so it
	// refuses the whole review, then that one comment.
	hunks := cronHunks()
	hunks["deploy/cron.yaml"] = append(hunks["deploy/cron.yaml"], scan.LineRange{Start: 6, End: 8})
	rv := newReview(srv, &Review{Client: client, Hunks: hunks, ReadFile: readCron})
	if err := rv.Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	res := rv.Result
	if !res.OneByOne || res.Posted != 2 || len(res.Rejected) != 1 || res.Rejected[0] != "deploy/cron.yaml:7" {
		t.Fatalf("result %+v, want 2 posted one by one and line 7 rejected", res)
	}
	if n := len(srv.Reviews(7)); n != 0 {
		t.Errorf("%d reviews stored; the refused review must leave none", n)
	}
	if n := len(srv.ReviewComments(7)); n != 2 {
		t.Errorf("%d review comments", n)
	}
	if s := strings.Join(res.sentences(), " "); !strings.Contains(s, "deploy/cron.yaml:7") || !strings.Contains(s, "listed here only") {
		t.Errorf("sentences %q", s)
	}
	if srv.MaxConcurrentWrites() != 1 {
		t.Errorf("%d writes at once", srv.MaxConcurrentWrites())
	}
}

func TestReviewReadOnlyToken(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.ReadOnly = true
	err := newReview(srv, &Review{Client: client}).Report(context.Background(), cronReport())
	if !IsPermissionError(err) {
		t.Fatalf("err = %v, want a permission error", err)
	}
}

func TestReviewNotFound(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "pulls/create-review", Status: 404, Body: `{"message":"Not Found"}`})
	err := newReview(srv, &Review{Client: client}).Report(context.Background(), cronReport())
	if !IsPermissionError(err) {
		t.Fatalf("err = %v, want 404 treated as a permission error", err)
	}
}

func TestReviewSkipsSuppressedAndUnplaceable(t *testing.T) {
	srv, client, _ := newGitHub(t)
	rep := cronReport()
	rep.Findings[0].Suppressed = true
	rep.Findings = append(rep.Findings, checks.Finding{Rule: "api-removed", Severity: checks.Error, File: "other.yaml", Line: 1, Message: "not in the PR"})
	rv := newReview(srv, &Review{Client: client})
	if err := rv.Report(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	if rv.Result.Posted != 1 || rv.Result.OutsideDiff != 2 {
		t.Errorf("result %+v", rv.Result)
	}
}

func TestSuggestion(t *testing.T) {
	edit := func(data, old, new string) checks.Edit {
		i := strings.Index(data, old)
		if i < 0 {
			panic(old)
		}
		return checks.Edit{Start: i, End: i + len(old), New: new}
	}
	lf := "a: 1\napiVersion: batch/v1beta1\nkind: CronJob\nspec: {}\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	bom := "\uFEFFapiVersion: v1beta1\nkind: X\n"
	tests := []struct {
		name       string
		data       string
		edits      []checks.Edit
		start, end int
		text       string
		ok         bool
	}{
		{"one line", lf, []checks.Edit{edit(lf, "batch/v1beta1", "batch/v1")}, 2, 2, "apiVersion: batch/v1\n", true},
		{"two lines", lf, []checks.Edit{edit(lf, "batch/v1beta1", "batch/v1"), edit(lf, "CronJob", "Job")}, 2, 3, "apiVersion: batch/v1\nkind: Job\n", true},
		{"insert lines", lf, []checks.Edit{{Start: strings.Index(lf, "spec"), End: strings.Index(lf, "spec"), New: "metadata: {}\n"}}, 4, 4, "metadata: {}\nspec: {}\n", true},
		{"delete a line", lf, []checks.Edit{{Start: strings.Index(lf, "kind"), End: strings.Index(lf, "spec")}}, 3, 3, "", true},
		{"empty a line", lf, []checks.Edit{edit(lf, "kind: CronJob", "")}, 3, 3, "\n", true},
		{"crlf", crlf, []checks.Edit{edit(crlf, "batch/v1beta1", "batch/v1")}, 2, 2, "apiVersion: batch/v1\n", true},
		{"bom", bom, []checks.Edit{edit(bom, "v1beta1", "v1")}, 1, 1, "apiVersion: v1\n", true},
		{"last line without break", "a: 1\nb: 2", []checks.Edit{{Start: 8, End: 9, New: "3"}}, 2, 2, "b: 3", true},
		{"joins lines: cannot say", lf, []checks.Edit{{Start: strings.Index(lf, "CronJob") + 7, End: strings.Index(lf, "CronJob") + 8}}, 0, 0, "", false},
		{"other file", lf, []checks.Edit{{Path: "x.yaml", Start: 0, End: 1}}, 0, 0, "", false},
		{"overlapping", lf, []checks.Edit{{Start: 0, End: 4}, {Start: 2, End: 6}}, 0, 0, "", false},
		{"out of range", lf, []checks.Edit{{Start: 0, End: 999}}, 0, 0, "", false},
		{"touches the bom", bom, []checks.Edit{{Start: 0, End: 3}}, 0, 0, "", false},
		{"no edits", lf, nil, 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.edits {
				if tt.edits[i].Path == "" {
					tt.edits[i].Path = "f.yaml"
				}
			}
			s, e, text, ok := suggestion("f.yaml", &checks.Fix{Safe: true, Edits: tt.edits}, []byte(tt.data))
			if ok != tt.ok || s != tt.start || e != tt.end || text != tt.text {
				t.Errorf("got %d..%d %q %v, want %d..%d %q %v", s, e, text, ok, tt.start, tt.end, tt.text, tt.ok)
			}
		})
	}
}

func TestSuggestionBlockFence(t *testing.T) {
	if got := suggestionBlock("a: `x`\n"); got != "```suggestion\na: `x`\n```" {
		t.Errorf("got %q", got)
	}
	if got := suggestionBlock("b: 3"); got != "```suggestion\nb: 3\n```" {
		t.Errorf("last line without a break: %q", got)
	}
	if got := suggestionBlock("\n"); got != "```suggestion\n\n```" {
		t.Errorf("one empty line: %q", got)
	}
	if got := suggestionBlock("run: |\n  ```sh\n  ls\n  ```"); !strings.HasPrefix(got, "````suggestion\n") || !strings.HasSuffix(got, "\n````") {
		t.Errorf("fence not longer than the backticks inside: %q", got)
	}
	if got := suggestionBlock(""); got != "```suggestion\n```" {
		t.Errorf("deletion: %q", got)
	}
}

func TestReviewMultiLineSuggestion(t *testing.T) {
	srv, client, _ := newGitHub(t)
	f := cronFindings()[0]
	kind := strings.Index(cronYAML, "CronJob")
	f.Fixes[0].Edits = append(f.Fixes[0].Edits, checks.Edit{Path: f.File, Start: kind, End: kind + len("CronJob"), New: "CronJob # moved"})
	outside := cronFindings()[0]
	sched := strings.Index(cronYAML, "schedule")
	outside.Fixes[0].Edits = append(outside.Fixes[0].Edits, checks.Edit{Path: f.File, Start: sched, End: sched, New: "# "})
	outside.Message = "a fix spanning two hunks"
	rv := newReview(srv, &Review{Client: client, ReadFile: readCron})
	if err := rv.Report(context.Background(), &annotate.Report{Target: "1.25", Findings: []checks.Finding{f, outside}}); err != nil {
		t.Fatal(err)
	}
	cs := srv.ReviewComments(7)
	if len(cs) != 2 {
		t.Fatalf("%d comments", len(cs))
	}
	for _, c := range cs {
		switch {
		case strings.Contains(c.Body, "spanning"):
			if c.StartLine != 0 || c.Line != 2 || strings.Contains(c.Body, "```suggestion") || !strings.Contains(c.Body, "kubeready --fix") {
				t.Errorf("fix across hunks: lines %d..%d body %q", c.StartLine, c.Line, c.Body)
			}
		default:
			if c.StartLine != 2 || c.Line != 3 || !strings.Contains(c.Body, "```suggestion\napiVersion: batch/v1\nkind: CronJob # moved\n```") {
				t.Errorf("multi-line suggestion: lines %d..%d body %q", c.StartLine, c.Line, c.Body)
			}
		}
	}
}
