package engine

import (
	"os"
	"path/filepath"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
)

// The inputs stage: the files and charts a change touched.

// changeInputs turns a change into the paths to scan, limited to paths under
// the PATH arguments when any were given. Files that no longer exist in the
// working tree are skipped with the reason.
func changeInputs(change *scan.Change, limit []string) (paths []string, skipped []annotate.Skipped) {
	for _, fc := range change.Files() {
		p := change.PathFor(fc.Path)
		// Any change inside a Helm chart (a helper, NOTES.txt, a deleted
		// template) renders the chart again.
		chart, _ := scan.ChartOf(p)
		if (!scan.IsManifestName(p) && chart == "") || !under(p, limit) {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			if chart != "" {
				paths = append(paths, chart)
				continue
			}
			skipped = append(skipped, annotate.Skipped{File: p, Reason: "changed in the diff but not in the working tree"})
			continue
		}
		paths = append(paths, p)
	}
	for _, s := range change.Skipped {
		skipped = append(skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}
	return paths, skipped
}

// under reports whether p lies under one of the roots (all paths when there
// are none).
func under(p string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, r := range roots {
		ra, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if paths.Within(abs, ra) {
			return true
		}
	}
	return false
}

// changeKustomizations are the kustomizations that hold a changed file (the
// nearest directory with a kustomization above it, inside the change's
// root and under the PATH arguments): in a change-sized run only they are
// built, from those no other of them includes (kustomize.go). A file of a
// Helm chart belongs to its chart, not to a kustomization around it.
func changeKustomizations(change *scan.Change, limit []string) []string {
	root := change.Root
	if root == "" {
		root, _ = os.Getwd()
	}
	seen := map[string]bool{}
	var out []string
	for _, fc := range change.Files() {
		p := change.PathFor(fc.Path)
		if chart, _ := scan.ChartOf(p); chart != "" {
			continue
		}
		k := scan.KustomizationOf(p, root)
		if k == "" || seen[filepath.Clean(k)] || !under(k, limit) {
			continue
		}
		seen[filepath.Clean(k)] = true
		out = append(out, k)
	}
	return out
}
