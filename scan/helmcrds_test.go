package scan

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

// writeTgz packages files (name → content) as a chart archive.
func writeTgz(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestArchivedSubchartCRDs: the crds/ of a packaged subchart are checked,
// placed on the archive with the file inside it in the note (issue 16.9).
func TestArchivedSubchartCRDs(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{
		"app/Chart.yaml":        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: operator\n    version: 0.1.0\n    repository: https://example.com\n",
		"app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "app", "charts"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTgz(t, filepath.Join(dir, "app", "charts", "operator-0.1.0.tgz"), map[string]string{
		"operator/Chart.yaml":       "apiVersion: v2\nname: operator\nversion: 0.1.0\n",
		"operator/crds/widget.yaml": "# old CRD\napiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
	})
	c, err := LoadChart(filepath.Join(dir, "app"), ChartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Render(Capabilities{KubeVersion: "1.25"})
	var crd *Rendered
	for _, f := range r.Files {
		if strings.Contains(string(f.File.Data), "CustomResourceDefinition") {
			crd = f
		}
	}
	if crd == nil || !strings.HasSuffix(crd.File.Path, "operator-0.1.0.tgz") {
		t.Fatalf("the packaged subchart's CRD is not checked: %+v %+v", r.Files, r.Problems)
	}
	docs, _ := Parse(crd.File)
	if len(docs) != 1 {
		t.Fatalf("docs %v", docs)
	}
	loc := crd.Locate(docs[0], Query{Pos: docs[0].Sig.APIVersionPos})
	if loc.Pos.Line != 1 || !strings.Contains(loc.Note, "app/charts/operator/crds/widget.yaml line 2") {
		t.Errorf("location %+v", loc)
	}
}
