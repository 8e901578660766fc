package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/golden"
)

// TestGolden runs the CLI on every case under testdata/cases. A case is a
// directory of input files, an optional `args` file (one flag per line,
// added before the case directory), an optional `paths` file (paths
// relative to the repository root, one per line, scanned instead of the
// case directory, for fixtures shared between cases such as testdata/helm),
// and `want.txt`, the expected text output with paths relative to the case
// directory. Run `go test -run
// TestGolden -update` to rewrite want.txt after a deliberate change.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/cases/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var args []string
			if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					if l = strings.TrimSpace(l); l != "" {
						args = append(args, l)
					}
				}
			}
			args = append(args, "--workers", "2")
			if b, err := os.ReadFile(filepath.Join(dir, "paths")); err == nil {
				args = append(args, strings.Fields(string(b))...)
			} else {
				args = append(args, dir+"/")
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			got := strings.ReplaceAll(stdout.String(), dir+"/", "")
			got = strings.ReplaceAll(got, filepath.ToSlash(dir)+"/", "")
			got += "exit " + strconv.Itoa(code) + "\n"
			if stderr.Len() > 0 {
				t.Logf("stderr: %s", stderr.String())
			}
			golden.Compare(t, filepath.Join(dir, "want.txt"), []byte(got))
		})
	}
}

// TestReadmeListsRules keeps the README's rule table in step with the registry.
func TestReadmeListsRules(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Rules\n")
	if !ok {
		t.Fatal("README.md has no ## Rules section")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	for _, r := range checks.Rules() {
		if !strings.Contains(section, "| `"+r.ID+"` |") {
			t.Errorf("README.md ## Rules does not list %s", r.ID)
		}
	}
}
