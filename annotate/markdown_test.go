package annotate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
)

func TestCellEscaping(t *testing.T) {
	tests := map[string]string{
		"plain text.":                   "plain text.",
		"a | b":                         `a \| b`,
		"ping @octocat about #12":       "ping &#64;octocat about &#35;12",
		"<script>x</script> & co":       "&lt;script&gt;x&lt;/script&gt; &amp; co",
		"*bold* _it_ [l](u) ~s~ `c` \\": `\*bold\* \_it\_ \[l\](u) \~s\~ \` + "`c\\` " + `\\`,
		"two\nlines\r\nthree":           "two<br>lines<br>three",
	}
	for in, want := range tests {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlobURL(t *testing.T) {
	p := PullRequest{Owner: "o", Repo: "r", HeadSHA: "abc", ServerURL: "https://ghes.example.com/"}
	tests := []struct {
		path       string
		start, end int
		want       string
	}{
		{"a/b.yaml", 0, 0, "https://ghes.example.com/o/r/blob/abc/a/b.yaml"},
		{"a/b.yaml", 3, 0, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3"},
		{"a/b.yaml", 3, 3, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3"},
		{"a/b.yaml", 3, 5, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3-L5"},
		{"my dir/#x?.yaml", 1, 0, "https://ghes.example.com/o/r/blob/abc/my%20dir/%23x%3F.yaml#L1"},
	}
	for _, tt := range tests {
		if got := p.BlobURL(tt.path, tt.start, tt.end); got != tt.want {
			t.Errorf("BlobURL(%q, %d, %d) = %q, want %q", tt.path, tt.start, tt.end, got, tt.want)
		}
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
	for _, budget := range []int{4000, 20000, DefaultCommentBudget} {
		for _, n := range []int{0, 1, 10, 60, 300, 3000} {
			t.Run(fmt.Sprintf("budget %d, %d findings", budget, n), func(t *testing.T) {
				r := &Report{Target: "1.25", Findings: manyFindings(n), Stats: Stats{Files: 9, Documents: 9}}
				m := Markdown{PR: PullRequest{Owner: "o", Repo: "r", HeadSHA: headSHA}, Budget: budget, Header: CommentMarker + "\n",
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

func TestMarkdownNoFindings(t *testing.T) {
	r := &Report{Target: "1.29", Stats: Stats{Hidden: 2}}
	out := Markdown{Scope: "lines", Previous: 1}.Render(r)
	for _, want := range []string{"No upgrade blockers** for Kubernetes 1.29", "The 1 finding reported earlier is fixed.", "2 findings outside the scope `lines` are not shown."} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "| Line |") {
		t.Error("a table without findings")
	}
}

func TestFixText(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		f    checks.Finding
		want string
	}{
		{checks.Finding{Rule: "api-removed", Fixes: []checks.Fix{{Description: "Use apps/v1", Safe: true}}}, "Use apps/v1 (safe)"},
		{checks.Finding{Rule: "api-removed", Fixes: []checks.Fix{{Description: "Use ebs.csi.aws.com", Reason: "provisioner is immutable"}}}, "Use ebs.csi.aws.com (not safe: provisioner is immutable)"},
		{checks.Finding{Rule: "api-removed"}, checks.Lookup("api-removed").Fix},
		{checks.Finding{Rule: "no-such-rule"}, ""},
	}
	for _, tt := range tests {
		if got := fixText(tt.f); got != tt.want {
			t.Errorf("fixText = %q, want %q", got, tt.want)
		}
	}
	got := fixText(checks.Finding{Fixes: []checks.Fix{{Description: long, Safe: true}}})
	if len(got) > maxFixText+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("long fix not cut cleanly: %d bytes", len(got))
	}
}
