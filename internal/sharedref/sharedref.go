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
		Missing(t, filepath.Join(append([]string{shared}, elem...)...))
	}
	p := filepath.Join(append([]string{shared}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sharedref: %v", err)
	}
	return p
}

// Missing is what a test does when ../shared (or a part of it) is absent:
// outside CI it skips, saying what it could not load; under CI=true it
// fails, since CI must run every test and has ../shared beside the
// checkout.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is absent; under CI=true a test does not skip for a missing file", what)
	}
	t.Skipf("skipping: %s is absent (CI has it)", what)
}
