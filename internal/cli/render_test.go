package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/golden"
)

// TestHelmTemplateStdin reads `helm template` output on standard input from
// the directory that holds the charts, so each document's `# Source:`
// template is at hand: findings land on template lines (and on line 1 with
// a note for a template that is not there). The input is hand-written in
// helm template's format for the psp fixture chart.
func TestHelmTemplateStdin(t *testing.T) {
	in, err := os.ReadFile("testdata/helm/template-output.yaml")
	if err != nil {
		t.Fatal(err)
	}
	goldenPath, _ := filepath.Abs("testdata/helm/template-output.want.txt")
	t.Chdir("testdata/helm")
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--workers", "2", "-"}, bytes.NewReader(in), &stdout, &stderr)
	got := stdout.String() + "exit " + strconv.Itoa(code) + "\n"
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	golden.Compare(t, goldenPath, []byte(got))
}

func TestRenderedJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--format", "json", "--current", "1.20", "testdata/helm/psp", "testdata/helm/pdb-capabilities", "testdata/helm/kustomize-overlay"},
		strings.NewReader(""), &stdout, &stderr)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep struct {
		Findings []checks.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	// The base of kustomize-overlay is built only through the overlay (which
	// moves its PodDisruptionBudget to policy/v1): the plain file reports it.
	plain := map[string]bool{"testdata/helm/kustomize-overlay/base/pdb.yaml:1": true}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Rendered == nil {
			if !plain[fmt.Sprintf("%s:%d", f.File, f.Line)] {
				t.Errorf("%s:%d %s has no rendered origin", f.File, f.Line, f.Rule)
			}
			continue
		}
		got[fmt.Sprintf("%s:%d", f.File, f.Line)] = f.Rendered.Chart + "|" + f.Rendered.Template + "|" + f.Rendered.Kustomization
	}
	want := map[string]string{
		"testdata/helm/psp/templates/psp.yaml:3":                                "testdata/helm/psp|psp/templates/psp.yaml|",
		"testdata/helm/psp/values.yaml:13":                                      "testdata/helm/psp|psp/templates/extra.yaml|",
		"testdata/helm/pdb-capabilities/templates/pdb.yaml:5":                   "testdata/helm/pdb-capabilities|web/templates/pdb.yaml|",
		"testdata/helm/kustomize-overlay/overlays/legacy/kustomization.yaml:16": "||testdata/helm/kustomize-overlay/overlays/legacy",
		"testdata/helm/kustomize-overlay/overlays/legacy/kustomization.yaml:7":  "||testdata/helm/kustomize-overlay/overlays/legacy",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: rendered %q, want %q", k, got[k], v)
		}
	}
}

func TestRenderFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"--current", "1.25", "testdata/helm/pdb-capabilities"}, ExitError, "older than --target"},
		{[]string{"--current", "one", "testdata/helm/pdb-capabilities"}, ExitError, "--current"},
		{[]string{"--helm-set", "a[=1", "testdata/helm/pdb-capabilities"}, ExitError, "--helm-set"},
		{[]string{"--helm-values", "testdata/helm/none.yaml", "testdata/helm/pdb-capabilities"}, ExitError, "--helm-values"},
		{[]string{"--current", "none", "testdata/helm/pdb-capabilities"}, ExitClean, "no findings"},
		{[]string{"--current", "1.20", "testdata/helm/pdb-capabilities"}, ExitClean, "helm-release-manifest"},
		{[]string{"--current", "1.20", "--fail-on", "warning", "testdata/helm/pdb-capabilities"}, ExitFindings, "helm-release-manifest"},
		// Rendered at 1.21 the chart picks policy/v1 even with current 1.20.
		{[]string{"--target", "1.21", "--current", "1.20", "testdata/helm/pdb-capabilities"}, ExitClean, "no findings"},
		// A chart that does not read .Capabilities is rendered once.
		{[]string{"--current", "1.20", "testdata/helm/missing-dep"}, ExitFindings, "2 findings"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("%v: exit %d, output %q; want exit %d with %q", tt.args, code, out, tt.code, tt.out)
		}
	}
}

// TestCorpusEngine runs kubeready over the real-world charts of the corpus
// (see testdata/corpus/PROVENANCE.md): no internal
// errors, no run errors, every finding on a real line.
func TestCorpusEngine(t *testing.T) {
	const dir = "testdata/corpus/helm-charts/stable"
	for _, target := range []string{"1.20", "1.25", "1.36"} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--format", "json", "--target", target, dir}, strings.NewReader(""), &stdout, &stderr)
		if code == ExitError {
			t.Fatalf("target %s: exit 2: %s %s", target, stderr.String(), stdout.String())
		}
		var rep struct {
			Findings []checks.Finding `json:"findings"`
			Stats    struct{ Documents int }
		}
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.Rule == checks.InternalError.ID || f.Rule == checks.HelmRenderError.ID || f.Line < 1 || f.Column < 1 {
				t.Errorf("target %s: %s:%d:%d %s %s", target, f.File, f.Line, f.Column, f.Rule, f.Message)
			}
		}
		if rep.Stats.Documents < 50 {
			t.Errorf("target %s: only %d documents rendered", target, rep.Stats.Documents)
		}
	}
}

