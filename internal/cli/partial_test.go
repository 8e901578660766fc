package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

// TestPartialRunSetRules: on a partial run (files named one by one, as
// pre-commit does; a change), the set rules judge the named files against
// the whole repository and report only on the named files; without a
// repository they do not guess from an absence (issue 16.7).
func TestPartialRunSetRules(t *testing.T) {
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: registry.example.com/web:1\n        readinessProbe: {httpGet: {path: /, port: 80}}\n"
	const pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  maxUnavailable: 0\n  selector:\n    matchLabels: {app: web}\n"
	run := func(t *testing.T, files map[string]string, args ...string) string {
		t.Helper()
		dir := t.TempDir()
		testfs.WriteFiles(t, dir, files)
		t.Chdir(dir)
		var stdout, stderr bytes.Buffer
		Run(context.Background(), append([]string{"--config", "none", "--fail-on", "never"}, args...), strings.NewReader(""), &stdout, &stderr)
		return stdout.String()
	}
	repo := map[string]string{".git/HEAD": "ref: refs/heads/main\n", "apps/deploy.yaml": deploy, "policies/pdb.yaml": pdb}
	t.Run("the PDB in an unchanged file counts", func(t *testing.T) {
		out := run(t, repo, "apps/deploy.yaml")
		if strings.Contains(out, "drain-no-pdb") {
			t.Errorf("drain-no-pdb although policies/pdb.yaml covers the Deployment:\n%s", out)
		}
		if strings.Contains(out, "policies/pdb.yaml") {
			t.Errorf("a finding on a file the run did not name:\n%s", out)
		}
	})
	t.Run("the named PDB is judged against the whole tree", func(t *testing.T) {
		out := run(t, repo, "policies/pdb.yaml")
		if !strings.Contains(out, "policies/pdb.yaml:7:") || !strings.Contains(out, "drain-pdb-blocks") {
			t.Errorf("maxUnavailable: 0 over a Deployment in another file not reported:\n%s", out)
		}
	})
	t.Run("no PDB anywhere", func(t *testing.T) {
		out := run(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "apps/deploy.yaml": deploy, "apps/other.yaml": strings.ReplaceAll(pdb, "app: web", "app: other")}, "apps/deploy.yaml")
		if !strings.Contains(out, "drain-no-pdb") {
			t.Errorf("no drain-no-pdb although no PDB of the repository covers the Deployment:\n%s", out)
		}
	})
	t.Run("no repository: no guess", func(t *testing.T) {
		out := run(t, map[string]string{"apps/deploy.yaml": deploy}, "apps/deploy.yaml")
		if strings.Contains(out, "drain-no-pdb") {
			t.Errorf("drain-no-pdb guessed without the whole tree:\n%s", out)
		}
		out = run(t, repo, "--context", "none", "apps/deploy.yaml")
		if strings.Contains(out, "drain-no-pdb") {
			t.Errorf("drain-no-pdb with --context none:\n%s", out)
		}
	})
	t.Run("a whole directory is not partial", func(t *testing.T) {
		out := run(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "apps/deploy.yaml": deploy}, "apps")
		if !strings.Contains(out, "drain-no-pdb") {
			t.Errorf("a full run of a directory lost drain-no-pdb:\n%s", out)
		}
	})
}
