package scan

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// tree lays out a directory of small files for discovery tests.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		content := "kind: ConfigMap\napiVersion: v1\n"
		switch filepath.Base(f) {
		case "Chart.yaml":
			content = "apiVersion: v2\nname: " + filepath.Base(filepath.Dir(f)) + "\nversion: 0.1.0\n"
			if strings.Contains(f, "lib") {
				content += "type: library\n"
			}
		case "kustomization.yaml":
			content = "resources: []\n"
		}
		write(t, dir, f, content)
	}
	return dir
}

func describe(dir string, d Discovery) []string {
	var out []string
	for _, in := range d.Inputs {
		rel, _ := filepath.Rel(dir, in.Path)
		out = append(out, strings.TrimSuffix(kindKey(in.Kind), ":")+" "+filepath.ToSlash(rel))
	}
	for _, s := range d.Skipped {
		rel, _ := filepath.Rel(dir, s.Path)
		out = append(out, "skip "+filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out
}

func TestDiscover(t *testing.T) {
	files := []string{
		"plain/deploy.yaml",
		"charts/web/Chart.yaml", "charts/web/values.yaml", "charts/web/templates/deploy.yaml",
		"charts/web/templates/sub/extra.yaml", "charts/web/crds/crd.yaml", "charts/web/ci/test-values.yaml",
		"charts/web/charts/cache/Chart.yaml", "charts/web/charts/cache/templates/sts.yaml",
		"charts/web/charts/cache/crds/cache-crd.yaml",
		"charts/lib/Chart.yaml", "charts/lib/templates/_helpers.tpl",
		"kust/base/kustomization.yaml", "kust/base/deploy.yaml",
	}
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"walk", []string{"."}, []string{
			" charts/web/charts/cache/crds/cache-crd.yaml", " charts/web/crds/crd.yaml",
			" kust/base/deploy.yaml", " kust/base/kustomization.yaml", " plain/deploy.yaml",
			"chart charts/web", "kustomize kust/base", "skip charts/lib",
		}},
		{"pre-commit files inside a chart stand for the chart, once", []string{
			"charts/web/templates/deploy.yaml", "charts/web/values.yaml", "charts/web/charts/cache/templates/sts.yaml", "charts/web/crds/crd.yaml",
		}, []string{" charts/web/crds/crd.yaml", "chart charts/web"}},
		{"a directory inside a chart", []string{"charts/web/templates"}, []string{"chart charts/web"}},
		{"a chart directory", []string{"charts/web"}, []string{
			" charts/web/charts/cache/crds/cache-crd.yaml", " charts/web/crds/crd.yaml", "chart charts/web",
		}},
		{"a kustomization file", []string{"kust/base/kustomization.yaml"}, []string{" kust/base/kustomization.yaml", "kustomize kust/base"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, files...)
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(dir, p))
			}
			d := Discover(paths)
			if len(d.Errors) > 0 {
				t.Fatal(d.Errors)
			}
			got := describe(dir, d)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestChartOf(t *testing.T) {
	dir := tree(t, "c/Chart.yaml", "c/templates/a.yaml", "c/charts/s/Chart.yaml", "c/charts/s/templates/b.yaml", "c/crds/x.yaml", "other/y.yaml")
	tests := []struct {
		path        string
		chart       string
		inTemplates bool
	}{
		{"c/templates/a.yaml", "c", true},
		{"c/charts/s/templates/b.yaml", "c", true},
		{"c/crds/x.yaml", "c", false},
		{"c/Chart.yaml", "c", false},
		{"other/y.yaml", "", false},
	}
	for _, tt := range tests {
		chart, in := ChartOf(filepath.Join(dir, tt.path))
		want := ""
		if tt.chart != "" {
			want = filepath.Join(dir, tt.chart)
		}
		if chart != want || in != tt.inTemplates {
			t.Errorf("ChartOf(%s) = %q, %v; want %q, %v", tt.path, chart, in, want, tt.inTemplates)
		}
	}
}
