package annotate

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
)

// planReport is a two-hop report with one finding per hop.
func planReport() *Report {
	return &Report{Target: "1.26", Current: "1.24", Platform: checks.PlatformEKS, Findings: []checks.Finding{
		{Rule: "api-removed", Severity: checks.Error, File: "cron.yaml", Line: 2, Column: 1, Hop: "1.25",
			Message: "CronJob batch/v1beta1 is not served by Kubernetes 1.25: it was removed in 1.25. Use batch/v1.", URL: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"},
		{Rule: "eks-addon-version", Severity: checks.Error, File: "kube-system.yaml", Line: 9, Column: 16, Hop: "1.26",
			Message: "vpc-cni image amazon-k8s-cni:v1.11.4 is 1.11.4: VPC CNI releases before 1.12 crash on Kubernetes 1.26. Upgrade it first."},
	}}
}

func TestPlanOf(t *testing.T) {
	p := PlanOf(planReport())
	if p == nil || len(p.Hops) != 2 || p.Hops[0].To != "1.25" || p.Hops[1].From != "1.25" {
		t.Fatalf("plan %+v", p)
	}
	if p.Hops[0].Errors != 1 || p.Hops[1].Errors != 1 || len(p.Hops[1].First) != 1 {
		t.Errorf("counts %+v", p.Hops)
	}
	var vpc PlanStep
	for _, s := range p.Hops[1].Steps {
		if s.Component == "vpc-cni" {
			vpc = s
			break
		}
	}
	if len(vpc.Findings) != 1 || vpc.Phase != checks.PhaseBefore {
		t.Errorf("the VPC CNI finding is not on the step before the control plane: %+v", vpc)
	}
	if PlanOf(&Report{Target: "1.26"}) != nil {
		t.Error("a plan without a current version")
	}
}

// The HTML report is one self-contained page: no script, nothing loaded
// from anywhere, and text from the scanned files (names, messages, a
// configuration's source URL) is inert.
func TestHTMLSelfContainedAndEscaped(t *testing.T) {
	r := planReport()
	r.Findings = append(r.Findings, checks.Finding{Rule: "api-custom", Severity: checks.Warning, File: `x<script>alert(1)</script>.yaml`, Line: 3, Hop: "1.26",
		Message: `<img src=x onerror=alert(1)> "quoted" & more`, URL: "javascript:alert(1)"})
	var b bytes.Buffer
	if err := (HTML{W: &b, Version: "test"}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", "javascript:", "<link", "@import", "url(", "<iframe", "<object"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("report holds %q", bad)
		}
	}
	if regexp.MustCompile(`<[a-zA-Z][^>]*\ssrc=`).MatchString(out) {
		t.Error("report loads something (src=)")
	}
	for _, want := range []string{`id="plan"`, `<svg id="chart"`, "&lt;img src=x onerror=alert(1)&gt;", "Hop 1.25 → 1.26", "Amazon VPC CNI"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// Without a current version the HTML report is a plan of one hop to the
// target.
func TestHTMLOneHop(t *testing.T) {
	r := &Report{Target: "1.25", Findings: []checks.Finding{{Rule: "api-removed", Severity: checks.Error, File: "a.yaml", Line: 1, Message: "m", Hop: "1.25"}}}
	var b bytes.Buffer
	if err := (HTML{W: &b}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Hop 1.24 → 1.25: 1 blocker") {
		t.Errorf("no single hop:\n%s", b.String())
	}
}

// The Markdown plan: the table of hops, each hop with what to change first
// and the add-on order; every text stays inert.
func TestMarkdownPlan(t *testing.T) {
	r := planReport()
	r.Findings[0].Message = "ping @octocat <b>x</b>"
	out := Markdown{}.Render(r)
	for _, want := range []string{
		"### kubeready: upgrade plan from Kubernetes 1.24 to 1.26",
		"| 1.24 → 1.25 | 1 | 0 | 0 | 🟥 | - |",
		"| 1.25 → 1.26 | 1 | 0 | 0 | 🟥 | before: Amazon VPC CNI |",
		"#### Hop 1.25 → 1.26: 1 blocker",
		"**Change first** (blocks the update to 1.26):",
		"1. **Amazon VPC CNI** (before the control plane)",
		"ping &#64;octocat &lt;b&gt;x&lt;/b&gt;",
		"##### `kube-system.yaml`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@octocat") {
		t.Error("a mention")
	}
}
