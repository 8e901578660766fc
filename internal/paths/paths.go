// Package paths holds the one answer to "is this path inside that
// directory", used wherever kubeready decides what it may read or write.
package paths

import "path/filepath"

// Rel returns path relative to dir, and whether path lies inside dir (dir
// itself included). Both are cleaned first; they must both be absolute or
// both relative to the same directory. It does not resolve symlinks: callers
// that must not follow links out of dir resolve them first
// (filepath.EvalSymlinks) and ask again.
func Rel(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return "", false
	}
	if rel == "." {
		return rel, true
	}
	return rel, filepath.IsLocal(rel)
}

// Within reports whether path lies inside dir (dir itself included).
func Within(path, dir string) bool {
	_, ok := Rel(dir, path)
	return ok
}
