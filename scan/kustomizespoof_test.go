package scan

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// A patch is hostile input too: one that sets kubeready's source marker
// (the top-level field, or the annotation of that name generators get)
// must not make the tracer read, or name, a file the build did not serve:
// here a file outside the repository, and /dev/zero, which never ends.
func TestKustomizeSourceMarkerSpoofed(t *testing.T) {
	top := t.TempDir()
	testfs.WriteFiles(t, top, map[string]string{
		"outside.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: x\n",
	})
	// what each patch.yaml says after its apiVersion and kind
	for name, patch := range map[string]string{
		"field, outside file":      "metadata:\n  name: report\n" + sourceKey + ": r:../outside.yaml\n",
		"field, device":            "metadata:\n  name: report\n" + sourceKey + ": r:/dev/zero\n",
		"annotation, outside file": "metadata:\n  name: report\n  annotations:\n    " + sourceKey + ": g:../outside.yaml\n",
		"annotation, device":       "metadata:\n  name: report\n  annotations:\n    " + sourceKey + ": r:/dev/zero\n",
	} {
		t.Run(name, func(t *testing.T) {
			repo := filepath.Join(top, "repo-"+strings.ReplaceAll(name, " ", "-"))
			testfs.WriteFiles(t, repo, map[string]string{
				".git/HEAD":            "ref: refs/heads/main\n",
				"k/kustomization.yaml": "resources:\n  - cronjob.yaml\npatches:\n  - path: patch.yaml\n",
				"k/cronjob.yaml":       "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: \"0 1 * * *\"\n",
				"k/patch.yaml":         "apiVersion: batch/v1beta1\nkind: CronJob\n" + patch,
			})
			t.Chdir(repo)
			b := BuildKustomization("k")
			if len(b.Files) != 1 {
				t.Fatalf("built %d objects, problems %+v", len(b.Files), b.Problems)
			}
			for _, keys := range [][]string{{"apiVersion"}, {"spec", "schedule"}, {"metadata", "name"}} {
				loc := placedKey(t, b, "CronJob", keys...)
				if !filepath.IsLocal(loc.File) || !strings.HasPrefix(filepath.ToSlash(loc.File), "k/") {
					t.Errorf("%v placed in %s, a file the build did not serve", keys, loc.File)
				}
			}
		})
	}
}

// The tracer's own read refuses what no build may read, whatever names it.
func TestTracerReadsOnlyTheTree(t *testing.T) {
	top := t.TempDir()
	testfs.WriteFiles(t, top, map[string]string{
		"outside.yaml":   "kind: ConfigMap\n",
		"repo/.git/HEAD": "ref: refs/heads/main\n",
		"repo/k/a.yaml":  "kind: ConfigMap\n",
	})
	repo := filepath.Join(top, "repo")
	k := &kustomizeFS{FileSystem: filesys.MakeFsOnDisk(), root: filepath.Join(repo, "k"), userRoot: "k", boundary: repo}
	if k.parsed(filepath.Join(repo, "k", "a.yaml")) == nil {
		t.Fatal("a file of the tree was not read")
	}
	for _, p := range []string{filepath.Join(top, "outside.yaml"), "/dev/zero", filepath.Join(repo, "k")} {
		if k.parsed(p) != nil {
			t.Errorf("%s was read", p)
		}
	}
}
