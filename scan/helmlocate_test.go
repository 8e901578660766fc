package scan

import (
	"os"
	"strings"
	"testing"
)

func TestLocateValues(t *testing.T) {
	const dir = "../testdata/helm/missing-dep"
	tests := []struct {
		name        string
		opts        ChartOptions
		objectLevel bool
		wantFile    string
		wantLine    int
	}{
		{"value from values.yaml", ChartOptions{}, false, dir + "/values.yaml", 5},
		{"object-level findings stay on the template", ChartOptions{}, true, dir + "/templates/cronjob.yaml", 6},
		{"value from --helm-values", ChartOptions{ValuesFiles: []string{"../testdata/helm/missing-dep/ci/nightly-values.yaml"}}, false, "../testdata/helm/missing-dep/ci/nightly-values.yaml", 2},
		{"value from --helm-set has no file", ChartOptions{Set: []string{"schedule=@hourly"}}, false, dir + "/templates/cronjob.yaml", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, files := rendered(t, dir, tt.opts, "1.25")
			rf := files["shop/templates/cronjob.yaml"]
			d, p := findKey(t, rf, "spec", "schedule")
			loc := rf.Locate(d, Query{Pos: p, ObjectLevel: tt.objectLevel})
			if loc.File != tt.wantFile || loc.Pos.Line != tt.wantLine {
				t.Errorf("placed at %s:%d (%s), want %s:%d", loc.File, loc.Pos.Line, loc.Note, tt.wantFile, tt.wantLine)
			}
		})
	}
}

func TestLocateValuesFragment(t *testing.T) {
	_, _, files := rendered(t, "../testdata/helm/psp", ChartOptions{}, "1.25")
	rf := files["psp/templates/extra.yaml"]
	for _, tt := range []struct {
		keys []string
		line int
	}{
		{[]string{"apiVersion"}, 13},
		{[]string{"spec", "maxUnavailable"}, 18},
	} {
		d, p := findKey(t, rf, tt.keys...)
		loc := rf.Locate(d, Query{Pos: p, ObjectLevel: true})
		if loc.File != "../testdata/helm/psp/values.yaml" || loc.Pos.Line != tt.line {
			t.Errorf("%v placed at %s:%d %s, want values.yaml:%d", tt.keys, loc.File, loc.Pos.Line, loc.Note, tt.line)
		}
	}
	// The same fragment with the key set by --helm-set stays on the template.
	_, _, files = rendered(t, "../testdata/helm/psp", ChartOptions{Set: []string{"extraPodDisruptionBudget.apiVersion=policy/v1beta1"}}, "1.25")
	rf = files["psp/templates/extra.yaml"]
	d, p := findKey(t, rf, "apiVersion")
	if loc := rf.Locate(d, Query{Pos: p, ObjectLevel: true}); loc.File != "../testdata/helm/psp/templates/extra.yaml" || loc.Pos.Line != 2 {
		t.Errorf("--helm-set value placed at %s:%d, want extra.yaml:2 (the toYaml line)", loc.File, loc.Pos.Line)
	}
}

func TestLocateScalars(t *testing.T) {
	_, _, files := rendered(t, "../testdata/helm/psp", ChartOptions{}, "1.25")
	rf := files["psp/templates/daemonset.yaml"]
	d, _ := findKey(t, rf, "apiVersion")
	root, _ := d.Node()
	_, c := lookupPath(root, []string{"spec", "template", "spec", "containers", "0"})
	args := MapGet(c, "args")
	image := MapGet(c, "image")
	imageStart := rf.File.Offset(PosOf(image))
	const dir = "../testdata/helm/psp/"
	tests := []struct {
		name      string
		q         Query
		file      string
		line, col int
	}{
		{"a flag whose value one values action wrote", Query{Pos: PosOf(args.Content[0])}, dir + "values.yaml", 9, 1},
		{"a flag written whole in the template", Query{Pos: PosOf(args.Content[1])}, dir + "templates/daemonset.yaml", 19, 15},
		{"a value two actions wrote stays on the template", Query{Pos: PosOf(image)}, dir + "templates/daemonset.yaml", 16, 18},
		{"a fix's edit inside one action goes to its value", Query{Pos: PosOf(image), Start: imageStart, End: imageStart + len("registry.k8s.io")}, dir + "values.yaml", 6, 3},
		{"the same, object-level, stays on the template", Query{Pos: PosOf(image), ObjectLevel: true, Start: imageStart, End: imageStart + 3}, dir + "templates/daemonset.yaml", 16, 18},
	}
	for _, tt := range tests {
		loc := rf.Locate(d, tt.q)
		if loc.File != tt.file || loc.Pos.Line != tt.line || loc.Pos.Col != tt.col {
			t.Errorf("%s: placed at %s:%d:%d %s, want %s:%d:%d", tt.name, loc.File, loc.Pos.Line, loc.Pos.Col, loc.Note, tt.file, tt.line, tt.col)
		}
	}
}

