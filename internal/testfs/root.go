package testfs

import (
	"os"
	"path/filepath"
)

// ChdirModuleRoot changes to the module root (the directory holding
// go.mod, above the working directory), where testdata/ and the main
// package are; a package's TestMain calls it so that its tests name
// fixtures as testdata/... wherever the package sits.
func ChdirModuleRoot() {
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("testfs: no go.mod above the working directory")
		}
		dir = parent
	}
	if err := os.Chdir(dir); err != nil {
		panic(err)
	}
}
