package checks

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// FuzzRules runs every rule (seeded with the repository's test manifests and
// the rule fixtures), on both platforms and at targets from 1.16 to
// past the newest release, over arbitrary documents: no rule may panic
// (runRule would turn a panic into an internal-error finding, which fails
// here), and every finding must point inside the file and, when it offers a
// fix, carry edits within the file's bytes.
func FuzzRules(f *testing.F) {
	seed := func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && scan.IsManifestName(p) && !strings.Contains(p, "hostile") {
			if b, err := os.ReadFile(p); err == nil && len(b) < 32<<10 {
				f.Add(b, uint8(25))
			}
		}
		return nil
	}
	_ = filepath.WalkDir("../testdata", seed)
	_ = filepath.WalkDir(fixtureDir, seed)
	f.Fuzz(func(t *testing.T, data []byte, minor uint8) {
		if len(data) > 64<<10 {
			return
		}
		target := Version{Major: 1, Minor: 16 + int(minor)%24}
		file := scan.NewFile("fuzz.yaml", data)
		docs, _ := scan.Parse(file)
		for _, platform := range []string{PlatformEKS, PlatformGeneric} {
			env := Env{Target: target, Platform: platform}
			var rules []*Rule
			for _, r := range Rules() {
				if r.Enabled(env) {
					rules = append(rules, r)
				}
			}
			var all []Finding
			var objects []*scan.Document
			for _, d := range docs {
				if !d.Sig.IsObject() {
					continue
				}
				if _, err := d.Node(); err != nil {
					continue
				}
				objects = append(objects, d)
				all = append(all, Check(d, env, rules)...)
			}
			all = append(all, CheckSet(objects, env, rules)...)
			for _, fd := range all {
				if fd.Rule == InternalError.ID {
					t.Fatalf("target %s %s: %s", target, platform, fd.Message)
				}
				if fd.Line < 1 || fd.Line > file.Lines() || fd.Column < 1 {
					t.Fatalf("%s: position %d:%d outside the file (%d lines)", fd.Rule, fd.Line, fd.Column, file.Lines())
				}
				for _, fix := range fd.Fixes {
					for _, e := range fix.Edits {
						if e.Start < 0 || e.End < e.Start || e.End > len(data) {
							t.Fatalf("%s: edit [%d,%d) outside %d bytes", fd.Rule, e.Start, e.End, len(data))
						}
					}
				}
			}
		}
	})
}
