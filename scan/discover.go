package scan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/internal/paths"
)

// StdinPath is the name standard input goes by in findings.
const StdinPath = "<stdin>"

// InputKind says how an input is read: as a file of manifests, or rendered.
type InputKind int

// Input kinds.
const (
	// InputFile is a file of manifests (or standard input).
	InputFile InputKind = iota
	// InputChart is a Helm chart directory, rendered once.
	InputChart
	// InputKustomization is a directory holding a kustomization, built once.
	InputKustomization
)

// Input is one thing to scan: a path as the user gave it (or StdinPath),
// and how to read it.
type Input struct {
	Path string
	Kind InputKind
}

// Skip is an input passed over on purpose, with the reason.
type Skip struct {
	Path   string
	Reason string
}

// Discovery is what Discover found under the given paths.
type Discovery struct {
	Inputs  []Input
	Skipped []Skip
	// Errors are paths that could not be read at all, each naming the path.
	Errors []error
}

// skipDirs are never walked into.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// KustomizationNames are the file names kustomize reads a kustomization from.
var KustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsManifestName reports whether a file name looks like a manifest:
// .yaml, .yml or .json.
func IsManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Discover expands paths into the inputs to scan. A directory is walked
// recursively: a directory with a Chart.yaml becomes one chart input
// (rendered once, with the subcharts vendored under its charts/), a
// directory with a kustomization one kustomize input, and every manifest
// file one file input, except the files under a chart's templates/, which
// are not YAML until rendered. A file is taken as given whatever its name,
// except that a file inside a chart (as pre-commit passes them) stands for
// its chart. "-" is standard input. Library charts are listed in Skipped.
func Discover(paths []string) Discovery {
	var d Discovery
	bound := newBoundary()
	charts := chartDirs{}
	seen := map[string]bool{}
	add := func(p string, kind InputKind) {
		key := filepath.Clean(p)
		if kind != InputFile {
			key = inputKindKey(kind) + key
		}
		if seen[key] {
			return
		}
		seen[key] = true
		if kind == InputChart && IsLibraryChart(p) {
			d.Skipped = append(d.Skipped, Skip{Path: p, Reason: "Helm library chart: it renders no objects of its own"})
			return
		}
		d.Inputs = append(d.Inputs, Input{Path: p, Kind: kind})
	}
	for _, p := range paths {
		if p == "-" {
			add(StdinPath, InputFile)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			d.Errors = append(d.Errors, pathError(p, err))
			continue
		}
		if !info.IsDir() {
			if reason := explicitProblem(p, bound); reason != "" {
				d.Skipped = append(d.Skipped, Skip{Path: p, Reason: reason})
				continue
			}
			chart, inTemplates := chartOf(charts, p)
			if chart != "" {
				add(chart, InputChart)
				if inTemplates || isChartMeta(charts, p) {
					continue
				}
			}
			if isKustomizationName(filepath.Base(p)) {
				add(filepath.Dir(p), InputKustomization)
			}
			add(p, InputFile)
			continue
		}
		if chart, _ := chartOf(charts, filepath.Join(p, "x")); chart != "" && filepath.Clean(chart) != filepath.Clean(p) {
			// A directory inside a chart (its templates/, a vendored
			// subchart): the chart it belongs to is the input.
			add(chart, InputChart)
		}
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				d.Errors = append(d.Errors, pathError(path, err))
				if e != nil && e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if e.IsDir() {
				if path != p && skipDirs[e.Name()] {
					return fs.SkipDir
				}
				if charts.is(path) {
					if !isVendoredChart(charts, path) {
						add(path, InputChart)
					}
				} else if e.Name() == "templates" && charts.is(filepath.Dir(path)) {
					return fs.SkipDir
				}
				if hasKustomization(path) {
					add(path, InputKustomization)
				}
				return nil
			}
			if !IsManifestName(e.Name()) {
				return nil
			}
			if e.Type()&fs.ModeSymlink != 0 {
				if reason := symlinkProblem(p, path); reason != "" {
					d.Skipped = append(d.Skipped, Skip{Path: path, Reason: reason})
					return nil
				}
			} else if !e.Type().IsRegular() {
				return nil
			}
			if isChartMeta(charts, path) {
				return nil
			}
			if _, inTemplates := chartOf(charts, path); inTemplates {
				return nil
			}
			add(path, InputFile)
			return nil
		})
		if err != nil {
			d.Errors = append(d.Errors, pathError(p, err))
		}
	}
	return d
}

func inputKindKey(k InputKind) string {
	switch k {
	case InputChart:
		return "chart:"
	case InputKustomization:
		return "kustomize:"
	}
	return ""
}

// isChartDir reports whether dir holds a Chart.yaml.
func isChartDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && st.Mode().IsRegular()
}

// chartDirs remembers isChartDir's answers for one Discover: each file's
// chart is found by climbing its directories, and the files of a tree
// share them (kubeflow/manifests: 12,600 stats of absent Chart.yaml files,
// a third of its discovery). A nil chartDirs asks every time.
type chartDirs map[string]bool

func (c chartDirs) is(dir string) bool {
	if c == nil {
		return isChartDir(dir)
	}
	is, ok := c[dir]
	if !ok {
		is = isChartDir(dir)
		c[dir] = is
	}
	return is
}

