package checks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// benchFiles reads every manifest under testdata/cases.
func benchFiles(b *testing.B) []*scan.File {
	b.Helper()
	var files []*scan.File
	err := filepath.WalkDir(filepath.Join("..", "testdata", "cases"), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !scan.IsManifestName(p) {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil {
			files = append(files, scan.NewFile(p, data))
		}
		return err
	})
	if err != nil || len(files) == 0 {
		b.Fatalf("no fixtures: %v", err)
	}
	return files
}

func enabled(env Env) []*Rule {
	var rules []*Rule
	for _, r := range Rules() {
		if r.Enabled(env) {
			rules = append(rules, r)
		}
	}
	return rules
}

// BenchmarkRules runs every rule enabled at 1.25 on eks over the golden
// fixtures, documents parsed once beforehand: the cost of the rules alone.
func BenchmarkRules(b *testing.B) {
	env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
	rules := enabled(env)
	var docs []*scan.Document
	for _, f := range benchFiles(b) {
		ds, _ := scan.Parse(f)
		for _, d := range ds {
			if d.Sig.IsObject() {
				_, _ = d.Node()
				docs = append(docs, d)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			Check(d, env, rules)
		}
		CheckSet(docs, env, rules)
	}
	b.ReportMetric(float64(len(docs)), "docs/op")
}

// BenchmarkParseAndRules adds splitting, signatures and Node parsing to
// BenchmarkRules: what one run over the fixtures costs.
func BenchmarkParseAndRules(b *testing.B) {
	env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
	rules := enabled(env)
	files := benchFiles(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var set []*scan.Document
		for _, f := range files {
			f = scan.NewFile(f.Path, f.Data)
			ds, _ := scan.Parse(f)
			for _, d := range ds {
				if d.Sig.IsObject() {
					Check(d, env, rules)
					if WantsSet(d.Sig.Kind, rules) {
						set = append(set, d)
					}
				}
			}
		}
		CheckSet(set, env, rules)
	}
}

// BenchmarkPodSpecOf measures the extractor on a parsed Deployment.
func BenchmarkPodSpecOf(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "cases", "eks-alb", "alb-chart-1.4.7.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	docs, _ := scan.Parse(scan.NewFile("alb.yaml", data))
	_, _ = docs[0].Node()
	b.ReportAllocs()
	for b.Loop() {
		if PodSpecOf(docs[0]) == nil {
			b.Fatal("no pod spec")
		}
	}
}
