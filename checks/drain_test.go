package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

func TestDrainRules(t *testing.T) {
	const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
        - name: web
          image: nginx
          readinessProbe: {httpGet: {path: /, port: 80}}
`
	cases := []struct {
		name, src, want string
	}{
		{"covered by a PDB in another document", web + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n", ""},
		{"no PDB", web, "2:1 drain-no-pdb info\n"},
		{"PDB in another namespace", web + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: other}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n", "2:1 drain-no-pdb info\n"},
		{"PDB by expression, namespace left to the apply", web + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 2\n  selector:\n    matchExpressions: [{key: tier, operator: In, values: [front]}, {key: canary, operator: DoesNotExist}]\n", ""},
		{"empty v1beta1 selector selects nothing", web + "---\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  maxUnavailable: 1\n  selector: {}\n", "2:1 drain-no-pdb info\n"},
		{"empty v1 selector selects everything", web + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: all, namespace: shop}\nspec:\n  maxUnavailable: 1\n  selector: {}\n", ""},
		{"PDB that blocks: minAvailable = replicas", web + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  minAvailable: 3\n  selector: {matchLabels: {app: web}}\n", "19:17 drain-pdb-blocks info\n"},
		{"PDB that blocks: maxUnavailable 0", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: x}}\n", "5:19 drain-pdb-blocks info\n"},
		{"PDB that blocks: 100%", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec:\n  minAvailable: 100%\n  selector: {matchLabels: {app: x}}\n", "5:17 drain-pdb-blocks info\n"},
		{"PDB minAvailable without workloads in the run", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec:\n  minAvailable: 5\n  selector: {matchLabels: {app: x}}\n", ""},
		{"single replica, explicit", strings.Replace(web, "replicas: 3", "replicas: 1", 1), "5:13 drain-single-replica info\n"},
		{"single replica, by default", strings.Replace(web, "  replicas: 3\n", "", 1), "2:1 drain-single-replica info\n"},
		{"HPA keeps two", strings.Replace(web, "  replicas: 3\n", "", 1) + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 5\n", "2:1 drain-no-pdb info\n"},
		{"HPA lets it go to one", web + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n", "2:1 drain-single-replica info\n"},
		{"scaled to zero", strings.Replace(web, "replicas: 3", "replicas: 0", 1), ""},
		{"no readiness probe", strings.Replace(web, "          readinessProbe: {httpGet: {path: /, port: 80}}\n", "", 1) + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n",
			"11:11 drain-no-readiness-probe info\n"},
		{"DaemonSets and Jobs are not drain workloads", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a}]\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fs := runRules(t, c.src, "1.25", PlatformEKS, "drain-single-replica", "drain-no-pdb", "drain-pdb-blocks", "drain-no-readiness-probe")
			if got := brief(fs); got != c.want {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
				for _, f := range fs {
					t.Log(f.Message)
				}
			}
		})
	}
}

// TestCorpus runs every rule, at the oldest and the newest target, over the
// real-world corpus (testdata/corpus, see its PROVENANCE.md): no rule may
// fail on it.
func TestCorpus(t *testing.T) {
	root := filepath.Join("..", "testdata", "corpus")
	var docs []*scan.Document
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !scan.IsManifestName(p) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ds, _ := scan.Parse(scan.NewFile(p, data))
		docs = append(docs, ds...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"1.16", "1.25", "1.36"} {
		for _, platform := range []string{PlatformEKS, PlatformGeneric} {
			env := Env{Target: MustVersion(target), Platform: platform}
			var rules []*Rule
			for _, r := range Rules() {
				if r.Enabled(env) {
					rules = append(rules, r)
				}
			}
			var fs []Finding
			for _, d := range docs {
				if d.Sig.IsObject() {
					fs = append(fs, Check(d, env, rules)...)
				}
			}
			fs = append(fs, CheckSet(docs, env, rules)...)
			for _, f := range fs {
				if f.Rule == InternalError.ID {
					t.Errorf("%s %s: %s:%d: %s", target, platform, f.File, f.Line, f.Message)
				}
				if f.Line < 1 || f.Column < 1 {
					t.Errorf("%s:%d:%d: finding without a position: %s", f.File, f.Line, f.Column, f.Rule)
				}
			}
		}
	}
}
