package scan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzValuesReading feeds hostile values files to everything that reads
// them: Helm's loader (a chart's values.yaml), --helm-values (ChartOptions
// values: parse and merge), and the values lookup that places findings
// (valuesLocation). None may panic, hang or blow up: an alias bomb costs
// its text.
func FuzzValuesReading(f *testing.F) {
	f.Add([]byte("image:\n  repository: nginx\n  tag: \"1.2\"\nlist:\n- a\n- b: c\n"), "image.tag")
	f.Add([]byte("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"), "d.0.0.0")
	f.Add([]byte("<<: {a: 1}\nglobal: {x: y}\n"), "global.x")
	f.Add([]byte("{\"json\": [1, 2, {\"k\": null}]}"), "json.2.k")
	f.Fuzz(func(t *testing.T, values []byte, path string) {
		if len(values) > 16<<10 || len(path) > 256 {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: f\nversion: 0.1.0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "values.yaml"), values, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		c, err := LoadChart(dir, ChartOptions{ValuesFiles: []string{filepath.Join(dir, "values.yaml")}})
		if err != nil {
			return // not values Helm accepts: one finding, no panic
		}
		keys := strings.Split(path, ".")
		if hit, ok := c.valuesLocation(c.loaded, keys); ok {
			if hit.loc.Pos.Line < 1 || hit.loc.Pos.Line > strings.Count(string(values), "\n")+1 {
				t.Fatalf("values path %q placed on line %d", path, hit.loc.Pos.Line)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("reading %d bytes of values took %v", len(values), d)
		}
	})
}
