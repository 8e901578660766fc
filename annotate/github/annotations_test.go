package github

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/fakegithub"
)

func newAction(t *testing.T, w *bytes.Buffer) (*githubactions.Action, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	return githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(func(k string) string { return env[k] })), env
}

func TestAnnotationsEscaping(t *testing.T) {
	var out bytes.Buffer
	act, _ := newAction(t, &out)
	r := &annotate.Report{Target: "1.25", Findings: []checks.Finding{{
		Rule: "api-removed", Severity: checks.Error, File: "deploy/a,b:c.yaml", Line: 3, EndLine: 4, Column: 1,
		Message: "removed: apps/v1beta2, Deployment\nmigrate (100% safe)", URL: "https://example.com/x",
	}}}
	a := &Annotations{Action: act}
	if err := a.Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want := "::error endLine=4,file=deploy/a%2Cb%3Ac.yaml,line=3,title=api-removed%3A API version no longer served by the target version" +
		"::removed: apps/v1beta2, Deployment%0Amigrate (100%25 safe)%0AFix: Move the object to the replacement API version, applying any field changes it needs, before upgrading the control plane.%0Ahttps://example.com/x\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestAnnotationsLimitMostSevereFirst(t *testing.T) {
	var out bytes.Buffer
	act, _ := newAction(t, &out)
	var fs []checks.Finding
	add := func(n int, sev checks.Severity) {
		for i := 0; i < n; i++ {
			fs = append(fs, checks.Finding{Rule: "api-deprecated", Severity: sev, File: fmt.Sprintf("f%02d.yaml", len(fs)), Line: 1, Column: 1, Message: sev.String()})
		}
	}
	add(12, checks.Warning)
	add(3, checks.Info)
	add(15, checks.Error)
	fs = append(fs, checks.Finding{Rule: "api-removed", Severity: checks.Error, File: "s.yaml", Line: 1, Message: "suppressed", Suppressed: true})
	r := &annotate.Report{Target: "1.25", Findings: fs, Errors: []annotate.RunError{{File: "gone.yaml", Message: "no such file"}}}
	a := &Annotations{Action: act}
	if err := a.Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	count := map[string]int{}
	var order []string
	for _, l := range lines {
		cmd := strings.SplitN(strings.TrimPrefix(l, "::"), " ", 2)[0]
		count[cmd]++
		if len(order) == 0 || order[len(order)-1] != cmd {
			order = append(order, cmd)
		}
	}
	if count["error"] != 10 || count["warning"] != 10 || count["notice"] != 3 {
		t.Errorf("counts %v, want 10 errors (1 run error + 9 findings), 10 warnings, 3 notices", count)
	}
	if strings.Join(order, ",") != "error,warning,notice,kubeready:" {
		t.Errorf("order %v, want errors, warnings, notices, then the plain note", order)
	}
	if a.NotShown != 6+2 {
		t.Errorf("NotShown = %d, want 8 (6 errors, 2 warnings)", a.NotShown)
	}
	if !strings.Contains(out.String(), "kubeready: 8 more findings not shown as annotations") {
		t.Errorf("no note about the findings left out:\n%s", out.String())
	}
	if strings.Contains(out.String(), "suppressed") {
		t.Error("a suppressed finding was annotated")
	}
}

func TestAnnotationsNeverFormatMessage(t *testing.T) {
	var out bytes.Buffer
	act, _ := newAction(t, &out)
	r := &annotate.Report{Target: "1.25", Findings: []checks.Finding{{Rule: "x", Severity: checks.Warning, File: "a.yaml", Line: 1, Message: "100%s %d"}}}
	if err := (&Annotations{Action: act}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "::100%25s %25d") || strings.Contains(out.String(), "MISSING") {
		t.Errorf("message was treated as a format: %s", out.String())
	}
}

func TestStepSummaryAndOutputs(t *testing.T) {
	var out bytes.Buffer
	act, env := newAction(t, &out)
	r := cronReport()
	if err := (StepSummary{Action: act, Markdown: annotate.Markdown{PR: PullRequest{Owner: "o", Repo: "r", HeadSHA: headSHA}}}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := (Outputs{Action: act, SARIFFile: "out/kubeready.sarif"}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "**3 findings**") || strings.Contains(string(summary), CommentMarker) {
		t.Errorf("step summary:\n%s", summary)
	}
	outputs, err := os.ReadFile(env["GITHUB_OUTPUT"])
	if err != nil {
		t.Fatal(err)
	}
	got := fakegithub.ParseOutputFile(string(outputs))
	want := map[string]string{"findings": "3", "errors": "1", "warnings": "2", "sarif-file": "out/kubeready.sarif"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
	if out.Len() != 0 {
		t.Errorf("file commands wrote to stdout: %q", out.String())
	}
}
