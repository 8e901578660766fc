package engine

import (
	"os"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// TestDedupe: copies of one problem (a base file scanned as a file and
// through overlays) are one finding; different objects from one line are
// not (issue 16.1).
func TestDedupe(t *testing.T) {
	kust := &scan.Origin{Kustomization: "overlays/dev"}
	chart := &scan.Origin{Chart: "chart", Template: "chart/templates/jobs.yaml"}
	fix := []checks.Fix{{Description: "x"}}
	in := []checks.Finding{
		{File: "base/web.yaml", Line: 17, Column: 16, Rule: "legacy-registry", Kind: "Deployment", Name: "web", Message: "Image k8s.gcr.io/x:0.8", Fixes: fix},
		{File: "base/web.yaml", Line: 17, Column: 9, Rule: "legacy-registry", Kind: "Deployment", Name: "dev-web", Message: "Image k8s.gcr.io/x:0.8", Rendered: kust},
		{File: "base/web.yaml", Line: 17, Column: 9, Rule: "legacy-registry", Kind: "Deployment", Name: "prod-web-v2", Message: "Image k8s.gcr.io/x:0.9 (the kustomization changes this value)", Rendered: kust},
		{File: "base/web.yaml", Line: 17, Column: 16, Rule: "other-rule", Kind: "Deployment", Name: "web", Message: "m"},
		{File: "chart/templates/jobs.yaml", Line: 1, Column: 1, Rule: "api-removed", Kind: "CronJob", Name: "job-a", Message: "CronJob", Rendered: chart},
		{File: "chart/templates/jobs.yaml", Line: 1, Column: 1, Rule: "api-removed", Kind: "CronJob", Name: "job-b", Message: "CronJob", Rendered: chart},
	}
	out := dedupe(in)
	if len(out) != 4 {
		t.Fatalf("%d findings: %+v", len(out), out)
	}
	if f := out[0]; len(f.Fixes) != 1 || f.Name != "web" || f.Rendered != kust {
		t.Errorf("kept %+v: want the copy with the fix, with the rendered origin", f)
	}
	if out[2].Name != "job-a" || out[3].Name != "job-b" {
		t.Errorf("two objects of one template line merged: %+v", out[2:])
	}
	// Without fixes, the copy that says more wins.
	out = dedupe([]checks.Finding{in[1], in[2]})
	if len(out) != 1 || out[0].Name != "prod-web-v2" {
		t.Errorf("kept %+v", out)
	}
}

// TestRelativeMessages: library errors that name the working directory by
// its absolute path are made relative.
func TestRelativeMessages(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rep := &annotate.Report{
		Findings: []checks.Finding{{Message: "accumulating resources from '" + wd + "/kz/base': '" + wd + "' must resolve"}},
		Errors:   []annotate.RunError{{Message: "open " + wd + "/x.yaml: denied"}},
	}
	relativeMessages(rep)
	if got := rep.Findings[0].Message; got != "accumulating resources from 'kz/base': '.' must resolve" {
		t.Errorf("finding message %q", got)
	}
	if got := rep.Errors[0].Message; got != "open x.yaml: denied" {
		t.Errorf("error message %q", got)
	}
}
