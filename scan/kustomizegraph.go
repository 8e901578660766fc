package scan

import (
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// The kustomization graph: which kustomizations a kustomization names, read
// from its own file only (no build), so that the engine builds each tree
// once, from the kustomizations nothing else includes.

// maxKustomizationRead bounds the kustomization file read for its entries;
// a larger one is built, never read here.
const maxKustomizationRead = 1 << 20

// KustomizationIncludes lists the local directories holding a kustomization
// that the kustomization in dir names under resources, bases or components,
// as filepath.Join(dir, entry) in file order. Remote entries, files and
// entries that do not exist are left out; a kustomization that does not
// parse includes nothing (its build reports it).
func KustomizationIncludes(dir string) []string {
	var data []byte
	for _, n := range KustomizationNames {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if st.Size() > maxKustomizationRead {
			return nil
		}
		if data, err = os.ReadFile(p); err != nil {
			return nil
		}
		break
	}
	var doc yaml.Node
	if data == nil || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	var out []string
	for _, field := range []string{"resources", "bases", "components"} {
		for _, it := range Items(MapGet(doc.Content[0], field)) {
			if it.Kind != yaml.ScalarNode || it.Value == "" || remoteEntry.MatchString(it.Value) {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(it.Value))
			if hasKustomization(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// KustomizationOf returns the nearest directory holding a kustomization at
// or above the directory of path, climbing no higher than top (when not
// empty); "" when there is none. A relative path gives a relative result.
func KustomizationOf(path, top string) string {
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return ""
	}
	topAbs := ""
	if top != "" {
		if topAbs, err = filepath.Abs(top); err != nil {
			return ""
		}
	}
	for d := abs; ; {
		if hasKustomization(d) {
			if filepath.IsAbs(path) {
				return d
			}
			wd, err := os.Getwd()
			if err != nil {
				return ""
			}
			rel, err := filepath.Rel(wd, d)
			if err != nil {
				return ""
			}
			return rel
		}
		parent := filepath.Dir(d)
		if d == topAbs || parent == d {
			return ""
		}
		d = parent
	}
}
