package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/benchdata"
	"github.com/kubeready/kubeready/internal/sharedref"
	"github.com/kubeready/kubeready/scan"
)

type corpus struct {
	name  string
	files []*scan.File
}

func benchCorpora(b *testing.B) []corpus {
	TuneGC()
	return []corpus{{"repo", benchdata.RepoCorpus(b)}, {"workloads", benchdata.Workloads(300)}}
}

// benchEnv is the environment of a plain text run (no fixes built).
func benchEnv() checks.Env {
	return checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS, NoFixes: true}
}

// BenchmarkScan is the full scan (signature pass, parse where a rule needs
// it, every enabled rule) over in-memory files.
func BenchmarkScan(b *testing.B) {
	for _, c := range benchCorpora(b) {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(b *testing.B) {
				b.SetBytes(int64(benchdata.TotalSize(c.files)))
				for b.Loop() {
					e := newEngine(benchEnv(), workers, nil) // one run each
					e.each(context.Background(), len(c.files), func(i int) fileResult {
						return e.checkFile(scan.NewFile(c.files[i].Path, c.files[i].Data))
					}, func(i int) int64 { return int64(len(c.files[i].Data)) })
				}
			})
		}
	}
}

// BenchmarkParseOnly parses the same files fully into Nodes and nothing else:
// the baseline the signature pass must beat.
func BenchmarkParseOnly(b *testing.B) {
	for _, c := range benchCorpora(b) {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(b *testing.B) {
				e := newEngine(benchEnv(), workers, nil)
				b.SetBytes(int64(benchdata.TotalSize(c.files)))
				for b.Loop() {
					e.each(context.Background(), len(c.files), func(i int) fileResult {
						docs, _ := scan.ParseNode(scan.NewFile(c.files[i].Path, c.files[i].Data))
						return fileResult{documents: len(docs)}
					}, func(i int) int64 { return int64(len(c.files[i].Data)) })
				}
			})
		}
	}
}

func TestDepthLimit(t *testing.T) {
	e := newEngine(checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, 1, nil)
	e.rules = append(e.rules, &checks.Rule{ID: "deep-reader", Kinds: []string{"CronJob"}, Check: func(*checks.Rule, *scan.Document, checks.Env) []checks.Finding { return nil }})
	e.limits.MaxDepth = 10
	deep := "apiVersion: batch/v1beta1\nkind: CronJob\nspec:\n"
	for i := 0; i < 30; i++ {
		deep += strings.Repeat("  ", i+1) + "a:\n"
	}
	res := e.checkFile(scan.NewFile("deep.yaml", []byte(deep)))
	if len(res.findings) != 2 || res.findings[0].Rule != "limit-exceeded" || !strings.Contains(res.findings[0].Message, "deeper than 10") ||
		res.findings[1].Rule != "api-removed" {
		t.Errorf("got %+v", res.findings)
	}
}

// benchCharts are 20 chart inputs: the corpus charts and the fixture
// charts, repeated to make 20.
func benchCharts(b *testing.B) []scan.Input {
	dirs, _ := filepath.Glob("../shared/corpus/helm-charts/stable/*")
	fixtures, _ := filepath.Glob("testdata/helm/*")
	var charts []string
	for _, d := range append(dirs, fixtures...) {
		if _, err := os.Stat(filepath.Join(d, "Chart.yaml")); err == nil {
			charts = append(charts, d)
		}
	}
	if len(charts) == 0 {
		sharedref.Missing(b, "the shared corpus charts")
	}
	var in []scan.Input
	for i := 0; len(in) < 20; i++ {
		in = append(in, scan.Input{Path: charts[i%len(charts)], Kind: scan.InputChart})
	}
	return in
}

func benchEngine() *Engine {
	target := checks.MustVersion("1.25")
	e := newEngine(checks.Env{Target: target, Platform: checks.PlatformEKS}, 0, strings.NewReader(""))
	e.workers = 2
	e.render = Render{Current: checks.MustVersion("1.24")}
	return e
}

// BenchmarkRenderCharts renders 20 charts at the target (and at the current
// version for those that read .Capabilities) and checks every object.
func BenchmarkRenderCharts(b *testing.B) {
	in := benchCharts(b)
	e := benchEngine()
	docs := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _, _, docs = e.run(context.Background(), in)
	}
	b.ReportMetric(float64(docs), "docs/op")
}

// BenchmarkScanRendered is the baseline for BenchmarkRenderCharts: the
// same rendered documents, written out as plain files and scanned.
func BenchmarkScanRendered(b *testing.B) {
	in := benchCharts(b)
	e := benchEngine()
	dir := b.TempDir()
	var files []scan.Input
	for i, c := range in {
		ch, err := scan.LoadChart(c.Path, scan.ChartOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r := ch.Render(capabilities(e.env.Target))
		for j, rf := range r.Files {
			p := filepath.Join(dir, fmt.Sprintf("%02d-%03d.yaml", i, j))
			if err := os.WriteFile(p, rf.File.Data, 0o644); err != nil {
				b.Fatal(err)
			}
			files = append(files, scan.Input{Path: p})
		}
	}
	docs := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _, _, docs = e.run(context.Background(), files)
	}
	b.ReportMetric(float64(docs), "docs/op")
}

// TestChangeInputsCharts: any changed file of a chart (a helper, a deleted
// template) renders the chart again.
func TestChangeInputsCharts(t *testing.T) {
	root, _ := filepath.Abs("testdata/helm")
	change := scan.NewChange(root)
	for _, p := range []string{"psp/templates/_helpers.tpl", "pdb-capabilities/templates/gone.yaml", "notes.txt"} {
		change.Add(&scan.FileChange{Path: p, Whole: true})
	}
	paths, skipped := changeInputs(change, nil)
	d := scan.Discover(paths)
	var got []string
	for _, in := range d.Inputs {
		abs, _ := filepath.Abs(in.Path)
		rel, _ := filepath.Rel(root, abs)
		got = append(got, fmt.Sprintf("%d:%s", in.Kind, filepath.ToSlash(rel)))
	}
	want := []string{fmt.Sprintf("%d:pdb-capabilities", scan.InputChart), fmt.Sprintf("%d:psp", scan.InputChart)}
	if strings.Join(got, " ") != strings.Join(want, " ") || len(skipped) != 0 {
		t.Errorf("inputs %v (skipped %v), want %v", got, skipped, want)
	}
}
