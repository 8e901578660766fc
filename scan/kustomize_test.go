package scan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// placedKey builds a kustomization and places the key at keys of the object
// of kind.
func placedKey(t *testing.T, b *KustomizeBuild, kind string, keys ...string) Location {
	t.Helper()
	for _, rf := range b.Files {
		docs, _ := Parse(rf.File)
		for _, d := range docs {
			if d.Sig.Kind != kind {
				continue
			}
			root, _ := d.Node()
			n, _ := lookupPath(root, keys)
			if n == nil {
				t.Fatalf("%s has no %v", kind, keys)
			}
			return rf.Locate(d, Query{Pos: PosOf(n), ObjectLevel: true})
		}
	}
	t.Fatalf("build has no %s", kind)
	return Location{}
}

func TestKustomizeOverlay(t *testing.T) {
	const dir = "../testdata/helm/kustomize-overlay"
	b := BuildKustomization(dir + "/overlays/legacy")
	if len(b.Problems) != 1 || b.Problems[0].Kind != ProblemRemoteResource || b.Problems[0].Pos.Line != 7 {
		t.Fatalf("problems: %+v, want the remote base on line 7", b.Problems)
	}
	if n := len(b.Files); n != 2 {
		t.Fatalf("%d objects built, want 2", n)
	}
	tests := []struct {
		kind string
		keys []string
		file string
		line int
	}{
		// The inline JSON 6902 patch that pins the beta API.
		{"CronJob", []string{"apiVersion"}, dir + "/overlays/legacy/kustomization.yaml", 16},
		// The patch file that moves the PodDisruptionBudget forward.
		{"PodDisruptionBudget", []string{"apiVersion"}, dir + "/overlays/legacy/pdb-policy-v1.yaml", 3},
		// Untouched keys stay on the base resource.
		{"CronJob", []string{"spec", "schedule"}, dir + "/base/cronjob.yaml", 6},
		{"PodDisruptionBudget", []string{"spec", "minAvailable"}, dir + "/base/pdb.yaml", 6},
		// The name changed by namePrefix has no line of its own.
		{"CronJob", []string{"metadata", "name"}, dir + "/base/cronjob.yaml", 4},
	}
	for _, tt := range tests {
		loc := placedKey(t, b, tt.kind, tt.keys...)
		if filepath.Clean(loc.File) != filepath.Clean(tt.file) || loc.Pos.Line != tt.line {
			t.Errorf("%s %v placed at %s:%d %s, want %s:%d", tt.kind, tt.keys, loc.File, loc.Pos.Line, loc.Note, tt.file, tt.line)
		}
	}
	if !strings.Contains(placedKey(t, b, "CronJob", "metadata", "name").Note, "changes this value") {
		t.Error("a value changed by a transformer was placed without a note")
	}
}

func TestKustomizeProblems(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		kind     ProblemKind
		file     string
		line     int
		objects  int
		generate string // kind of a generated object to place
		dir      string // the kustomization, when not the top directory
		message  string
	}{
		{
			name: "missing local resource: built without it",
			files: map[string]string{
				"kustomization.yaml": "resources:\n  - cm.yaml\n  - gone.yaml\n",
				"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
			},
			kind: ProblemBuildError, file: "kustomization.yaml", line: 3, objects: 1,
		},
		{
			name: "a resource that does not parse fails the build",
			files: map[string]string{
				"kustomization.yaml": "resources:\n  - cm.yaml\n",
				"cm.yaml":            "apiVersion: v1\nkind: [\n",
			},
			kind: ProblemBuildError, file: "kustomization.yaml", line: 2, objects: 0,
		},
		{
			name: "a base outside the repository is not read",
			files: map[string]string{
				"k/kustomization.yaml":      "resources:\n  - ../shared\n",
				"shared/kustomization.yaml": "resources: [cm.yaml]\n",
				"shared/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
			},
			dir:  "k",
			kind: ProblemBuildError, file: "k/kustomization.yaml", line: 2, objects: 0, message: "outside the repository",
		},
		{
			name: "URL resource is remote",
			files: map[string]string{
				"kustomization.yaml": "resources:\n  - https://example.com/deploy.yaml\n",
			},
			kind: ProblemRemoteResource, file: "kustomization.yaml", line: 2, objects: 0,
		},
		{
			name: "generated objects are placed on their generator",
			files: map[string]string{
				"kustomization.yaml": "configMapGenerator:\n  - name: settings\n    literals: [a=b]\n",
			},
			objects: 1, generate: "ConfigMap", file: "kustomization.yaml", line: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, s := range tt.files {
				write(t, dir, n, s)
			}
			b := BuildKustomization(filepath.Join(dir, tt.dir))
			if len(b.Files) != tt.objects {
				t.Errorf("%d objects, want %d", len(b.Files), tt.objects)
			}
			if tt.generate != "" {
				loc := placedKey(t, b, tt.generate, "metadata", "name")
				if loc.File != filepath.Join(dir, tt.file) || loc.Pos.Line != tt.line {
					t.Errorf("generated object placed at %s:%d %s", loc.File, loc.Pos.Line, loc.Note)
				}
				return
			}
			if len(b.Problems) != 1 {
				t.Fatalf("problems: %+v", b.Problems)
			}
			p := b.Problems[0]
			if p.Kind != tt.kind || p.File != filepath.Join(dir, tt.file) || p.Pos.Line != tt.line || !strings.Contains(p.Message, tt.message) {
				t.Errorf("problem %s at %s:%d (%s), want %s at %s:%d", p.Kind, p.File, p.Pos.Line, p.Message, tt.kind, tt.file, tt.line)
			}
		})
	}
}

// TestKustomizeThroughSymlink: a tree reached through a symbolic link (a
// checkout or corpus linked into place, the working directory inside it)
// places objects on the resource files under the path the user gave, as a
// plain scan names them (kustomize reads files by their real path).
func TestKustomizeThroughSymlink(t *testing.T) {
	real := t.TempDir()
	for name, body := range map[string]string{
		"base/kustomization.yaml":    "resources:\n  - cronjob.yaml\n",
		"base/cronjob.yaml":          "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: \"0 2 * * *\"\n",
		"overlay/kustomization.yaml": "resources:\n  - ../base\nnamePrefix: x-\n",
	} {
		p := filepath.Join(real, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(t.TempDir(), "linked")
	if err := os.Symlink(real, link); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err) // CI's machines have symbolic links
		}
		t.Skip(err)
	}
	t.Chdir(link)
	b := BuildKustomization("overlay")
	loc := placedKey(t, b, "CronJob", "spec", "schedule")
	if want := filepath.Join("base", "cronjob.yaml"); loc.File != want || loc.Pos.Line != 6 {
		t.Errorf("placed on %s:%d, want %s:6", loc.File, loc.Pos.Line, want)
	}
}
