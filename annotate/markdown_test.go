package annotate

import (
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
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
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
		if got := FixText(tt.f); got != tt.want {
			t.Errorf("fixText = %q, want %q", got, tt.want)
		}
	}
	got := FixText(checks.Finding{Fixes: []checks.Fix{{Description: long, Safe: true}}})
	if len(got) > maxFixText+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("long fix not cut cleanly: %d bytes", len(got))
	}
}

// TestMarkdownWithoutLinks checks that a summary with no Links (no pull
// request to link to) names files and lines as plain code.
func TestMarkdownWithoutLinks(t *testing.T) {
	r := &Report{Target: "1.25", Findings: []checks.Finding{
		{Rule: "api-removed", Severity: checks.Error, File: "a.yaml", Line: 2, Column: 1, Message: "m"},
	}, Errors: []RunError{{File: "b.yaml", Line: 4, Message: "boom"}}}
	out := Markdown{}.Render(r)
	for _, want := range []string{"#### `a.yaml`\n", "| 2 | error |", "- `b.yaml:4`: boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "](") {
		t.Errorf("links without Links:\n%s", out)
	}
}
