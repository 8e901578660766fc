package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
		out, _, _, err := ApplyFixes(data, fixes)
		if err != nil {
			t.Fatal(err)
		}
		if _, after := checkData("fuzz.yaml", out, target); len(after) > len(perrs) {
			t.Fatalf("fixes broke the YAML: %s\n--- input\n%q\n--- fixed\n%q", after[0].Msg, data, out)
		}
	})
}
