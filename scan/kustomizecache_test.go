package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
)

// builtAPIVersions lists the apiVersion of each object a build made.
func builtAPIVersions(b *KustomizeBuild) []string {
	var out []string
	for _, rf := range b.Files {
		docs, _ := Parse(rf.File)
		for _, d := range docs {
			out = append(out, d.Sig.Kind+" "+d.Sig.APIVersion)
		}
	}
	return out
}

// The builds of one run share a cache; every build still sees what is on
// disk: a resource file rewritten between two builds (as --fix does) is
// served as it now is, not as the first build read it.
func TestBuildCacheServesChangedFiles(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	testfs.WriteFiles(t, root, map[string]string{
		"base/kustomization.yaml": "resources:\n  - cronjob.yaml\n",
		"base/cronjob.yaml":       "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: report\n",
		"a/kustomization.yaml":    "resources:\n  - ../base\nnamePrefix: a-\n",
		"b/kustomization.yaml":    "resources:\n  - ../base\nnamePrefix: b-\n",
	})
	cache := NewBuildCache()
	if got := builtAPIVersions(BuildKustomizationWith("a", cache)); strings.Join(got, ",") != "CronJob batch/v1beta1" {
		t.Fatalf("first build: %v", got)
	}
	// Same size, so only the modification time (and inode) tells.
	p := filepath.Join(root, "base", "cronjob.yaml")
	if err := os.WriteFile(p+".new", []byte("apiVersion: batch/v1     \nkind: CronJob\nmetadata:\n  name: report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, future, future); err != nil {
		t.Fatal(err)
	}
	if got := builtAPIVersions(BuildKustomizationWith("b", cache)); strings.Join(got, ",") != "CronJob batch/v1" {
		t.Errorf("second build served the file as the first build read it: %v", got)
	}
	// A kustomization changed between builds is read again too.
	testfs.WriteFiles(t, root, map[string]string{
		"base/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n",
	})
	k := filepath.Join(root, "base", "kustomization.yaml")
	if err := os.WriteFile(k, []byte("resources:\n  - cronjob.yaml\n  - job.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(k, future, future); err != nil {
		t.Fatal(err)
	}
	if got := builtAPIVersions(BuildKustomizationWith("a", cache)); strings.Join(got, ",") != "CronJob batch/v1,Job batch/v1" {
		t.Errorf("third build served the kustomization as an earlier build read it: %v", got)
	}
}

// A cache shared by builds of different trees does not carry one build's
// containment answer to another: each build checks the real path against
// its own boundary. Here one kustomization is inside the outer
// repository, and reached through a link from a nested repository, whose
// build may not read it.
func TestBuildCacheKeepsBoundariesApart(t *testing.T) {
	top := t.TempDir()
	testfs.WriteFiles(t, top, map[string]string{
		"outer/.git/HEAD":              "ref: refs/heads/main\n",
		"outer/app/kustomization.yaml": "resources:\n  - cronjob.yaml\n",
		"outer/app/cronjob.yaml":       "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: report\n",
		"outer/inner/.git/HEAD":        "ref: refs/heads/main\n",
	})
	if err := os.Symlink(filepath.Join(top, "outer", "app"), filepath.Join(top, "outer", "inner", "app")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err) // CI's machines have symbolic links
		}
		t.Skip(err)
	}
	t.Chdir(top)
	cache := NewBuildCache()
	if got := builtAPIVersions(BuildKustomizationWith(filepath.Join("outer", "app"), cache)); len(got) != 1 {
		t.Fatalf("the kustomization inside the repository was not built: %v", got)
	}
	b := BuildKustomizationWith(filepath.Join("outer", "inner", "app"), cache)
	if len(b.Files) != 0 {
		t.Errorf("a link out of the inner repository was built through the shared cache: %v", builtAPIVersions(b))
	}
	found := false
	for _, p := range b.Problems {
		found = found || strings.Contains(p.Message, "outside")
	}
	if !found {
		t.Errorf("problems %+v do not say the files are outside the repository", b.Problems)
	}
}

// Builds through the cache give what builds without it give, on every
// kustomization of the bundled examples.
func TestBuildCacheChangesNothing(t *testing.T) {
	var dirs []string
	err := filepath.WalkDir("../testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isKustomizationName(d.Name()) {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 5 {
		t.Fatalf("only %d kustomizations under testdata", len(dirs))
	}
	cache := NewBuildCache()
	for _, pass := range []string{"first", "second"} { // the second pass is served from the cache
		for _, dir := range dirs {
			want, got := BuildKustomization(dir), BuildKustomizationWith(dir, cache)
			if w, g := summarizeBuild(want), summarizeBuild(got); w != g {
				t.Errorf("%s (%s pass) through the cache:\n%s\nwithout:\n%s", dir, pass, g, w)
			}
		}
	}
}

// summarizeBuild is a build's objects (their text and source, and where
// each of their lines is placed in the user's files: through the patches
// and generators of the kustomizations read) and problems.
func summarizeBuild(b *KustomizeBuild) string {
	var sb strings.Builder
	for _, rf := range b.Files {
		sb.WriteString(rf.File.Path + "\n" + string(rf.File.Data) + "\n")
		docs, _ := Parse(rf.File)
		for _, d := range docs {
			for l := d.StartLine; l <= d.EndLine; l++ {
				line := rf.File.Line(l)
				col := len(line) - len(bytes.TrimLeft(line, " -")) + 1
				loc := rf.Locate(d, Query{Pos: Pos{Line: l, Col: col}})
				fmt.Fprintf(&sb, "  %d -> %s:%d:%d %s\n", l, loc.File, loc.Pos.Line, loc.Pos.Col, loc.Note)
			}
		}
	}
	for _, p := range b.Problems {
		origin := ""
		if p.Origin != nil {
			origin = p.Origin.Kustomization
		}
		fmt.Fprintf(&sb, "%s:%d:%d (%s, from %s): %s\n", p.File, p.Pos.Line, p.Pos.Col, p.Kind, origin, p.Message)
	}
	if b.Failed {
		sb.WriteString("failed\n")
	}
	return sb.String()
}
