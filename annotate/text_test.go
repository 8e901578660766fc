package annotate

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
)

func TestTextOutput(t *testing.T) {
	rep := &Report{Target: "1.25", Findings: []checks.Finding{
		{Rule: "api-removed", Severity: checks.Error, File: "a.yaml", Line: 2, Column: 1, Message: "two\nlines"},
		{Rule: "api-removed", Severity: checks.Error, File: "evil\n.yaml", Line: 1, Column: 1, Message: "m"},
		{Rule: "x", Severity: checks.Warning, File: "a.yaml", Line: 3, Column: 1, Message: "hidden", Suppressed: true},
	}, Errors: []RunError{{File: "b.yaml", Line: 4, Message: "boom"}}, Stats: Stats{Files: 2, Documents: 3}}
	var b bytes.Buffer
	if err := (Text{W: &b}).Report(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	want := "a.yaml:2:1: error: two lines [api-removed]\n" +
		"\"evil\\n.yaml\":1:1: error: m [api-removed]\n" +
		"b.yaml:4: error: boom\n" +
		"kubeready: 2 findings (2 errors, 0 warnings, 0 info) in 2 files, 3 documents; target Kubernetes 1.25; 1 error\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	_ = (Text{W: &b, Color: true}).Report(context.Background(), rep)
	if !strings.Contains(b.String(), "\x1b[") {
		t.Error("no colour on a terminal")
	}
}
