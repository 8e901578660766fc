package scan

import (
	"os"
	"testing"
)

func TestSourceComment(t *testing.T) {
	tests := []struct {
		chunk string
		tmpl  string
		lines int
		ok    bool
	}{
		{"---\n# Source: web/templates/pdb.yaml\napiVersion: v1\n", "web/templates/pdb.yaml", 2, true},
		{"# Source: web/templates/a.yaml\r\nkind: A\n", "web/templates/a.yaml", 1, true},
		{"---\n# a comment first\n\n# Source: c/templates/x.yaml\nkind: A\n", "c/templates/x.yaml", 4, true},
		{"---\napiVersion: v1\n# Source: late/templates/x.yaml\n", "", 0, false},
		{"# Source: \nkind: A\n", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		tmpl, after, lines, ok := sourceComment([]byte(tt.chunk))
		if tmpl != tt.tmpl || lines != tt.lines || ok != tt.ok {
			t.Errorf("%q: got %q %d lines %v, want %q %d lines %v", tt.chunk, tmpl, lines, ok, tt.tmpl, tt.lines, tt.ok)
		}
		if ok && after > len(tt.chunk) {
			t.Errorf("%q: offset %d past the chunk", tt.chunk, after)
		}
	}
}

func TestHelmOutput(t *testing.T) {
	data, err := os.ReadFile("../testdata/helm/template-output.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../testdata/helm")
	f := NewFile(StdinPath, data)
	h := ReadHelmOutput(f)
	if h == nil {
		t.Fatal("helm template output not recognised")
	}
	if ReadHelmOutput(NewFile(StdinPath, []byte("apiVersion: v1\nkind: A\n"))) != nil {
		t.Error("plain manifests taken for helm template output")
	}
	docs, _ := Parse(f)
	want := []struct {
		file string
		line int
		note bool
	}{
		{"psp/templates/psp.yaml", 3, false},
		{"psp/templates/daemonset.yaml", 1, false},
		{"psp/templates/extra.yaml", 2, false}, // the {{ toYaml . }} line
		{"reports/templates/cronjob.yaml", 1, true},
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(docs), len(want))
	}
	for i, d := range docs {
		rf, ok := h.Rendered(d)
		if !ok {
			t.Fatalf("document %d has no source", i)
		}
		loc := rf.Locate(d, Query{Pos: d.Sig.APIVersionPos, ObjectLevel: true})
		if loc.File != want[i].file || loc.Pos.Line != want[i].line || (loc.Note != "") != want[i].note {
			t.Errorf("document %d placed at %s:%d %q, want %s:%d (note %v)", i, loc.File, loc.Pos.Line, loc.Note, want[i].file, want[i].line, want[i].note)
		}
		if rf.File.Origin.Template != want[i].file {
			t.Errorf("document %d origin %+v", i, rf.File.Origin)
		}
	}
	// An edit of literal template text maps to the template file; one of
	// text an action wrote does not.
	for i, tt := range []struct {
		doc  int
		file string
		ok   bool
	}{{1, "psp/templates/daemonset.yaml", true}, {0, "", false}} {
		d := docs[tt.doc]
		root, _ := d.Node()
		v := MapGet(root, "apiVersion")
		rf, _ := h.Rendered(d)
		start := f.Offset(PosOf(v))
		p, s, e, ok := rf.LocateEdit(start, start+len(v.Value))
		if ok != tt.ok || p != tt.file {
			t.Errorf("edit %d placed at %s [%d,%d) ok=%v", i, p, s, e, ok)
		}
		if ok {
			data, _ := os.ReadFile(p)
			if string(data[s:e]) != v.Value {
				t.Errorf("edit %d covers %q, want %q", i, data[s:e], v.Value)
			}
		}
	}
}

// FuzzHelmOutput checks that reading `helm template` output never panics
// and places every finding on a real line of some file.
func FuzzHelmOutput(f *testing.F) {
	if data, err := os.ReadFile("../testdata/helm/template-output.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("---\n# Source: a/templates/b.yaml\napiVersion: v1\nkind: A\n---\n# Source: \n"))
	f.Add([]byte("# Source: x\r\n---\r\n# Source: y\r\nkind: B\r\napiVersion: v1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := NewFile(StdinPath, data)
		h := ReadHelmOutput(file)
		if h == nil {
			return
		}
		docs, _ := Parse(file)
		for _, d := range docs {
			rf, ok := h.Rendered(d)
			if !ok {
				continue
			}
			for _, p := range []Pos{{Line: d.StartLine, Col: 1}, {Line: d.EndLine, Col: 1}, d.Sig.APIVersionPos} {
				if p.Line == 0 {
					continue
				}
				loc := rf.Locate(d, Query{Pos: p, ObjectLevel: true})
				if loc.File == "" || loc.Pos.Line < 1 || loc.Pos.Col < 1 {
					t.Fatalf("position %v placed at %+v", p, loc)
				}
			}
		}
	})
}
