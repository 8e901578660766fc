package scan

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// testAPIs is a fixed capabilities list for scan's own tests (the real one
// comes from checks.ServedAPIVersions, which scan cannot import).
var testAPIs = map[string][]string{
	"1.20": {"v1", "apps/v1", "batch/v1", "batch/v1beta1", "batch/v1beta1/CronJob", "policy/v1beta1", "policy/v1beta1/PodDisruptionBudget",
		"rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "apiregistration.k8s.io/v1"},
	"1.25": {"v1", "apps/v1", "batch/v1", "batch/v1/CronJob", "policy/v1", "policy/v1/PodDisruptionBudget",
		"rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "apiregistration.k8s.io/v1"},
}

func caps(v string) Capabilities { return Capabilities{KubeVersion: v, APIVersions: testAPIs[v]} }

// rendered renders a fixture chart and returns its files by template name.
func rendered(t *testing.T, dir string, opts ChartOptions, v string) (*Chart, *ChartRender, map[string]*Rendered) {
	t.Helper()
	c, err := LoadChart(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Render(caps(v))
	byName := map[string]*Rendered{}
	for _, f := range r.Files {
		byName[f.File.Origin.Template] = f
	}
	return c, r, byName
}

// findKey returns the document and position of the first key named key
// (path a.b.c from the root) in a rendered file.
func findKey(t *testing.T, rf *Rendered, keys ...string) (*Document, Pos) {
	t.Helper()
	docs, errs := Parse(rf.File)
	if len(errs) > 0 {
		t.Fatalf("rendered %s does not parse: %v", rf.File.Origin.Template, errs[0])
	}
	for _, d := range docs {
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		if n, _ := lookupPath(root, keys); n != nil {
			return d, PosOf(n)
		}
	}
	t.Fatalf("%s has no key %v", rf.File.Origin.Template, keys)
	return nil, Pos{}
}

func TestRenderFixtures(t *testing.T) {
	tests := []struct {
		dir       string
		version   string
		templates []string
		problems  []string // kind file:line:col
		usesCaps  bool
	}{
		{"../testdata/helm/pdb-capabilities", "1.25", []string{"web/templates/deployment.yaml", "web/templates/pdb.yaml"}, nil, true},
		{"../testdata/helm/psp", "1.25", []string{"psp/templates/daemonset.yaml", "psp/templates/extra.yaml", "psp/templates/psp.yaml"}, nil, true},
		{"../testdata/helm/missing-dep", "1.25", []string{"shop/templates/cronjob.yaml"},
			[]string{"helm-dependency-missing ../testdata/helm/missing-dep/Chart.yaml:7:5"}, false},
		{"../testdata/helm/render-error", "1.25", []string{"broken/templates/hpa.yaml"},
			[]string{"helm-render-error ../testdata/helm/render-error/templates/ingress.yaml:7:15"}, false},
		{"../testdata/helm/vendored", "1.25", []string{"platform/charts/frontend/templates/ingress.yaml", "platform/charts/legacy/templates/cronjob.yaml", "platform/templates/configmap.yaml"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.dir), func(t *testing.T) {
			c, r, _ := rendered(t, tt.dir, ChartOptions{}, tt.version)
			var names, problems []string
			for _, f := range r.Files {
				names = append(names, f.File.Origin.Template)
			}
			for _, p := range r.Problems {
				problems = append(problems, string(p.Kind)+" "+p.File+":"+itoa(p.Pos.Line)+":"+itoa(p.Pos.Col))
			}
			if strings.Join(names, ",") != strings.Join(tt.templates, ",") {
				t.Errorf("templates rendered: %v, want %v", names, tt.templates)
			}
			if strings.Join(problems, ",") != strings.Join(tt.problems, ",") {
				t.Errorf("problems: %v, want %v", problems, tt.problems)
			}
			if c.UsesCapabilities() != tt.usesCaps {
				t.Errorf("UsesCapabilities = %v, want %v", c.UsesCapabilities(), tt.usesCaps)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRenderCapabilitiesSwitch(t *testing.T) {
	for _, tt := range []struct{ version, want string }{{"1.20", "policy/v1beta1"}, {"1.25", "policy/v1"}} {
		_, _, files := rendered(t, "../testdata/helm/pdb-capabilities", ChartOptions{}, tt.version)
		pdb := files["web/templates/pdb.yaml"]
		d, p := findKey(t, pdb, "apiVersion")
		if d.Sig.APIVersion != tt.want {
			t.Errorf("at %s the chart renders %s, want %s", tt.version, d.Sig.APIVersion, tt.want)
		}
		loc := pdb.Locate(d, Query{Pos: p, ObjectLevel: true})
		wantLine := map[string]int{"policy/v1": 3, "policy/v1beta1": 5}[tt.want]
		if loc.File != "../testdata/helm/pdb-capabilities/templates/pdb.yaml" || loc.Pos.Line != wantLine || loc.Note != "" {
			t.Errorf("at %s apiVersion placed at %s:%d %s, want pdb.yaml:%d", tt.version, loc.File, loc.Pos.Line, loc.Note, wantLine)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		wantFile  string
		wantLine  int
		wantFiles int // templates still rendered
	}{
		{
			name:      "parse error",
			files:     map[string]string{"templates/a.yaml": "kind: A\nname: {{ .Values.x \n", "templates/b.yaml": "kind: B\n"},
			wantFile:  "templates/a.yaml",
			wantLine:  3, // Helm names the line where the unclosed action ends
			wantFiles: 1,
		},
		{
			name:      "nil pointer in one template; the other still renders",
			files:     map[string]string{"templates/a.yaml": "kind: A\nname: {{ .Values.missing.deep }}\n", "templates/b.yaml": "kind: B\n"},
			wantFile:  "templates/a.yaml",
			wantLine:  2,
			wantFiles: 1,
		},
		{
			name: "fail in a helper is reported where the template includes it",
			files: map[string]string{
				"templates/_helpers.tpl": "{{ define \"x\" }}{{ fail \"unsupported\" }}{{ end }}",
				"templates/a.yaml":       "kind: A\n\nname: {{ include \"x\" . }}\n",
			},
			wantFile:  "templates/a.yaml",
			wantLine:  3,
			wantFiles: 0,
		},
		{
			name:      "lookup returns nothing offline",
			files:     map[string]string{"templates/a.yaml": "kind: A\nfound: {{ len (lookup \"v1\" \"Secret\" \"default\" \"x\") }}\n"},
			wantFiles: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
			for n, s := range tt.files {
				write(t, dir, n, s)
			}
			c, err := LoadChart(dir, ChartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r := c.Render(caps("1.25"))
			if len(r.Files) != tt.wantFiles {
				t.Errorf("%d templates rendered, want %d", len(r.Files), tt.wantFiles)
			}
			if tt.wantFile == "" {
				if len(r.Problems) != 0 {
					t.Errorf("problems: %+v", r.Problems)
				}
				if len(r.Files) == 1 && !strings.Contains(string(r.File0Data()), "found: 0") {
					t.Errorf("lookup output: %s", r.File0Data())
				}
				return
			}
			if len(r.Problems) != 1 {
				t.Fatalf("problems: %+v, want one", r.Problems)
			}
			p := r.Problems[0]
			if p.Kind != ProblemRenderError || p.File != filepath.Join(dir, tt.wantFile) || p.Pos.Line != tt.wantLine {
				t.Errorf("problem %s at %s:%d (%s), want %s:%d", p.Kind, p.File, p.Pos.Line, p.Message, tt.wantFile, tt.wantLine)
			}
		})
	}
}

// File0Data is the first rendered file's text, for tests.
func (r *ChartRender) File0Data() []byte { return r.Files[0].File.Data }

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadChart(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")
	write(t, dir, "bad/Chart.yaml", "apiVersion: v2\nname: [\n")
	if _, err := LoadChart(filepath.Join(dir, "lib"), ChartOptions{}); err != ErrLibraryChart {
		t.Errorf("library chart: %v", err)
	}
	_, err := LoadChart(filepath.Join(dir, "bad"), ChartOptions{})
	if le, ok := err.(*ChartLoadError); !ok || le.Problem.Kind != ProblemRenderError {
		t.Errorf("broken Chart.yaml: %v", err)
	}
	outside := t.TempDir()
	write(t, outside, "secret.yaml", "password: hunter2\n")
	write(t, dir, "linked/Chart.yaml", "apiVersion: v2\nname: linked\nversion: 0.1.0\n")
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "linked", "secret.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err = LoadChart(filepath.Join(dir, "linked"), ChartOptions{})
	if le, ok := err.(*ChartLoadError); !ok || !strings.Contains(le.Problem.Message, "symbolic link") {
		t.Errorf("chart linking out of itself: %v", err)
	}
	if err := (ChartOptions{Set: []string{"a[=1"}}).Validate(); err == nil {
		t.Error("a bad --helm-set validated")
	}
	write(t, dir, "ok/Chart.yaml", "apiVersion: v2\nname: ok\nversion: 0.1.0\n")
	if _, err := LoadChart(filepath.Join(dir, "ok"), ChartOptions{ValuesFiles: []string{filepath.Join(dir, "none.yaml")}}); err == nil || !strings.Contains(err.Error(), "--helm-values") {
		t.Errorf("missing values file: %v", err)
	}
}

// corpusCharts lists the real-world charts of the shared corpus.
func corpusCharts(t testing.TB) []string {
	dirs, _ := filepath.Glob("../testdata/corpus/helm-charts/stable/*")
	var out []string
	for _, d := range dirs {
		if isChartDir(d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no charts in testdata/corpus/helm-charts/stable")
	}
	sort.Strings(out)
	return out
}

// TestCorpusChartsRender renders every chart of the corpus (public,
// unmodified charts from github.com/helm/charts, see testdata/corpus) at
// two versions and checks that nothing fails inside kubeready: each chart
// renders without template errors, every output parses, and every key of
// every object is placed on a real line; a key traced to template text is
// placed on the very bytes that wrote it.
func TestCorpusChartsRender(t *testing.T) {
	for _, dir := range corpusCharts(t) {
		for _, v := range []string{"1.20", "1.25"} {
			t.Run(filepath.Base(dir)+"@"+v, func(t *testing.T) {
				c, err := LoadChart(dir, ChartOptions{})
				if err != nil {
					t.Fatal(err)
				}
				r := c.Render(caps(v))
				for _, p := range r.Problems {
					if p.Kind == ProblemRenderError {
						t.Errorf("render error: %s:%d: %s", p.File, p.Pos.Line, p.Message)
					}
				}
				exact, action, values, unplaced := 0, 0, 0, 0
				for _, rf := range r.Files {
					docs, errs := Parse(rf.File)
					if len(errs) > 0 {
						t.Errorf("%s: output does not parse: %v", rf.File.Origin.Template, errs[0])
					}
					tmpl, err := os.ReadFile(rf.File.Path)
					if err != nil {
						t.Fatalf("%s: %v", rf.File.Path, err)
					}
					tf := NewFile(rf.File.Path, tmpl)
					for _, d := range docs {
						root, err := d.Node()
						if err != nil || root == nil {
							continue
						}
						eachKey(root, func(k *yaml.Node) {
							loc := rf.Locate(d, Query{Pos: PosOf(k), ObjectLevel: false})
							switch {
							case loc.Pos.Line < 1 || loc.Pos.Col < 1:
								t.Errorf("%s: key %s placed at %d:%d", rf.File.Origin.Template, k.Value, loc.Pos.Line, loc.Pos.Col)
							case loc.Note != "":
								unplaced++
								if testing.Verbose() {
									t.Logf("not traced: %s %s:%d %s", rf.File.Origin.Template, k.Value, k.Line, loc.Note)
								}
							case loc.File != rf.File.Path:
								values++
							case loc.Exact:
								exact++
								got := tf.Line(loc.Pos.Line)
								col := loc.Pos.Col - 1
								if col < len(got) && (got[col] == '"' || got[col] == '\'') {
									col++
								}
								if col+len(k.Value) > len(got) || string(got[col:col+len(k.Value)]) != k.Value {
									t.Errorf("%s: key %q placed on %d:%d: %q", rf.File.Origin.Template, k.Value, loc.Pos.Line, loc.Pos.Col, got)
								}
							default:
								action++
							}
						})
					}
				}
				t.Logf("keys placed: %d on template text, %d on the action that wrote them, %d in values files, %d not traced", exact, action, values, unplaced)
			})
		}
	}
}

// eachKey calls fn for every mapping key of a tree.
func eachKey(n *yaml.Node, fn func(*yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			fn(n.Content[i])
			eachKey(n.Content[i+1], fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			eachKey(c, fn)
		}
	}
}

// TestHelm4Differences pins what moving to the Helm 4 SDK changed that a
// user could notice (README, "Helm 4").
func TestHelm4Differences(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
	write(t, dir, "c/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  helm: {{ .Capabilities.HelmVersion.Version | quote }}\n"+
		"  old: {{ semverCompare \"<4.0.0-0\" .Capabilities.HelmVersion.Version | quote }}\n")
	c, err := LoadChart(filepath.Join(dir, "c"), ChartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Render(Capabilities{KubeVersion: "1.25"})
	if len(r.Files) != 1 || !strings.Contains(string(r.Files[0].File.Data), `helm: "v4.`) || !strings.Contains(string(r.Files[0].File.Data), `old: "false"`) {
		t.Errorf(".Capabilities.HelmVersion is not Helm 4's: %+v %+v", r.Files, r.Problems)
	}
	// Helm 4's strvals reads "a[=1" as nothing, without an error; kubeready
	// keeps refusing it.
	for _, s := range []string{"a[=1", "=1"} {
		if err := (ChartOptions{Set: []string{s}}).Validate(); err == nil || !strings.Contains(err.Error(), "sets no value") {
			t.Errorf("--helm-set %s: %v", s, err)
		}
	}
}
