package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/golden"
	"github.com/kubeready/kubeready/internal/sharedref"
)

// kubeflowConfig is the CLI's default run (target 1.25 on eks, JSON output,
// so fixes are built) on two workers.
func kubeflowConfig() Config {
	return Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeAll}
}

// runKubeflow scans ../shared/corpus/kubeflow-manifests from inside it, as
// `cd kubeflow-manifests && kubeready .` does (the working directory is the
// tree kustomize may read: the corpus has no .git).
func runKubeflow(tb testing.TB) *annotate.Report {
	corpus := sharedref.Path(tb, "corpus", "kubeflow-manifests")
	abs, err := filepath.Abs(corpus)
	if err != nil {
		tb.Fatal(err)
	}
	if t, ok := tb.(interface{ Chdir(string) }); ok {
		t.Chdir(abs)
	}
	rep := &annotate.Report{}
	Run(context.Background(), kubeflowConfig(), []string{"."}, nil, rep)
	return rep
}

// TestKubeflowSummary: the findings on kubeflow/manifests v1.8.0, counted
// per rule, against testdata/kubeflow-manifests.summary.txt (a copy of the
// counts the run gave before the speed work, less its duplicates). Counts,
// not timings: the speed is BenchmarkKubeflow's.
func TestKubeflowSummary(t *testing.T) {
	want, err := filepath.Abs("testdata/kubeflow-manifests.summary.txt")
	if err != nil {
		t.Fatal(err)
	}
	rep := runKubeflow(t)
	if len(rep.Errors) > 0 {
		t.Errorf("run errors: %v", rep.Errors)
	}
	golden.Compare(t, want, []byte(summary(rep)))
}

// summary is the header of the golden file and one "rule count" line per
// rule, sorted.
func summary(rep *annotate.Report) string {
	counts := map[string]int{}
	for _, f := range rep.Findings {
		counts[f.Rule]++
	}
	rules := make([]string, 0, len(counts))
	for r := range counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var sb strings.Builder
	sb.WriteString(`# Findings per rule of kubeready on ../shared/corpus/kubeflow-manifests
# (github.com/kubeflow/manifests v1.8.0, apps/ common/ contrib/ example/),
# run from inside the corpus: kubeready --format json .
# Copied 2026-12-02 from that run before the kustomize speed work (527
# findings), less its 2 duplicates (drain-no-readiness-probe twice on the
# same line, once from the file and once from its base built alone).
`)
	for _, r := range rules {
		fmt.Fprintf(&sb, "%s %d\n", r, counts[r])
	}
	fmt.Fprintf(&sb, "total %d\n", len(rep.Findings))
	return sb.String()
}
