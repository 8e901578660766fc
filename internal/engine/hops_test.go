package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
)

func TestHops(t *testing.T) {
	v := checks.MustVersion
	for _, tc := range []struct {
		current, target string
		want            string
	}{
		{"1.24", "1.29", "1.25 1.26 1.27 1.28 1.29"},
		{"1.28", "1.29", "1.29"},
		{"", "1.29", "1.29"},     // no current: the target alone
		{"1.30", "1.29", "1.29"}, // not older (the CLI refuses it)
	} {
		var cur checks.Version
		if tc.current != "" {
			cur = v(tc.current)
		}
		var got []string
		for _, h := range Hops(cur, v(tc.target)) {
			got = append(got, h.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("Hops(%s, %s) = %v, want %s", tc.current, tc.target, got, tc.want)
		}
	}
}

// TestPlanHops runs the plan fixture from 1.24 to 1.29: each finding names
// the first hop it blocks, a deprecation that becomes a removal is reported
// once (as the removal), and a warning that becomes an error is an error of
// the later hop.
func TestPlanHops(t *testing.T) {
	cfg := Config{Env: checks.Env{Target: checks.MustVersion("1.29"), Platform: checks.PlatformEKS}, Workers: 2,
		Limits: DefaultLimits, Scope: ScopeAll, Current: checks.MustVersion("1.24")}
	var rep annotate.Report
	Run(context.Background(), cfg, []string{"testdata/plan"}, nil, &rep)
	if rep.Current != "1.24" {
		t.Errorf("report current %q, want 1.24", rep.Current)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[fmt.Sprintf("%s:%d %s", f.File[strings.LastIndex(f.File, "/")+1:], f.Line, f.Rule)] = f.Hop + " " + f.Severity.String()
	}
	for key, want := range map[string]string{
		"workloads.yaml:2 api-removed":          "1.25 error", // CronJob batch/v1beta1
		"cluster.yaml:2 api-removed":            "1.25 error", // PodSecurityPolicy
		"cluster.yaml:14 api-removed":           "1.26 error", // FlowSchema v1beta1, deprecated at 1.25
		"workloads.yaml:18 api-removed":         "1.26 error", // HPA v2beta2
		"cluster.yaml:34 api-removed":           "1.27 error", // CSIStorageCapacity v1beta1
		"cluster.yaml:23 api-removed":           "1.29 error", // PriorityLevelConfiguration v1beta2
		"workloads.yaml:44 seccomp-annotation":  "1.27 error", // a warning from 1.25, an error from 1.27
		"addons.yaml:89 eks-alb-endpointslices": "1.25 error",
		"addons.yaml:33 eks-addon-version":      "1.26 error", // VPC CNI 1.11 crashes on 1.26
		"addons.yaml:69 eks-addon-version":      "1.25 warning",
	} {
		if got[key] != want {
			t.Errorf("%s: hop and severity %q, want %q", key, got[key], want)
		}
	}
	for key := range got {
		if strings.HasSuffix(key, " api-deprecated") {
			t.Errorf("%s: a deprecation that a later hop removes is reported as the removal only", key)
		}
	}
	// Sorted as a single run is, and every finding has a hop of the plan.
	hops := []string{"1.25", "1.26", "1.27", "1.28", "1.29"}
	for i, f := range rep.Findings {
		if !slices.Contains(hops, f.Hop) {
			t.Errorf("%s:%d hop %q", f.File, f.Line, f.Hop)
		}
		if i > 0 && checks.Less(f, rep.Findings[i-1]) {
			t.Errorf("findings out of order at %s:%d", f.File, f.Line)
		}
	}
}

// Without a current version every finding's hop is the target, and the
// report names no current.
func TestPlanOneHop(t *testing.T) {
	cfg := Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeAll}
	var rep annotate.Report
	Run(context.Background(), cfg, []string{"testdata/plan"}, nil, &rep)
	if rep.Current != "" || len(rep.Findings) == 0 {
		t.Fatalf("current %q, %d findings", rep.Current, len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if f.Hop != "1.25" {
			t.Errorf("%s:%d %s hop %q, want 1.25", f.File, f.Line, f.Rule, f.Hop)
		}
	}
}
