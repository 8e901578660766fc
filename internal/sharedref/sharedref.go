// Package sharedref finds the shared reference files (the ../shared
// directory beside the repository: GitHub's REST description, the SARIF
// schema) for tests.
package sharedref

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of a file under ../shared, found by walking up from
// the working directory to the module root. It skips the test when
// ../shared is absent altogether (a checkout without the shared
// references; CI has them) and fails it when ../shared exists but the file
// does not.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("sharedref: no go.mod above the working directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("skipping: %s is absent, so %s cannot be loaded (CI has it)", shared, filepath.Join(elem...))
	}
	p := filepath.Join(append([]string{shared}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sharedref: %v", err)
	}
	return p
}
