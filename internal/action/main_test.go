package action

import (
	"os"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

// TestMain runs the tests from the module root, where testdata/ and the
// main package are.
func TestMain(m *testing.M) {
	testfs.ChdirModuleRoot()
	os.Exit(m.Run())
}
