package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

func TestApplyEdits(t *testing.T) {
	data := []byte("abcdef")
	for _, tc := range []struct {
		name  string
		edits []Edit
		want  string
		err   bool
	}{
		{name: "none", want: "abcdef"},
		{name: "replace", edits: []Edit{{Start: 1, End: 3, New: "XY"}}, want: "aXYdef"},
		{name: "delete", edits: []Edit{{Start: 0, End: 6}}, want: ""},
		{name: "sorted", edits: []Edit{{Start: 4, End: 5, New: "E"}, {Start: 0, End: 1, New: "A"}}, want: "AbcdEf"},
		{name: "insertions keep order", edits: []Edit{{Start: 2, End: 2, New: "1"}, {Start: 2, End: 2, New: "2"}}, want: "ab12cdef"},
		{name: "insertion before replacement", edits: []Edit{{Start: 2, End: 4, New: "R"}, {Start: 2, End: 2, New: "I"}}, want: "abIRef"},
		{name: "adjacent", edits: []Edit{{Start: 0, End: 2, New: "x"}, {Start: 2, End: 4, New: "y"}}, want: "xyef"},
		{name: "at end", edits: []Edit{{Start: 6, End: 6, New: "!"}}, want: "abcdef!"},
		{name: "overlap", edits: []Edit{{Start: 0, End: 3}, {Start: 2, End: 4}}, err: true},
		{name: "inside", edits: []Edit{{Start: 0, End: 5}, {Start: 2, End: 2, New: "x"}}, err: true},
		{name: "past end", edits: []Edit{{Start: 5, End: 7}}, err: true},
		{name: "negative", edits: []Edit{{Start: -1, End: 1}}, err: true},
		{name: "reversed", edits: []Edit{{Start: 3, End: 2}}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyEdits(data, tc.edits)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if err == nil && string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if string(data) != "abcdef" {
				t.Errorf("input modified: %q", data)
			}
		})
	}
}

