package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/testfs"
	"github.com/kubeready/kubeready/scan"
)

const kust = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"

// deploy is a Deployment without a readiness probe: drain-no-readiness-probe
// names it, so a build's finding (with its prefix) differs from the file's.
const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n"

// kustTree: an overlay of a base; a broken overlay of a second base (its
// patch file is missing); two kustomizations that include each other; an
// overlay with a remote base; a component.
var kustTree = map[string]string{
	"base/kustomization.yaml":       kust + "resources:\n  - deploy.yaml\n",
	"base/deploy.yaml":              deploy,
	"overlay/kustomization.yaml":    kust + "resources:\n  - ../base\nnamePrefix: prod-\n",
	"base2/kustomization.yaml":      kust + "resources:\n  - deploy.yaml\nnamePrefix: b2-\n",
	"base2/deploy.yaml":             deploy,
	"broken/kustomization.yaml":     kust + "resources:\n  - ../base2\npatches:\n  - path: missing-patch.yaml\n",
	"cycle-a/kustomization.yaml":    kust + "resources:\n  - ../cycle-b\n",
	"cycle-b/kustomization.yaml":    kust + "resources:\n  - ../cycle-a\n",
	"remote/kustomization.yaml":     kust + "resources:\n  - github.com/example/x//deploy?ref=v1\n  - ../base\nnamePrefix: remote-\n",
	"components/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
}

func TestPlanKustomize(t *testing.T) {
	root := testfs.Repo(t, kustTree)
	t.Chdir(root)
	d := scan.Discover([]string{"."})
	in, plan := planKustomize(d.Inputs)
	var built []string
	for _, i := range in {
		if i.Kind == scan.InputKustomization {
			built = append(built, filepath.ToSlash(i.Path))
		}
	}
	slices.Sort(built)
	// cycle-b is read by cycle-a's build, and built when that fails
	want := []string{"broken", "components", "cycle-a", "overlay", "remote"}
	if !slices.Equal(built, want) {
		t.Errorf("built %v, want %v", built, want)
	}
	failed := &scan.KustomizeBuild{Failed: true}
	if got := plan.fallback("broken", failed); !slices.Equal(got, []string{"base2"}) {
		t.Errorf("fallback(broken) = %v, want [base2]", got)
	}
	if got := plan.fallback("broken", failed); len(got) != 0 {
		t.Errorf("base2 claimed twice: %v", got)
	}
	if plan.sizeOf("overlay") <= plan.sizeOf("components") || plan.sizeOf("components") <= 1<<30 {
		t.Errorf("sizes: overlay %d, components %d", plan.sizeOf("overlay"), plan.sizeOf("components"))
	}
}

// TestKustomizeOnce: the base is built through its overlay only, a base of
// a broken overlay on its own, and no finding is lost.
func TestKustomizeOnce(t *testing.T) {
	root := testfs.Repo(t, kustTree)
	t.Chdir(root)
	rep := &annotate.Report{}
	Run(context.Background(), Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeAll},
		[]string{"."}, nil, rep)
	var got []string
	for _, f := range rep.Findings {
		origin := ""
		if f.Rendered != nil {
			origin = " via " + filepath.ToSlash(f.Rendered.Kustomization)
		}
		msg := ""
		if f.Rule == "drain-no-readiness-probe" {
			msg = " " + strings.Fields(f.Message)[4]
		}
		got = append(got, filepath.ToSlash(f.File)+" "+f.Rule+msg+origin)
	}
	for _, want := range []string{
		// the file; the overlay's copy of the same line (prod-web) is the
		// same finding (dedupe: one per file, line, rule and object)
		"base/deploy.yaml drain-no-readiness-probe web via overlay",
		"base2/deploy.yaml drain-no-readiness-probe web via base2", // broken overlay: its base alone
		"broken/kustomization.yaml kustomize-build-error via broken",
		"remote/kustomization.yaml kustomize-remote-resource via remote",
		// each of the cycle is built (cycle-b after cycle-a fails)
		"cycle-a/kustomization.yaml kustomize-build-error via cycle-b",
		"cycle-b/kustomization.yaml kustomize-build-error via cycle-a",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if strings.HasSuffix(g, "via base") {
			t.Errorf("base built on its own: %s", g)
		}
	}
}

// TestChangeKustomizations: in a change-sized run a changed resource file
// builds the kustomization that holds it (and nothing else); a change
// outside any kustomization builds none.
func TestChangeKustomizations(t *testing.T) {
	root := testfs.Repo(t, map[string]string{
		"base/kustomization.yaml":    kust + "resources: [deploy.yaml]\nnamePrefix: base-\n",
		"base/deploy.yaml":           deploy,
		"overlay/kustomization.yaml": kust + "resources: [../base]\nnamePrefix: prod-\n",
		"other/kustomization.yaml":   kust + "resources: [cm.yaml]\n",
		"other/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"plain/deploy.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n",
	})
	t.Chdir(root)
	change := scan.NewChange(root)
	change.Add(&scan.FileChange{Path: "base/deploy.yaml", Whole: true})
	change.Add(&scan.FileChange{Path: "plain/deploy.yaml", Whole: true})
	got := changeKustomizations(change, nil)
	if !slices.Equal(got, []string{"base"}) {
		t.Errorf("changeKustomizations = %v, want [base]", got)
	}
	if got := changeKustomizations(change, []string{"other"}); len(got) != 0 {
		t.Errorf("limited to other: %v", got)
	}
	rep := &annotate.Report{}
	Run(context.Background(), Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeFiles},
		nil, change, rep)
	var via []string
	for _, f := range rep.Findings {
		if f.Rendered != nil {
			via = append(via, filepath.ToSlash(f.Rendered.Kustomization))
		}
	}
	if !slices.Equal(via, []string{"base"}) {
		t.Errorf("rendered findings via %v, want [base]", via)
	}
}

// TestKustomizeLeftOutBase: run from outside a tree with no .git, each
// kustomization may read only its own directory, so an overlay leaves its
// ../base out (kustomize-build-error "outside the repository"); the base
// is then built on its own, as it was before builds were planned.
func TestKustomizeLeftOutBase(t *testing.T) {
	root := t.TempDir()
	for name, body := range map[string]string{
		"base/kustomization.yaml":    kust + "resources:\n  - deploy.yaml\nnamePrefix: b-\n",
		"base/deploy.yaml":           deploy,
		"overlay/kustomization.yaml": kust + "resources:\n  - ../base\nnamePrefix: prod-\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	rep := &annotate.Report{}
	Run(context.Background(), Config{Env: checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}, Workers: 2, Limits: DefaultLimits, Scope: ScopeAll},
		[]string{root}, nil, rep)
	var got []string
	for _, f := range rep.Findings {
		if f.Rendered != nil {
			got = append(got, f.Rule+" via "+filepath.Base(f.Rendered.Kustomization))
		}
	}
	for _, want := range []string{"kustomize-build-error via overlay", "drain-no-readiness-probe via base"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, got)
		}
	}
}

// TestNoRuleReadsCRDBodies: kustomize builds leave CustomResourceDefinition
// schemas out (scan/kustomizecrd.go) because no rule reads a CRD beyond its
// signature and metadata. A rule that starts to (Kinds listing the kind, or
// "*") must make that stripping depend on it first.
func TestNoRuleReadsCRDBodies(t *testing.T) {
	for _, r := range checks.Rules() {
		if r.WantsNode("CustomResourceDefinition") {
			t.Errorf("rule %s reads CustomResourceDefinition nodes: scan.stripCRDSchema would hide their schemas from it", r.ID)
		}
	}
}
