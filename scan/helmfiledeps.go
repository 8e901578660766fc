package scan

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/internal/paths"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// file:// dependencies. A chart may name a dependency by a path in the
// repository (`repository: file://../common`); `helm dependency build`
// copies that chart under charts/ and it renders as a subchart, with the
// parent's values. kubeready does the same without copying: a file://
// dependency that is not vendored is loaded from its directory (through the
// same budgeted loader) and added to the chart as its subchart. The path
// must stay inside the repository (the working directory's repository, or
// the working directory), so a pull request cannot make a chart read
// /etc through `file:///etc`.

// maxFileDepDepth bounds chains of file:// dependencies (and cycles).
const maxFileDepDepth = 8

// addFileDependencies adds to ch, loaded from dir, each file:// dependency
// that charts/ does not vendor, recursively; c.depDirs records where each
// added subchart is on disk.
func (c *Chart) addFileDependencies(ch *chart.Chart, dir string) {
	c.depDirs = map[*chart.Chart]string{}
	c.addFileDeps(ch, dir, newBoundary(), map[string]bool{}, 0)
}

func (c *Chart) addFileDeps(ch *chart.Chart, dir string, b boundary, onPath map[string]bool, depth int) {
	if depth >= maxFileDepDepth || ch.Metadata == nil {
		return
	}
	have := map[string]bool{}
	for _, sub := range ch.Dependencies() {
		have[sub.Name()] = true
	}
	self, _ := filepath.Abs(dir)
	onPath[self] = true
	defer delete(onPath, self)
	for _, req := range ch.Metadata.Dependencies {
		if req == nil || have[req.Name] || !strings.HasPrefix(req.Repository, "file://") {
			continue
		}
		depDir := fileDependencyDir(dir, strings.TrimPrefix(req.Repository, "file://"), b)
		if depDir == "" || onPath[depDir] {
			continue
		}
		sub, err := loadChartDir(depDir)
		if err != nil || sub.Name() != req.Name {
			continue // reported as not vendored: the chart there is not this dependency
		}
		c.addFileDeps(sub, depDir, b, onPath, depth+1)
		ch.AddDependency(sub)
		have[req.Name] = true
		c.depDirs[sub] = depDir
	}
}

// fileDependencyDir resolves a file:// dependency path of the chart in dir:
// "" unless it is a chart directory inside the boundary.
func fileDependencyDir(dir, p string, b boundary) string {
	if p == "" || b.resolved == "" {
		return ""
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, filepath.FromSlash(p))
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return ""
	}
	abs, err := filepath.Abs(resolved)
	if err != nil || !paths.Within(abs, b.resolved) {
		return ""
	}
	if st, err := os.Stat(filepath.Join(abs, "Chart.yaml")); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	// Keep the path as the user would write it (relative to the working
	// directory when it is under it), for findings.
	if !filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return abs
}
