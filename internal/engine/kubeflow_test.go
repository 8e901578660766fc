package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/benchdata"
	"github.com/kubeready/kubeready/internal/golden"
	"github.com/kubeready/kubeready/internal/sharedref"
	"github.com/kubeready/kubeready/scan"
)

// kubeflowConfig is the CLI's default run (target 1.25 on eks, JSON output,
// so fixes are built) on two workers.
func kubeflowConfig() Config {
	return Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeAll}
}

// kubeflowDir finds ../shared/corpus/kubeflow-manifests and makes it the
// working directory, as `cd kubeflow-manifests && kubeready .` does (the
// working directory is the tree kustomize may read: the corpus has no .git).
func kubeflowDir(tb interface {
	testing.TB
	Chdir(string)
}) {
	abs, err := filepath.Abs(sharedref.Path(tb, "corpus", "kubeflow-manifests"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Chdir(abs)
}

// runKubeflow scans the working directory (kubeflowDir).
func runKubeflow() *annotate.Report {
	rep := &annotate.Report{}
	Run(context.Background(), kubeflowConfig(), []string{"."}, nil, rep)
	return rep
}

// checkKubeflowSummary compares the findings on kubeflow/manifests v1.8.0,
// counted per rule, with testdata/kubeflow-manifests.summary.txt (the
// counts the run gave before the speed work, less its duplicates). Counts,
// not timings. It runs in BenchmarkKubeflow, not as a test: the corpus
// (35 MB) is not in the repository, and a clean clone's `go test ./...`
// skips nothing; .ci/run runs the benchmark once when ../shared is there.
func checkKubeflowSummary(b *testing.B, rep *annotate.Report, want string) {
	if len(rep.Errors) > 0 {
		b.Errorf("run errors: %v", rep.Errors)
	}
	golden.Compare(b, want, []byte(summary(rep)))
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
# same line, once from the file and once from its base built alone). Then,
# on purpose: api-third-party added (issue 19, cert-manager and Istio
# resources); one finding per file, line, rule and object (issue 16.1):
# drain-no-readiness-probe on the container's name, where the file's copy
# and each build's copy (kustomize sorts keys) now agree (-76), and the
# copies of legacy-registry (-6) and kustomize-build-error (-2) that several
# builds gave on one line.
`)
	for _, r := range rules {
		fmt.Fprintf(&sb, "%s %d\n", r, counts[r])
	}
	fmt.Fprintf(&sb, "total %d\n", len(rep.Findings))
	return sb.String()
}

// BenchmarkKubeflow is TestKubeflowSummary's run timed in-process: every
// kustomization of kubeflow/manifests built (each tree once), every rule,
// two workers, the binary's GC settings.
func BenchmarkKubeflow(b *testing.B) {
	TuneGC()
	want, err := filepath.Abs("testdata/kubeflow-manifests.summary.txt")
	if err != nil {
		b.Fatal(err)
	}
	kubeflowDir(b)
	findings, checked := 0, false
	for b.Loop() {
		rep := runKubeflow()
		if !checked {
			checkKubeflowSummary(b, rep, want)
			checked = true
		}
		findings = len(rep.Findings)
	}
	b.ReportMetric(float64(findings), "findings/op")
}

// BenchmarkCorpusDirs runs the engine in-process on plain-manifest trees:
// testdata/corpus/kubernetes-examples, and 20,000 generated files of
// Deployments, PodDisruptionBudgets and HPAs (benchdata.DrainSet) written
// to a temporary directory, so reading, checking and the set rules all
// count.
func BenchmarkCorpusDirs(b *testing.B) {
	TuneGC()
	examples, _ := filepath.Abs("testdata/corpus/kubernetes-examples") // in the repository
	synthetic := b.TempDir()
	if err := writeFiles(synthetic, benchdata.DrainSet(20000)); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, dir string }{{"kubernetes-examples", examples}, {"drain-20000", synthetic}} {
		b.Run(bc.name, func(b *testing.B) {
			var rep *annotate.Report
			for b.Loop() {
				rep = &annotate.Report{}
				Run(context.Background(), kubeflowConfig(), []string{bc.dir}, nil, rep)
			}
			b.ReportMetric(float64(rep.Stats.Files), "files/op")
			b.ReportMetric(float64(len(rep.Findings)), "findings/op")
		})
	}
}

// writeFiles writes generated files under dir (their paths are relative).
func writeFiles(dir string, files []*scan.File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