func TestLocateSubcharts(t *testing.T) {
	_, _, files := rendered(t, "../testdata/helm/vendored", ChartOptions{}, "1.25")
	ing := files["platform/charts/frontend/templates/ingress.yaml"]
	d, p := findKey(t, ing, "apiVersion")
	if loc := ing.Locate(d, Query{Pos: p, ObjectLevel: true}); loc.File != "../testdata/helm/vendored/charts/frontend/templates/ingress.yaml" || loc.Pos.Line != 2 {
		t.Errorf("subchart apiVersion placed at %s:%d", loc.File, loc.Pos.Line)
	}
	// A subchart value set by the parent's values.yaml goes there.
	d, p = findKey(t, ing, "spec", "rules", "0", "host")
	_ = p
	root, _ := d.Node()
	_, host := lookupPath(root, []string{"spec", "rules", "0"})
	hk, _ := MapEntry(host, "host")
	if loc := ing.Locate(d, Query{Pos: PosOf(hk), ObjectLevel: false}); loc.File != "../testdata/helm/vendored/values.yaml" || loc.Pos.Line != 4 {
		t.Errorf("subchart value placed at %s:%d %s, want the parent's values.yaml:4", loc.File, loc.Pos.Line, loc.Note)
	}
	cron := files["platform/charts/legacy/templates/cronjob.yaml"]
	d, p = findKey(t, cron, "apiVersion")
	loc := cron.Locate(d, Query{Pos: p, ObjectLevel: true})
	if loc.File != "../testdata/helm/vendored/charts/legacy-0.1.0.tgz" || loc.Pos.Line != 1 || !strings.Contains(loc.Note, "cronjob.yaml line 1") {
		t.Errorf("packaged subchart placed at %s:%d %q", loc.File, loc.Pos.Line, loc.Note)
	}
	if _, _, _, ok := cron.LocateEdit(0, 3); ok {
		t.Error("an edit inside a packaged subchart was mapped")
	}
}

func TestLocateEdit(t *testing.T) {
	_, _, files := rendered(t, "../testdata/helm/pdb-capabilities", ChartOptions{}, "1.20")
	pdb := files["web/templates/pdb.yaml"]
	d, _ := findKey(t, pdb, "apiVersion")
	root, _ := d.Node()
	v := MapGet(root, "apiVersion")
	start := pdb.File.Offset(PosOf(v))
	path, s, e, ok := pdb.LocateEdit(start, start+len(v.Value))
	if !ok {
		t.Fatal("edit of literal template text not mapped")
	}
	data, _ := os.ReadFile(path)
	if got := string(data[s:e]); got != "policy/v1beta1" {
		t.Errorf("edit maps to %q in %s", got, path)
	}
	// An edit of text an action wrote does not map.
	_, p := findKey(t, pdb, "metadata", "name")
	nameV := MapGet(MapGet(root, "metadata"), "name")
	_ = p
	o := pdb.File.Offset(PosOf(nameV))
	if _, _, _, ok := pdb.LocateEdit(o, o+3); ok {
		t.Error("edit of an action's output mapped")
	}
}
