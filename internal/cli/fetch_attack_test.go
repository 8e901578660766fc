package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Issue 18 with issue 13's attacks: inputs of the GitOps and stored-release
// readers, run through the built binary (runAttack: exit 0 or 1, no secret,
// no machine path, the honest finding of good.yaml, time and memory bounds).

// A chart repository that accepts the connection and never answers: the
// download stops at the run's deadline (--timeout), the release is one
// helm-remote-chart finding saying so, and the other findings survive.
func TestAttackFetchHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := attackRepo(t, map[string]string{
		"argo.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n    repoURL: " + srv.URL +
			"\n    chart: web\n    targetRevision: 1.0.0\n---\n" + goodManifest,
	})
	r := runAttack(t, dir, 10*time.Second, 300, "--timeout", "3s", "--workers", "2", "--fetch-charts", ".")
	if r.elapsed < 3*time.Second {
		t.Errorf("ended in %v, before the deadline: the hang was not reached", r.elapsed)
	}
	fs := r.find("helm-remote-chart")
	if len(fs) != 1 || fs[0].Line != 8 || !strings.Contains(fs[0].Message, "timed out") || !strings.Contains(fs[0].Message, "--timeout 3s") {
		t.Errorf("want one helm-remote-chart on argo.yaml:8 saying the download timed out\n%s", r.describe())
	}
	if !r.has("argo.yaml", 11, "api-removed") {
		t.Errorf("the PDB beside the Application is lost\n%s", r.describe())
	}
}
