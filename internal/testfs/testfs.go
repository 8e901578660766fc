// Package testfs writes the files kubeready's tests scan.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFiles writes each file (slash path relative to root → content),
// creating directories.
func WriteFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Repo writes files into a new temporary directory that looks like a git
// repository's root (it holds a .git folder) and returns it.
func Repo(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	WriteFiles(t, root, files)
	return root
}
