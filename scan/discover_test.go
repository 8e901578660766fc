package scan

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func TestDiscoverPaths(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	mk := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(root, "a.yaml"), "x: 1")
	mk(filepath.Join(root, "with space é.yml"), "x: 1")
	mk(filepath.Join(root, "-leading-dash.yaml"), "x: 1")
	mk(filepath.Join(root, "new\nline.yaml"), "x: 1")
	mk(filepath.Join(root, "notes.txt"), "x: 1")
	mk(filepath.Join(root, "node_modules", "m.yaml"), "x: 1")
	mk(filepath.Join(root, ".git", "g.yaml"), "x: 1")
	mk(filepath.Join(root, "vendor", "v.yaml"), "x: 1")
	mk(filepath.Join(outside, "secret.yaml"), "x: 1")
	if err := os.MkdirAll(filepath.Join(root, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	mk(filepath.Join(root, "dir.yaml", "inner.json"), "{}")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(root, "a.yaml"), filepath.Join(root, "link-inside.yaml")))
	must(os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "link-outside.yaml")))
	must(os.Symlink(root, filepath.Join(root, "loop.yaml"))) // a directory link, named like a file
	must(os.Symlink(root, filepath.Join(root, "loopdir")))   // a loop
	must(os.Symlink("nowhere.yaml", filepath.Join(root, "dangling.yaml")))

	d := Discover([]string{root})
	var got []string
	for _, in := range d.Inputs {
		rel, _ := filepath.Rel(root, in.Path)
		got = append(got, rel)
	}
	sort.Strings(got)
	want := []string{"-leading-dash.yaml", "a.yaml", "dir.yaml/inner.json", "link-inside.yaml", "new\nline.yaml", "with space é.yml"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("inputs %q\nwant   %q", got, want)
	}
	reasons := map[string]string{}
	for _, s := range d.Skipped {
		rel, _ := filepath.Rel(root, s.Path)
		reasons[rel] = s.Reason
	}
	for name, has := range map[string]string{"link-outside.yaml": "out of the scanned directory", "loop.yaml": "not followed", "dangling.yaml": "cannot be resolved"} {
		if !strings.Contains(reasons[name], has) {
			t.Errorf("%s: reason %q, want it to mention %q", name, reasons[name], has)
		}
	}
	if len(d.Errors) != 0 {
		t.Errorf("errors: %v", d.Errors)
	}
}

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
		out = append(out, strings.TrimSuffix(inputKindKey(in.Kind), ":")+" "+filepath.ToSlash(rel))
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

// TestDiscoverExplicitPathsStayInside: files named one by one follow the
// directory walk's rules (issue 13.6).
func TestDiscoverExplicitPathsStayInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("kind: Secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, d := range []string{".git", "sub"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "sub", "in.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"leak.yaml": filepath.Join(outside, "secret.yaml"), "env.yaml": "/proc/self/environ",
		"tty.yaml": "/dev/stdin", "outdir": outside, "ok.yaml": "sub/in.yaml",
	} {
		if err := os.Symlink(target, filepath.Join(repo, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(repo, "sub"))
	d := Discover([]string{"../leak.yaml", "../env.yaml", "../tty.yaml", "../outdir/secret.yaml", "../fifo.yaml", "../ok.yaml", "in.yaml", filepath.Join(outside, "secret.yaml")})
	skipped := map[string]string{}
	for _, s := range d.Skipped {
		skipped[s.Path] = s.Reason
	}
	for p, want := range map[string]string{
		"../leak.yaml": "out of the repository", "../env.yaml": "out of the repository", "../tty.yaml": "special file",
		"../outdir/secret.yaml": "out of the repository", "../fifo.yaml": "not a regular file",
	} {
		if !strings.Contains(skipped[p], want) {
			t.Errorf("%s: skipped for %q, want %q", p, skipped[p], want)
		}
	}
	var read []string
	for _, in := range d.Inputs {
		read = append(read, in.Path)
	}
	// A link inside the repository, and a file outside it that the user
	// names directly, are read.
	if want := []string{"../ok.yaml", "in.yaml", filepath.Join(outside, "secret.yaml")}; !slices.Equal(read, want) {
		t.Errorf("inputs %v, want %v", read, want)
	}
}
