package scan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StdinPath is the name standard input goes by in findings.
const StdinPath = "<stdin>"

// Input is one file to scan: a path as the user gave it (or StdinPath).
type Input struct {
	Path string
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

// IsManifestName reports whether a file name looks like a manifest:
// .yaml, .yml or .json.
func IsManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Discover expands paths into the files to scan. A directory is walked
// recursively for manifests; a file is taken as given whatever its name; "-"
// is standard input. Files inside a Helm chart's templates/ are passed over
// (they are not YAML until rendered) and listed in Skipped.
func Discover(paths []string) Discovery {
	var d Discovery
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			d.Inputs = append(d.Inputs, Input{Path: p})
		}
	}
	for _, p := range paths {
		if p == "-" {
			add(StdinPath)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			d.Errors = append(d.Errors, pathError(p, err))
			continue
		}
		if !info.IsDir() {
			if chart := chartOf(p); chart != "" {
				d.Skipped = append(d.Skipped, Skip{Path: p, Reason: "Helm chart file (chart " + chart + ")"})
				continue
			}
			add(p)
			continue
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
			if chart := chartOf(path); chart != "" {
				d.Skipped = append(d.Skipped, Skip{Path: path, Reason: "Helm chart file (chart " + chart + ")"})
				return nil
			}
			add(path)
			return nil
		})
		if err != nil {
			d.Errors = append(d.Errors, pathError(p, err))
		}
	}
	return d
}

// chartOf returns the chart directory when path is a template of a Helm
// chart (under a templates/ directory beside a Chart.yaml), else "".
func chartOf(path string) string {
	dir := filepath.Dir(path)
	for {
		if filepath.Base(dir) == "templates" {
			chart := filepath.Dir(dir)
			if _, err := os.Stat(filepath.Join(chart, "Chart.yaml")); err == nil {
				return chart
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir || dir == "." {
			return ""
		}
		dir = parent
	}
}

func pathError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return &fs.PathError{Op: "read", Path: p, Err: err}
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
	rel, err := filepath.Rel(rootAbs, targetAbs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symbolic link out of the scanned directory: not followed"
	}
	return ""
}