// TestRenderedFixes checks that fixes made on rendered text are carried to
// the bytes that wrote them: template text, or a value printed verbatim
// from values.yaml.
func TestRenderedFixes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	Run(context.Background(), []string{"--format", "json", "testdata/helm/images"}, strings.NewReader(""), &stdout, &stderr)
	var rep struct {
		Findings []checks.Finding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err, stderr.String())
	}
	want := map[string]string{
		"testdata/helm/images/templates/deployment.yaml:25": "testdata/helm/images/templates/deployment.yaml",
		"testdata/helm/images/values.yaml:4":                "testdata/helm/images/values.yaml",
		"testdata/helm/images/values.yaml:8":                "testdata/helm/images/values.yaml",
	}
	seen := 0
	for _, f := range rep.Findings {
		if f.Rule != "legacy-registry" {
			continue
		}
		where := fmt.Sprintf("%s:%d", f.File, f.Line)
		if len(f.Fixes) != 1 || len(f.Fixes[0].Edits) != 1 {
			t.Errorf("%s: fixes %+v", where, f.Fixes)
			continue
		}
		ed := f.Fixes[0].Edits[0]
		if ed.Path != want[where] {
			t.Errorf("%s: edit of %s, want %s", where, ed.Path, want[where])
			continue
		}
		data, err := os.ReadFile(ed.Path)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(data[ed.Start:ed.End]); got != "k8s.gcr.io" {
			t.Errorf("%s: edit covers %q", where, got)
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("%d legacy-registry findings with fixes, want %d", seen, len(want))
	}
}

func TestRenderedOverLimit(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--max-file-size", "100", "testdata/helm/psp"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitClean || !strings.Contains(stdout.String(), "testdata/helm/psp/templates/psp.yaml:1:1: warning: the rendered output is") {
		t.Errorf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
}

// TestFixRendered: --fix applies the fixes of findings on a chart to the
// template and values files, and --format patch shows them.
func TestFixRendered(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"Chart.yaml", "values.yaml", "templates/deployment.yaml", "templates/pdb.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata/helm/images", f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--format", "patch", dir}, strings.NewReader(""), &stdout, &stderr)
	patch := stdout.String()
	if code == ExitError || strings.Count(patch, "+++ ") != 2 || strings.Count(patch, "registry.k8s.io") < 3 {
		t.Fatalf("patch (exit %d, %s):\n%s", code, stderr.String(), patch)
	}
	stdout.Reset()
	if code := Run(context.Background(), []string{"--fix", dir}, strings.NewReader(""), &stdout, &stderr); code != ExitClean {
		t.Fatalf("--fix: exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	values, _ := os.ReadFile(filepath.Join(dir, "values.yaml"))
	tmpl, _ := os.ReadFile(filepath.Join(dir, "templates/deployment.yaml"))
	if strings.Contains(string(values), "k8s.gcr.io") || strings.Contains(string(tmpl), "k8s.gcr.io") {
		t.Errorf("not fixed:\n%s\n%s", values, tmpl)
	}
	stdout.Reset()
	if code := Run(context.Background(), []string{dir}, strings.NewReader(""), &stdout, &stderr); code != ExitClean || !strings.Contains(stdout.String(), "no findings") {
		t.Errorf("after --fix: exit %d: %s", code, stdout.String())
	}
}

// TestRenderedSARIF: SARIF results carry the rendered origin, as JSON does
// (issue 16.9).
func TestRenderedSARIF(t *testing.T) {
	var stdout, stderr bytes.Buffer
	Run(context.Background(), []string{"--format", "sarif", "testdata/helm/psp", "testdata/helm/kustomize-overlay"}, strings.NewReader(""), &stdout, &stderr)
	var log struct {
		Runs []struct {
			Results []struct {
				Properties struct {
					Rendered struct{ Chart, Template, Kustomization string }
				}
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	var chart, kust bool
	for _, r := range log.Runs[0].Results {
		chart = chart || r.Properties.Rendered.Chart == "testdata/helm/psp" && strings.HasPrefix(r.Properties.Rendered.Template, "psp/templates/")
		kust = kust || strings.HasPrefix(r.Properties.Rendered.Kustomization, "testdata/helm/kustomize-overlay")
	}
	if !chart || !kust {
		t.Errorf("rendered origin missing (chart %v, kustomization %v): %s", chart, kust, stdout.String())
	}
}
