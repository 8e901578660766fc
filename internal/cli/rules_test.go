package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/golden"

	"github.com/kubeready/kubeready/checks"
)

// TestRulesDoc fails when docs/rules.md is not what the rule metadata
// generates. `go generate ./internal/cli` rewrites it.
func TestRulesDoc(t *testing.T) {
	const path = "docs/rules.md"
	want := rulesMarkdown()
	if *golden.Update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the rule metadata: run `go generate ./internal/cli` (go test ./internal/cli -run TestRulesDoc -update)", path)
	}
}

func TestRulesDocCoversEveryRule(t *testing.T) {
	doc := string(rulesMarkdown())
	for _, r := range checks.Rules() {
		for _, want := range []string{"\n## " + r.ID + "\n", "[`" + r.ID + "`](#" + r.ID + ")", r.Source} {
			if !strings.Contains(doc, want) {
				t.Errorf("rules.md lacks %q", want)
			}
		}
	}
}

func TestRulesCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"rules"}, nil, &stdout, &stderr); code != ExitClean {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if got, want := len(lines), len(checks.Rules())+1; got != want {
		t.Fatalf("%d lines, want a header and one per rule (%d):\n%s", got, want, stdout.String())
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "ID SEVERITY SINCE PLATFORM TITLE SOURCE" {
		t.Errorf("header %q", lines[0])
	}
	for i, r := range checks.Rules() {
		l := lines[i+1]
		if !strings.HasPrefix(l, r.ID+" ") {
			t.Errorf("line %d = %q, want rule %s first", i+1, l, r.ID)
		}
		for _, want := range []string{" " + r.Severity.String() + " ", r.Title, r.Source, orDash(r.Since)} {
			if !strings.Contains(l, want) {
				t.Errorf("line for %s lacks %q: %q", r.ID, want, l)
			}
		}
	}
	stdout.Reset()
	if code := Run(context.Background(), []string{"rules", "extra"}, nil, &stdout, &stderr); code != ExitError {
		t.Errorf("rules with an argument: exit %d, want %d", code, ExitError)
	}
}

func TestExplain(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"explain", "api-removed"}, nil, &stdout, &stderr)
	if code != ExitClean {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	out := stdout.String()
	r := checks.Lookup("api-removed")
	want := []string{
		"api-removed: " + r.Title + "\n",
		"severity error, from Kubernetes " + r.Since + "\n",
		"\nWhy\n    ",
		"\nExample\n    apiVersion: batch/v1beta1\n    kind: CronJob\n",
		"\nFix\n    ",
		"\nSource\n    " + r.Source + "\n",
		"# kubeready:ignore api-removed <reason>",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("explain output lacks %q:\n%s", w, out)
		}
	}
	// Rationale and fix are wrapped, not cut: every word is there.
	for _, text := range []string{r.Rationale, r.Fix} {
		for _, w := range strings.Fields(text) {
			if !strings.Contains(out, w) {
				t.Errorf("explain output lacks the word %q", w)
			}
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 80 && !strings.Contains(l, "://") {
			t.Errorf("line longer than 80 columns: %q", l)
		}
	}
}

func TestExplainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"explain"}, "usage: kubeready explain RULE"},
		{[]string{"explain", "a", "b"}, "usage: kubeready explain RULE"},
		{[]string{"explain", "removed"}, `no rule "removed"; did you mean api-removed or intree-volume-removed or eks-kubelet-flag-removed?`},
		{[]string{"explain", "nosuchrule"}, `no rule "nosuchrule"; kubeready rules lists them`},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), tc.args, nil, &stdout, &stderr)
		if code != ExitError || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, code, stderr.String(), stdout.String(), tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"", 10, ""},
		{"one two three", 7, "one two\nthree"},
		{"a  b\nc", 80, "a b c"},
		{"averyverylongword b", 5, "averyverylongword\nb"},
	} {
		if got := wrap(tc.in, tc.width); got != tc.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// kubeready rules --apis lists every API version kubeready knows: the
// built-in removals, the projects' custom resources and the apis: of the
// .kubeready.yaml in effect.
func TestRulesAPIs(t *testing.T) {
	repoWithConfig(t, "apis:\n  - {apiVersion: widgets.example.com/v1alpha1, kind: Widget, removed: \"1.30\", replacement: widgets.example.com/v1}\n", nil)
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"rules", "--apis"}, nil, &stdout, &stderr); code != ExitClean {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"APIVERSION", "batch/v1beta1", "CronJob",
		"cert-manager.io/v1alpha2", "cert-manager", "networking.istio.io/v1alpha3", "(moved in 1.22)", "monitoring.coreos.com/v1alpha1",
		"widgets.example.com/v1alpha1", "Widget", "../.kubeready.yaml",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rules --apis lacks %q", want)
		}
	}
	if n := strings.Count(out, "\n"); n < len(checks.APIs.Removals)+len(checks.ThirdPartyAPIs)+1 {
		t.Errorf("%d lines", n)
	}
}
