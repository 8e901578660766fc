package scan

import (
	"os"
	"path/filepath"
	"testing"
)

// TestContainment pins every "is this path inside that directory" decision
// of the package (all made by internal/paths): a name that merely starts
// with ".." is inside, a path through ".." out of the directory is not.
func TestContainment(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"..foo/x.yaml", true},
		{"a/..b.yaml", true},
		{"a/../b.yaml", true},
		{"../x.yaml", false},
		{"a/../../x.yaml", false},
		{"..", false},
	} {
		if _, err := safeRelPath(tt.name); (err == nil) != tt.ok {
			t.Errorf("safeRelPath(%q): err %v, want accepted %v", tt.name, err, tt.ok)
		}
	}

	base := t.TempDir()
	root := filepath.Join(base, "root")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	write(t, root, "..foo.yaml", "kind: ConfigMap\napiVersion: v1\n")
	write(t, root, "..dir/a.yaml", "kind: ConfigMap\napiVersion: v1\n")
	write(t, base, "rootx/b.yaml", "kind: ConfigMap\napiVersion: v1\n")
	if err := os.Symlink(filepath.Join(root, "..foo.yaml"), filepath.Join(root, "in.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	must(os.Symlink(filepath.Join(root, "..dir", "a.yaml"), filepath.Join(root, "in2.yaml")))
	must(os.Symlink(filepath.Join(base, "rootx", "b.yaml"), filepath.Join(root, "sibling.yaml")))

	for link, inside := range map[string]bool{"in.yaml": true, "in2.yaml": true, "sibling.yaml": false} {
		if got := symlinkProblem(root, filepath.Join(root, link)) == ""; got != inside {
			t.Errorf("symlinkProblem(%s) followed %v, want %v", link, got, inside)
		}
	}
	if got := linkOutside(root); got != filepath.Join(root, "sibling.yaml") {
		t.Errorf("linkOutside = %q, want the sibling link only", got)
	}

	k := &kustomizeFS{boundary: root}
	for p, inside := range map[string]bool{
		filepath.Join(root, "..foo.yaml"):            true,
		filepath.Join(root, "..dir", "a.yaml"):       true,
		filepath.Join(root, "in.yaml"):               true,
		filepath.Join(root, "sibling.yaml"):          false,
		filepath.Join(base, "rootx", "b.yaml"):       false,
		filepath.Join(root, "..", "rootx", "b.yaml"): false,
	} {
		if got := k.inside(p); got != inside {
			t.Errorf("kustomizeFS.inside(%s) = %v, want %v", p, got, inside)
		}
	}

	c := NewChange(root)
	c.Add(&FileChange{Path: "..foo.yaml", Whole: true})
	if c.Lookup(filepath.Join(root, "..foo.yaml")) == nil {
		t.Error("Lookup of ..foo.yaml inside the root found nothing")
	}
	if c.Lookup(filepath.Join(base, "..foo.yaml")) != nil {
		t.Error("Lookup of a file outside the root found a change")
	}
}
