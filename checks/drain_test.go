package checks

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/benchdata"
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

// drainDocs parses n files of benchdata.DrainSet into the documents the
// set rules see.
func drainDocs(tb testing.TB, n int) []*scan.Document {
	var docs []*scan.Document
	for _, f := range benchdata.DrainSet(n) {
		ds, _ := scan.Parse(f)
		for _, d := range ds {
			if _, err := d.Node(); err != nil {
				tb.Fatal(err)
			}
			docs = append(docs, d)
		}
	}
	return docs
}

// BenchmarkDrainRules runs every set rule (the drain rules) over the
// documents of a synthetic run: workloads, PodDisruptionBudgets and HPAs,
// parsed beforehand, so only matching them costs.
func BenchmarkDrainRules(b *testing.B) {
	env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
	rules := enabled(env)
	for _, n := range []int{2000, 20000} {
		docs := drainDocs(b, n)
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			found := 0
			for b.Loop() {
				found = len(CheckSet(docs, env, rules))
			}
			b.ReportMetric(float64(found), "findings/op")
		})
	}
}

// TestDrainIndex: the indexed summary answers as the plain quadratic
// matching would (every budget against every workload, every HPA against
// every workload) on random runs with shared and unique labels, expression
// selectors, empty selectors, namespaces left to the apply and HPAs
// targeting the same workload twice.
func TestDrainIndex(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	for run := range 200 {
		var sb strings.Builder
		ns := func() string {
			if v := pick("", "a", "b"); v != "" {
				return ", namespace: " + v
			}
			return ""
		}
		labels := func() string {
			var ls []string
			for _, k := range []string{"app", "tier", "part-of"} {
				if rnd.IntN(3) > 0 {
					ls = append(ls, k+": "+pick("x", "y", "z"))
				}
			}
			return "{" + strings.Join(ls, ", ") + "}"
		}
		for i := range 12 {
			fmt.Fprintf(&sb, "---\napiVersion: apps/v1\nkind: %s\nmetadata: {name: w%d%s}\nspec:\n  replicas: %s\n  template:\n    metadata: {labels: %s}\n    spec: {containers: [{name: c, image: i}]}\n",
				pick("Deployment", "StatefulSet"), i%6, ns(), pick("1", "2", "3", "x"), labels())
		}
		for i := range 6 {
			sel := "{matchLabels: " + labels() + "}"
			switch rnd.IntN(4) {
			case 0:
				sel = "{matchExpressions: [{key: tier, operator: " + pick("In", "NotIn", "Exists", "DoesNotExist") + ", values: [x, y]}]}"
			case 1:
				sel = "{}"
			}
			fmt.Fprintf(&sb, "---\napiVersion: %s\nkind: PodDisruptionBudget\nmetadata: {name: p%d%s}\nspec:\n  minAvailable: %s\n  selector: %s\n",
				pick("policy/v1", "policy/v1beta1"), i, ns(), pick("1", "2", "5"), sel)
		}
		for i := range 6 {
			fmt.Fprintf(&sb, "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h%d%s}\nspec:\n  scaleTargetRef: {kind: %s, name: w%d}\n  minReplicas: %d\n",
				i, ns(), pick("Deployment", "StatefulSet"), rnd.IntN(6), 1+rnd.IntN(3))
		}
		docs, _ := scan.Parse(scan.NewFile("run.yaml", []byte(sb.String())))
		s := readDrainSet(docs)
		for i, w := range s.workloads {
			want := replicaCount{n: 1, known: true}
			found := false
			for j := range s.hpas {
				if h := &s.hpas[j]; h.kind == w.doc.Sig.Kind && h.name == w.doc.Sig.Name && sameNamespace(h.doc, w.doc) {
					want, found = replicaCount{h.min, true, h}, true
					break
				}
			}
			if !found && w.replicas != nil {
				n, err := strconv.Atoi(scan.ScalarValue(w.replicas))
				want = replicaCount{n: n, known: err == nil}
			}
			if s.reps[i] != want {
				t.Fatalf("run %d: %s replicas %+v, want %+v\n%s", run, w.doc.Sig.Name, s.reps[i], want, sb.String())
			}
			covered := false
			for _, p := range s.pdbs {
				covered = covered || (sameNamespace(p.doc, w.doc) && p.sel.matches(w.labels))
			}
			if s.covered[i] != covered {
				t.Fatalf("run %d: %s covered %v, want %v\n%s", run, w.doc.Sig.Name, s.covered[i], covered, sb.String())
			}
		}
		for _, p := range s.pdbs {
			var want []int
			for i, w := range s.workloads {
				if sameNamespace(p.doc, w.doc) && p.sel.matches(w.labels) {
					want = append(want, i)
				}
			}
			if got := s.selected(p); !slices.Equal(got, want) {
				t.Fatalf("run %d: %s selects %v, want %v\n%s", run, p.doc.Sig.Name, got, want, sb.String())
			}
		}
	}
}

// TestDrainSummaryShared: within one CheckSet the drain rules read the
// run's documents once.
func TestDrainSummaryShared(t *testing.T) {
	env := Env{Target: MustVersion("1.25"), Platform: PlatformEKS}
	docs := drainDocs(t, 8)
	env.sets = &setMemo{}
	a := drainSetFor(docs, env)
	if b := drainSetFor(docs, env); a != b {
		t.Error("the second drain rule built the summary again")
	}
	if c := drainSetFor(docs[:4], env); c == a {
		t.Error("other documents got the same summary")
	}
}
