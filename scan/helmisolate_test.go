package scan

import (
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
)

// TestRenderWithinBudgets: a template bomb ends its child at the memory
// budget, an endless template is killed at the deadline, and a plain chart
// renders in the child as in this process.
func TestRenderWithinBudgets(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{
		"ok/Chart.yaml":            "apiVersion: v2\nname: ok\nversion: 0.1.0\n",
		"ok/templates/cm.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
		"ok/templates/fail.yaml":   "{{ fail \"no\" }}\n",
		"bomb/Chart.yaml":          "apiVersion: v2\nname: bomb\nversion: 0.1.0\n",
		"bomb/templates/bomb.yaml": "{{- $s := \"0123456789abcdef\" }}{{- range until 30 }}{{- $s = print $s $s }}{{- end }}{{ $s }}\n",
		"spin/Chart.yaml":          "apiVersion: v2\nname: spin\nversion: 0.1.0\n",
		"spin/templates/spin.yaml": "{{- range until 100000 }}{{- range until 100000 }}{{- range until 100000 }}{{- end }}{{- end }}{{- end }}\n",
	})
	old, oldIsolate := RenderMemory, Isolate
	RenderMemory, Isolate = 256<<20, true
	defer func() { RenderMemory, Isolate = old, oldIsolate }()
	caps := Capabilities{KubeVersion: "1.25"}

	load := func(name string) *Chart {
		c, err := LoadChart(dir+"/"+name, ChartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	r, ok := load("ok").RenderWithin(caps, 20*time.Second)
	if !ok || len(r.Files) != 1 || !strings.Contains(string(r.Files[0].File.Data), "name: ok") || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "fail.yaml") {
		t.Fatalf("ok chart: ok=%v files=%d problems=%+v", ok, len(r.Files), r.Problems)
	}
	start := time.Now()
	r, ok = load("bomb").RenderWithin(caps, 20*time.Second)
	if ok || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "memory budget of 256.0 MiB") {
		t.Errorf("bomb: ok=%v problems=%+v", ok, r.Problems)
	}
	t.Logf("bomb stopped in %v", time.Since(start))
	start = time.Now()
	r, ok = load("spin").RenderWithin(caps, time.Second)
	if ok || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "timed out after 1s") {
		t.Errorf("spin: ok=%v problems=%+v", ok, r.Problems)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the endless render took %v to stop", d)
	}
}

// BenchmarkRenderIsolation measures what the child process costs a render
// of a small real-shaped chart (testdata/helm/vendored: a chart with a
// vendored subchart), against executing the templates in this process.
func BenchmarkRenderIsolation(b *testing.B) {
	const dir = "../testdata/helm/vendored"
	caps := Capabilities{KubeVersion: "1.25"}
	for _, isolated := range []bool{false, true} {
		name := "in-process"
		if isolated {
			name = "child-process"
		}
		b.Run(name, func(b *testing.B) {
			old := Isolate
			Isolate = isolated
			defer func() { Isolate = old }()
			for b.Loop() {
				c, err := LoadChart(dir, ChartOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if r, ok := c.RenderWithin(caps, time.Minute); !ok || len(r.Files) == 0 {
					b.Fatalf("ok=%v %+v", ok, r.Problems)
				}
			}
		})
	}
}
