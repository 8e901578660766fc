package scan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParsePatch(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		patch     string
		wantLines []LineRange
		wantHunks []LineRange
		wantErr   string
	}{
		{
			name: "two hunks, no trailing newline as GitHub sends it",
			path: "deploy/app.yaml",
			patch: "@@ -1,4 +1,4 @@\n-apiVersion: apps/v1beta2\n+apiVersion: apps/v1\n kind: Deployment\n metadata:\n   name: web\n" +
				"@@ -20,3 +20,5 @@ spec:\n   replicas: 2\n+  selector:\n+    matchLabels: {app: web}\n   template:\n   x: y",
			wantLines: []LineRange{{1, 1}, {21, 22}},
			wantHunks: []LineRange{{1, 4}, {20, 24}},
		},
		{
			name:      "new file",
			path:      "new.yaml",
			patch:     "@@ -0,0 +1,3 @@\n+a: 1\n+b: 2\n+c: 3",
			wantLines: []LineRange{{1, 3}},
			wantHunks: []LineRange{{1, 3}},
		},
		{
			name:      "deletion only keeps the hunk but adds no line",
			path:      "x.yaml",
			patch:     "@@ -3,3 +3,2 @@\n a: 1\n-b: 2\n c: 3\n",
			wantHunks: []LineRange{{3, 4}},
		},
		{
			name:      "no newline marker",
			path:      "x.yaml",
			patch:     "@@ -1 +1 @@\n-a: 1\n\\ No newline at end of file\n+a: 2\n\\ No newline at end of file",
			wantLines: []LineRange{{1, 1}},
			wantHunks: []LineRange{{1, 1}},
		},
		{name: "empty patch (rename)", path: "a b/c.yaml", patch: ""},
		{name: "path with spaces", path: "my dir/app.yaml", patch: "@@ -1 +1 @@\n-a\n+b", wantLines: []LineRange{{1, 1}}, wantHunks: []LineRange{{1, 1}}},
		{name: "absolute path refused", path: "/etc/passwd", patch: "@@ -1 +1 @@\n-a\n+b", wantErr: "absolute"},
		{name: "climbing path refused", path: "../x.yaml", patch: "@@ -1 +1 @@\n-a\n+b", wantErr: "outside"},
		{name: "broken hunk", path: "x.yaml", patch: "@@ -1,5 +1,5 @@\n-a\n+b", wantErr: "reading patch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, err := ParsePatch(tt.path, tt.patch)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fc.Path != tt.path {
				t.Errorf("Path = %q, want %q", fc.Path, tt.path)
			}
			if !reflect.DeepEqual(fc.Lines, tt.wantLines) {
				t.Errorf("Lines = %v, want %v", fc.Lines, tt.wantLines)
			}
			if !reflect.DeepEqual(fc.Hunks, tt.wantHunks) {
				t.Errorf("Hunks = %v, want %v", fc.Hunks, tt.wantHunks)
			}
		})
	}
}

func FuzzParsePatch(f *testing.F) {
	f.Add("a.yaml", "@@ -1,4 +1,4 @@\n-apiVersion: apps/v1beta2\n+apiVersion: apps/v1\n kind: Deployment\n")
	f.Add("b.yaml", "@@ -0,0 +1,2 @@\n+a: 1\n+b: 2")
	f.Add("c.yaml", "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n")
	f.Add("../d.yaml", "")
	f.Fuzz(func(t *testing.T, path, patch string) {
		fc, err := ParsePatch(path, patch)
		if err != nil {
			return
		}
		for _, r := range append(append([]LineRange{}, fc.Lines...), fc.Hunks...) {
			if r.Start < 0 || r.End < r.Start-1 {
				t.Fatalf("bad range %v", r)
			}
		}
		for _, l := range fc.Lines {
			if !fc.HasLine(l.Start) {
				t.Fatalf("HasLine(%d) false for an added line", l.Start)
			}
		}
	})
}

// BenchmarkParsePatch reads a 2,000-line patch of 100 hunks, the size of a
// large file in a pull request's file list.
func BenchmarkParsePatch(b *testing.B) {
	var p strings.Builder
	for h := 0; h < 100; h++ {
		start := 1 + h*30
		fmt.Fprintf(&p, "@@ -%d,18 +%d,20 @@\n", start, start)
		for i := 0; i < 8; i++ {
			p.WriteString(" context line\n")
		}
		p.WriteString("-old: 1\n-old: 2\n+new: 1\n+new: 2\n+new: 3\n+new: 4\n")
		for i := 0; i < 8; i++ {
			p.WriteString(" context line\n")
		}
	}
	patch := p.String()
	b.SetBytes(int64(len(patch)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePatch("big.yaml", patch); err != nil {
			b.Fatal(err)
		}
	}
}
