package scan

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestDiscoverPaths(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	mk := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(root, "a.yaml"), "x: 1")
	mk(filepath.Join(root, "with space é.yml"), "x: 1")
	mk(filepath.Join(root, "-leading-dash.yaml"), "x: 1")
	mk(filepath.Join(root, "new\nline.yaml"), "x: 1")
	mk(filepath.Join(root, "notes.txt"), "x: 1")
	mk(filepath.Join(root, "node_modules", "m.yaml"), "x: 1")
	mk(filepath.Join(root, ".git", "g.yaml"), "x: 1")
	mk(filepath.Join(root, "vendor", "v.yaml"), "x: 1")
	mk(filepath.Join(outside, "secret.yaml"), "x: 1")
	if err := os.MkdirAll(filepath.Join(root, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	mk(filepath.Join(root, "dir.yaml", "inner.json"), "{}")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(root, "a.yaml"), filepath.Join(root, "link-inside.yaml")))
	must(os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "link-outside.yaml")))
	must(os.Symlink(root, filepath.Join(root, "loop.yaml"))) // a directory link, named like a file
	must(os.Symlink(root, filepath.Join(root, "loopdir")))   // a loop
	must(os.Symlink("nowhere.yaml", filepath.Join(root, "dangling.yaml")))

	d := Discover([]string{root})
	var got []string
	for _, in := range d.Inputs {
		rel, _ := filepath.Rel(root, in.Path)
		got = append(got, rel)
	}
	sort.Strings(got)
	want := []string{"-leading-dash.yaml", "a.yaml", "dir.yaml/inner.json", "link-inside.yaml", "new\nline.yaml", "with space é.yml"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("inputs %q\nwant   %q", got, want)
	}
	reasons := map[string]string{}
	for _, s := range d.Skipped {
		rel, _ := filepath.Rel(root, s.Path)
		reasons[rel] = s.Reason
	}
	for name, has := range map[string]string{"link-outside.yaml": "out of the scanned directory", "loop.yaml": "not followed", "dangling.yaml": "cannot be resolved"} {
		if !strings.Contains(reasons[name], has) {
			t.Errorf("%s: reason %q, want it to mention %q", name, reasons[name], has)
		}
	}
	if len(d.Errors) != 0 {
		t.Errorf("errors: %v", d.Errors)
	}
}
