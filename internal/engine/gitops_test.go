package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// A GitOps file from a pull request cannot make kubeready render a chart or
// read a values file outside the repository.
func TestGitOpsPathsStayInside(t *testing.T) {
	e := newEngine(checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, 1, nil)
	for _, text := range []string{
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source:\n    path: ../../../../../../etc\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source:\n    path: testdata/helm/gated\n    helm:\n      valueFiles: [/etc/passwd]\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source:\n    path: testdata/helm/gated\n    helm:\n      valueFiles: [../../../../../../../dev/zero]\n",
	} {
		var res fileResult
		e.checkGitOps(context.Background(), scan.NewFile("testdata/gitops/x.yaml", []byte(text)), &res)
		if len(res.findings) != 0 || len(res.skipped) != 1 || !strings.Contains(res.skipped[0].Reason, "inside the repository") {
			t.Errorf("%q: findings %v, skipped %v", text, res.findings, res.skipped)
		}
	}
}