// chartMetaNames are the files of a chart that describe it rather than
// hold manifests.
var chartMetaNames = map[string]bool{
	"Chart.yaml": true, "Chart.lock": true, "requirements.yaml": true, "requirements.lock": true,
	"values.yaml": true, "values.schema.json": true,
}

// isChartMeta reports whether a file is part of a chart's description
// (Chart.yaml, values.yaml, the test values under ci/): read by rendering,
// never scanned as manifests.
func isChartMeta(c chartDirs, path string) bool {
	dir := filepath.Dir(path)
	if chartMetaNames[filepath.Base(path)] && c.is(dir) {
		return true
	}
	return filepath.Base(dir) == "ci" && c.is(filepath.Dir(dir))
}

// isVendoredChart reports whether a chart directory is a subchart vendored
// under another chart's charts/ directory.
func isVendoredChart(c chartDirs, dir string) bool {
	parent := filepath.Dir(filepath.Clean(dir))
	return filepath.Base(parent) == "charts" && c.is(filepath.Dir(parent))
}

func isKustomizationName(name string) bool {
	for _, n := range KustomizationNames {
		if name == n {
			return true
		}
	}
	return false
}

// hasKustomization reports whether dir holds a kustomization file.
func hasKustomization(dir string) bool {
	for _, n := range KustomizationNames {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// ChartOf returns the chart that a file belongs to: the nearest directory
// above it with a Chart.yaml, or, for a file of a subchart vendored under
// charts/, the chart that vendors it. inTemplates is set when the file is
// under a templates/ directory of that chart or one of its subcharts (and so
// is not YAML until rendered). It returns "" when the file is in no chart.
func ChartOf(path string) (chart string, inTemplates bool) { return chartOf(nil, path) }

func chartOf(c chartDirs, path string) (chart string, inTemplates bool) {
	dir := filepath.Dir(path)
	for {
		if c.is(dir) {
			chart = dir
			// Climb out of charts/<sub> to the chart that vendors it.
			for isVendoredChart(c, chart) {
				chart = filepath.Dir(filepath.Dir(filepath.Clean(chart)))
			}
			return chart, underTemplates(c, path, chart)
		}
		parent := filepath.Dir(dir)
		if parent == dir || dir == "." {
			return "", false
		}
		dir = parent
	}
}

// underTemplates reports whether path lies under the templates/ directory
// of chart or of a chart vendored in it.
func underTemplates(c chartDirs, path, chart string) bool {
	rel, ok := paths.Rel(chart, path)
	if !ok {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	base := chart
	for i := 0; i < len(parts)-1; i++ {
		if parts[i] == "templates" && c.is(base) {
			return true
		}
		base = filepath.Join(base, parts[i])
	}
	return false
}

func pathError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return &fs.PathError{Op: "read", Path: p, Err: err}
}

// boundary is the tree a file named on its own must stay in when it is
// inside it: the repository of the working directory (else the working
// directory), literal and with links resolved.
type boundary struct{ literal, resolved string }

func newBoundary() boundary {
	wd, err := os.Getwd()
	if err != nil {
		return boundary{}
	}
	root := git.Root(wd)
	if root == "" {
		root = wd
	}
	res, err := filepath.EvalSymlinks(root)
	if err != nil {
		return boundary{}
	}
	return boundary{literal: root, resolved: res}
}

// explicitProblem says why a file named on its own (an argument, a file a
// diff or pre-commit names) is not read, "" when it is. The directory
// walk's rules apply: it must be a regular file (a FIFO or a device would
// block or never end), and a name inside the repository must not lead out
// of it through a symbolic link (leak.yaml -> ../../secret.yaml, ->
// /proc/self/environ, a linked directory). A file outside the repository
// that the user names is the user's choice and is read.
func explicitProblem(p string, b boundary) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "symbolic link that cannot be resolved"
	}
	st, err := os.Stat(target)
	if err != nil {
		return "symbolic link that cannot be resolved"
	}
	li, _ := os.Lstat(p)
	linked := target != filepath.Clean(p) || li != nil && li.Mode()&fs.ModeSymlink != 0
	if !st.Mode().IsRegular() {
		if linked {
			return "symbolic link to a directory or special file: not read"
		}
		return "not a regular file (a FIFO, socket or device): not read"
	}
	if b.literal == "" {
		return ""
	}
	abs, err1 := filepath.Abs(p)
	targetAbs, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return "symbolic link that cannot be resolved"
	}
	if paths.Within(abs, b.literal) && !paths.Within(targetAbs, b.resolved) {
		return "symbolic link out of the repository: not read"
	}
	return ""
}

// symlinkProblem says why a symlink found while walking root is not
// followed ("" when it is a file inside root): kubeready never reads
// outside the tree it was asked to scan, and never walks linked directories
// (so a link loop cannot trap it).
func symlinkProblem(root, link string) string {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return "symbolic link that cannot be resolved"
	}
	st, err := os.Stat(target)
	if err != nil {
		return "symbolic link that cannot be resolved"
	}
	if !st.Mode().IsRegular() {
		return "symbolic link to a directory or special file: not followed"
	}
	rootAbs, err1 := filepath.EvalSymlinks(root)
	if err1 == nil {
		rootAbs, err1 = filepath.Abs(rootAbs)
	}
	targetAbs, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return "symbolic link that cannot be resolved"
	}
	if !paths.Within(targetAbs, rootAbs) {
		return "symbolic link out of the scanned directory: not followed"
	}
	return ""
}