func TestPickFixes(t *testing.T) {
	fix := func(es ...Edit) Fix { return Fix{Edits: es} }
	a := fix(Edit{Path: "f", Start: 0, End: 5, New: "a"})
	b := fix(Edit{Path: "f", Start: 3, End: 8, New: "b"})          // overlaps a
	c := fix(Edit{Path: "f", Start: 10, End: 12, New: "c"})        // free
	d := fix(Edit{Path: "f", Start: 10, End: 10, New: "d"})        // inserts where c starts: ambiguous
	e := fix(Edit{Path: "f", Start: 12, End: 12, New: "e"})        // inserts where c ends: fine
	g := fix(Edit{Path: "g", Start: 0, End: 5, New: "other file"}) // other file
	dup := fix(Edit{Path: "f", Start: 0, End: 5, New: "a"})        // same as a
	picked, left, edits := PickFixes([]Fix{a, b, c, d, e, g, dup})
	if want := []int{0, 2, 4, 5, 6}; !equalInts(picked, want) {
		t.Errorf("picked %v, want %v", picked, want)
	}
	if want := []int{1, 3}; !equalInts(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if len(edits) != 4 {
		t.Errorf("edits %v: the duplicate must not be applied twice", edits)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTrimEdit(t *testing.T) {
	data := []byte("a: 1\nb: 2\nc: 3\n")
	for _, tc := range []struct {
		name string
		in   Edit
		want Edit
	}{
		{"common lines dropped", Edit{Start: 0, End: 15, New: "a: 1\nb: 20\nc: 3\n"}, Edit{Start: 5, End: 10, New: "b: 20\n"}},
		{"pure insertion", Edit{Start: 5, End: 10, New: "x: 0\nb: 2\n"}, Edit{Start: 5, End: 5, New: "x: 0\n"}},
		{"nothing shared", Edit{Start: 0, End: 5, New: "z: 9\n"}, Edit{Start: 0, End: 5, New: "z: 9\n"}},
		{"mid-line start", Edit{Start: 3, End: 10, New: "1\nq: 1\nb: 2\n"}, Edit{Start: 5, End: 5, New: "q: 1\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := trimEdit(data, tc.in)
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			a, _ := ApplyEdits(data, []Edit{tc.in})
			b, _ := ApplyEdits(data, []Edit{got})
			if string(a) != string(b) {
				t.Errorf("trimming changed the result: %q vs %q", a, b)
			}
		})
	}
}

// TestConvertersExist keeps the convert column of data/apis.yaml and the
// converters in step, and checks that every row with a converter has a
// replacement to convert to.
func TestConvertersExist(t *testing.T) {
	for _, r := range APIs.Removals {
		if r.Convert == "" {
			continue
		}
		if converters[r.Convert] == nil {
			t.Errorf("%s %v: no converter %q", r.APIVersion, r.Kinds, r.Convert)
		}
		if len(r.Replacements) == 0 {
			t.Errorf("%s %v: converter %q but no replacement", r.APIVersion, r.Kinds, r.Convert)
		}
	}
}

// TestNoFixWhenReplacementNotServed: at 1.18 the Ingress replacement
// (networking.k8s.io/v1, from 1.19) is not served, so no fix is offered.
func TestNoFixWhenReplacementNotServed(t *testing.T) {
	data := []byte("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: x\nspec:\n  backend:\n    serviceName: a\n    servicePort: 80\n")
	for _, tc := range []struct {
		target string
		fixes  bool
	}{{"1.18", false}, {"1.19", true}, {"1.22", true}} {
		fs, _ := checkData("x.yaml", data, MustVersion(tc.target))
		if len(fs) != 1 {
			t.Fatalf("%s: %d findings", tc.target, len(fs))
		}
		if got := len(fs[0].Fixes) > 0; got != tc.fixes {
			t.Errorf("target %s: fixes offered = %v, want %v", tc.target, got, tc.fixes)
		}
	}
}

// TestEntriesLayout checks the text extent of mapping entries on the
// layouts the editor must place exactly.
func TestEntriesLayout(t *testing.T) {
	src := "a:\n  x: 1 # one\n\n  # about y\n  y:\n  - 1\n  - 2\n  # trailing\nb: |\n  text\n  # not a comment\nlist:\n- k: 1\n  v: 2\n"
	f := scan.NewFile("t.yaml", []byte(src))
	docs, _ := scan.Parse(f)
	root, err := docs[0].Node()
	if err != nil {
		t.Fatal(err)
	}
	c := newConv(docs[0], root)
	text := func(e entry) string { return src[e.start:e.end] }
	es := c.entries(scan.MapGet(root, "a"))
	if c.err != nil {
		t.Fatal(c.err)
	}
	if got := text(es[0]); got != "  x: 1 # one\n" {
		t.Errorf("x: %q", got)
	}
	if got := text(es[1]); got != "\n  # about y\n  y:\n  - 1\n  - 2\n" {
		t.Errorf("y: %q", got)
	}
	top := c.entries(root)
	// a comment indented under a's value belongs to a; "# not a comment"
	// is a line of the block scalar
	if got := text(top[0]); !strings.HasSuffix(got, "  - 2\n  # trailing\n") {
		t.Errorf("a: %q", got)
	}
	if got := text(top[1]); got != "b: |\n  text\n  # not a comment\n" {
		t.Errorf("b: %q", got)
	}
	item := scan.MapGet(root, "list").Content[0]
	ies := c.entries(item)
	if !ies[0].compact || src[ies[0].start:ies[0].end] != "k: 1\n" || text(ies[1]) != "  v: 2\n" {
		t.Errorf("compact item: %+v", ies)
	}
	c.entries(&yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle})
	if c.err == nil {
		t.Error("flow mapping accepted")
	}
}

// FuzzFixes applies the fixes kubeready offers for mutated manifests: the
// edits must apply, and the fixed file must parse wherever the input did.
func FuzzFixes(f *testing.F) {
	paths, _ := filepath.Glob("testdata/fixes/*")
	for _, p := range paths {
		if strings.Contains(p, ".fixed.") || strings.Contains(p, ".alt.") || !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data, uint8(9))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, minor uint8) {
		target := Version{Major: 1, Minor: 16 + int(minor%21)}
		findings, perrs := checkData("fuzz.yaml", data, target)
		var fixes []Fix
		for _, fd := range findings {
			for _, fx := range fd.Fixes {
				if _, err := ApplyEdits(data, fx.Edits); err != nil {
					t.Fatalf("fix %q does not apply: %v", fx.Description, err)
				}
			}
			if len(fd.Fixes) > 0 {
				fixes = append(fixes, fd.Fixes[0])
			}
		}
		_, _, edits := PickFixes(fixes)
		out, err := ApplyEdits(data, edits)
		if err != nil {
			t.Fatal(err)
		}
		if _, after := checkData("fuzz.yaml", out, target); len(after) > len(perrs) {
			t.Fatalf("fixes broke the YAML: %s\n--- input\n%q\n--- fixed\n%q", after[0].Msg, data, out)
		}
	})
}
