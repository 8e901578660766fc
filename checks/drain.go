package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Node-drain readiness: what eksup checks on a live cluster (K8S002, K8S004,
// K8S006) that a manifest already shows. Managed node-group upgrades drain
// every node; these rules say which workloads that takes down. They report
// at info, which never fails a run by default.

// workloadKinds are the kinds whose pods a node drain evicts and a
// controller replaces.
var workloadKinds = []string{"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

// eksupChecks is the source of the drain rules.
const eksupChecks = "https://github.com/clowdhaus/eksup/blob/main/docs/info/checks.md"

// workload is a replicated controller in the run.
type workload struct {
	doc      *scan.Document
	replicas *yaml.Node // nil when spec.replicas is absent
	labels   map[string]string
	pod      *PodSpec
}

// pdb is a PodDisruptionBudget in the run.
type pdb struct {
	doc                *scan.Document
	sel                selector
	minAvail, maxUnavl *yaml.Node
}

// hpa is a HorizontalPodAutoscaler in the run: which workload it scales and
// its minimum.
type hpa struct {
	doc        *scan.Document
	kind, name string
	min        int
	minNode    *yaml.Node
}

// drainSet is what the drain rules know about the documents of a run,
// read once and indexed, so that matching is linear in the run: HPAs by
// target (kind, name), PodDisruptionBudgets by the rarest of their
// matchLabels pairs, workloads by every pod label pair. The three drain set
// rules share one (drainSetFor).
type drainSet struct {
	workloads []workload
	pdbs      []pdb
	hpas      []hpa

	hpaByTarget map[string][]int // kind\x00name → indexes into hpas, in order
	// pdbByLabel holds each budget with matchLabels under one of its pairs
	// (the one fewest budgets share); pdbOther the budgets without
	// matchLabels (expressions only, or an empty selector).
	pdbByLabel map[string][]int
	pdbOther   []int
	wlByLabel  map[string][]int // key\x00value → indexes into workloads
	// per workload, computed once: replicas and whether a budget covers it
	reps    []replicaCount
	covered []bool
}

// replicaCount is what replicas says of one workload.
type replicaCount struct {
	n     int
	known bool
	by    *hpa
}

func pairKey(k, v string) string { return k + "\x00" + v }

func readDrainSet(docs []*scan.Document) *drainSet {
	s := &drainSet{}
	for _, d := range docs {
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		switch {
		case slices.Contains(workloadKinds, d.Sig.Kind):
			p := PodSpecOf(d)
			if p == nil {
				continue
			}
			s.workloads = append(s.workloads, workload{doc: d, replicas: scan.MapPath(root, "spec", "replicas"), labels: scan.StringMap(p.Labels), pod: p})
		case d.Sig.Kind == "PodDisruptionBudget" && apiGroup(d.Sig.APIVersion) == "policy":
			spec := scan.MapGet(root, "spec")
			// policy/v1beta1 reads an empty selector as "no pods", policy/v1 as "every pod".
			s.pdbs = append(s.pdbs, pdb{doc: d, sel: readSelector(scan.MapGet(spec, "selector"), d.Sig.APIVersion != "policy/v1beta1"),
				minAvail: scan.MapGet(spec, "minAvailable"), maxUnavl: scan.MapGet(spec, "maxUnavailable")})
		case d.Sig.Kind == "HorizontalPodAutoscaler" && apiGroup(d.Sig.APIVersion) == "autoscaling":
			spec := scan.MapGet(root, "spec")
			h := hpa{doc: d, kind: scan.StringValue(scan.MapPath(spec, "scaleTargetRef", "kind")), name: scan.StringValue(scan.MapPath(spec, "scaleTargetRef", "name")), min: 1}
			if n := scan.MapGet(spec, "minReplicas"); n != nil {
				if v, err := strconv.Atoi(scan.ScalarValue(n)); err == nil {
					h.min, h.minNode = v, n
				}
			}
			s.hpas = append(s.hpas, h)
		}
	}
	s.index()
	return s
}

// index builds the maps and the per-workload results.
func (s *drainSet) index() {
	s.hpaByTarget = map[string][]int{}
	for i, h := range s.hpas {
		k := pairKey(h.kind, h.name)
		s.hpaByTarget[k] = append(s.hpaByTarget[k], i)
	}
	share := map[string]int{}
	for _, p := range s.pdbs {
		if !p.sel.none {
			for k, v := range p.sel.labels {
				share[pairKey(k, v)]++
			}
		}
	}
	s.pdbByLabel = map[string][]int{}
	for i, p := range s.pdbs {
		switch {
		case p.sel.none: // selects nothing: never a candidate
		case len(p.sel.labels) == 0:
			s.pdbOther = append(s.pdbOther, i)
		default:
			best := ""
			for k, v := range p.sel.labels {
				if lk := pairKey(k, v); best == "" || share[lk] < share[best] || (share[lk] == share[best] && lk < best) {
					best = lk
				}
			}
			s.pdbByLabel[best] = append(s.pdbByLabel[best], i)
		}
	}
	s.wlByLabel = map[string][]int{}
	s.reps = make([]replicaCount, len(s.workloads))
	s.covered = make([]bool, len(s.workloads))
	for i, w := range s.workloads {
		for k, v := range w.labels {
			lk := pairKey(k, v)
			s.wlByLabel[lk] = append(s.wlByLabel[lk], i)
		}
		n, known, by := s.replicasOf(w)
		s.reps[i] = replicaCount{n, known, by}
		s.covered[i] = s.covers(w)
	}
}

// drainSetFor is the run's drain summary: built by the first drain rule
// CheckSet runs and shared with the others through env (the same documents
// each time: the drain rules list the same kinds), else built here.
func drainSetFor(docs []*scan.Document, env Env) *drainSet {
	if env.sets == nil {
		return readDrainSet(docs)
	}
	if m := env.sets.drain; m != nil && slices.Equal(m.docs, docs) {
		return m.set
	}
	set := readDrainSet(docs)
	env.sets.drain = &drainMemo{docs: docs, set: set}
	return set
}

// drainMemo is one run's drain summary and the documents it was read from.
type drainMemo struct {
	docs []*scan.Document
	set  *drainSet
}

// sameNamespace reports whether two documents may share a namespace: equal,
// or one of them leaves it to the apply (`kubectl -n`).
func sameNamespace(a, b *scan.Document) bool {
	return a.Sig.Namespace == b.Sig.Namespace || a.Sig.Namespace == "" || b.Sig.Namespace == ""
}

// replicasOf is the number of pods a workload keeps when nothing scales it:
// the minimum of the first HorizontalPodAutoscaler (in run order) that
// targets it, else spec.replicas (1 when absent). known is false for a
// value kubeready cannot read (a template expression, say).
func (s *drainSet) replicasOf(w workload) (n int, known bool, by *hpa) {
	for _, i := range s.hpaByTarget[pairKey(w.doc.Sig.Kind, w.doc.Sig.Name)] {
		if h := &s.hpas[i]; sameNamespace(h.doc, w.doc) {
			return h.min, true, h
		}
	}
	if w.replicas == nil {
		return 1, true, nil
	}
	v, err := strconv.Atoi(scan.ScalarValue(w.replicas))
	return v, err == nil, nil
}

// covers reports whether some PodDisruptionBudget selects a workload's
// pods: the candidates are the budgets indexed under one of its labels and
// those without matchLabels.
func (s *drainSet) covers(w workload) bool {
	try := func(i int) bool { p := s.pdbs[i]; return sameNamespace(p.doc, w.doc) && p.sel.matches(w.labels) }
	for k, v := range w.labels {
		for _, i := range s.pdbByLabel[pairKey(k, v)] {
			if try(i) {
				return true
			}
		}
	}
	for _, i := range s.pdbOther {
		if try(i) {
			return true
		}
	}
	return false
}

// selected returns the indexes of the workloads a budget selects, in run
// order.
func (s *drainSet) selected(p pdb) []int {
	var cand []int
	if p.sel.none {
		return nil
	}
	if len(p.sel.labels) == 0 {
		cand = make([]int, len(s.workloads))
		for i := range cand {
			cand[i] = i
		}
	} else {
		// the pair fewest workloads carry
		first := true
		for k, v := range p.sel.labels {
			if c := s.wlByLabel[pairKey(k, v)]; first || len(c) < len(cand) {
				cand, first = c, false
			}
		}
	}
	var out []int
	for _, i := range cand {
		if w := s.workloads[i]; sameNamespace(p.doc, w.doc) && p.sel.matches(w.labels) {
			out = append(out, i)
		}
	}
	return out
}

// drainKinds are the kinds the drain set rules read.
var drainKinds = append([]string{"PodDisruptionBudget", "HorizontalPodAutoscaler"}, workloadKinds...)

var drainSingleReplica = &Rule{
	ID: "drain-single-replica", Title: "Workload runs a single replica", Severity: Info, Since: always,
	Rationale: "Every node-group upgrade drains each node. A workload with one replica is down from the eviction until its " +
		"pod is rescheduled and ready on another node (eksup K8S002).",
	Fix:     "Run at least two replicas (spread across nodes) and cover them with a PodDisruptionBudget before upgrading nodes.",
	Example: "kind: Deployment\nspec:\n  replicas: 1\n",
	Source:  eksupChecks,
	Kinds:   drainKinds,
	CheckSet: func(r *Rule, docs []*scan.Document, env Env) []Finding {
		s := drainSetFor(docs, env)
		var out []Finding
		for i, w := range s.workloads {
			n, known, by := s.reps[i].n, s.reps[i].known, s.reps[i].by
			if !known || n != 1 {
				continue
			}
			d := w.doc
			where, p := "spec.replicas is 1", d.Sig.KindPos
			switch {
			case by != nil:
				where = fmt.Sprintf("HorizontalPodAutoscaler %s lets it scale down to 1", by.doc.Sig.Name)
			case w.replicas == nil:
				where = "spec.replicas is not set, so it runs 1"
			default:
				p = scan.PosOf(w.replicas)
			}
			out = append(out, r.Finding(d, env, p, fmt.Sprintf("%s %s runs a single replica (%s): draining its node during the node "+
				"upgrade takes it down until the pod is rescheduled and ready. Run at least 2 replicas with a PodDisruptionBudget.",
				d.Sig.Kind, d.Sig.Name, where)))
		}
		return out
	},
}

var drainNoPDB = &Rule{
	ID: "drain-no-pdb", Title: "No PodDisruptionBudget covers the workload", Severity: Info, Since: always,
	Rationale: "Without a PodDisruptionBudget a node drain may evict every replica of a workload at once when they share " +
		"nodes, as they often do; with one, the drain waits until enough replicas run elsewhere (eksup K8S004). The rule " +
		"looks for a budget among all documents of the run, in the same namespace, whose selector matches the pod labels.",
	Fix:     "Add a policy/v1 PodDisruptionBudget selecting the pods, with maxUnavailable: 1 (or a minAvailable below the replica count).",
	Example: "kind: Deployment\nspec:\n  replicas: 3\n",
	Source:  eksupChecks,
	Kinds:   drainKinds,
	CheckSet: func(r *Rule, docs []*scan.Document, env Env) []Finding {
		s := drainSetFor(docs, env)
		var out []Finding
		for i, w := range s.workloads {
			if r := s.reps[i]; !r.known || r.n < 2 || s.covered[i] {
				continue
			}
			d := w.doc
			f := r.Finding(d, env, d.Sig.KindPos, fmt.Sprintf("No PodDisruptionBudget in this run selects the pods of %s %s: a node "+
				"drain during the node upgrade may evict all its replicas at once. Add a policy/v1 PodDisruptionBudget with maxUnavailable: 1.",
				d.Sig.Kind, d.Sig.Name))
			f.ObjectLevel = true
			out = append(out, f)
		}
		return out
	},
}

var drainPDBBlocks = &Rule{
	ID: "drain-pdb-blocks", Title: "PodDisruptionBudget can never be satisfied", Severity: Info, Since: always,
	Rationale: "A PodDisruptionBudget that allows no disruption (maxUnavailable: 0, minAvailable: 100%, or a minAvailable " +
		"at or above the replicas of the workloads it selects) makes every eviction fail: node drains hang and the " +
		"node-group upgrade stalls until someone deletes the budget or forces the drain.",
	Fix:     "Allow at least one disruption: maxUnavailable: 1, or a minAvailable below the replica count.",
	Example: "kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 0\n",
	Source:  "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
	Kinds:   drainKinds,
	CheckSet: func(r *Rule, docs []*scan.Document, env Env) []Finding {
		s := drainSetFor(docs, env)
		var out []Finding
		for _, p := range s.pdbs {
			d := p.doc
			report := func(n *yaml.Node, why string) {
				out = append(out, r.Finding(d, env, scan.PosOf(n), fmt.Sprintf("PodDisruptionBudget %s %s, so no pod it covers can ever be "+
					"evicted: node drains hang and the node upgrade stalls. Allow at least one disruption (maxUnavailable: 1).", d.Sig.Name, why)))
			}
			switch mu, ma := scan.ScalarValue(p.maxUnavl), scan.ScalarValue(p.minAvail); {
			case p.maxUnavl != nil && (mu == "0" || mu == "0%"):
				report(p.maxUnavl, "sets maxUnavailable: "+mu)
			case p.minAvail != nil && ma == "100%":
				report(p.minAvail, "sets minAvailable: 100%")
			case p.minAvail != nil:
				want, err := strconv.Atoi(ma)
				if err != nil || want < 1 {
					continue
				}
				total, matched := 0, 0
				for _, i := range s.selected(p) {
					if !s.reps[i].known {
						total = -1
						break
					}
					total += s.reps[i].n
					matched++
				}
				if matched > 0 && total >= 0 && want >= total {
					report(p.minAvail, fmt.Sprintf("sets minAvailable: %d while the workloads it selects run %d in all", want, total))
				}
			}
		}
		return out
	},
}

var drainNoReadinessProbe = &Rule{
	ID: "drain-no-readiness-probe", Title: "Container has no readiness probe", Severity: Info, Since: always,
	Rationale: "When a drain evicts a pod, its replacement counts as ready as soon as its containers start unless a readiness " +
		"probe says otherwise, so Services send it traffic and PodDisruptionBudgets let the drain move on before it can serve " +
		"(eksup K8S006).",
	Fix:     "Add a readinessProbe that passes only when the container can serve.",
	Example: "containers:\n  - name: web\n    image: nginx\n",
	Source:  eksupChecks,
	Kinds:   workloadKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		root, _ := d.Node()
		if scan.ScalarValue(scan.MapPath(root, "spec", "replicas")) == "0" {
			return nil
		}
		var out []Finding
		for _, c := range p.Containers {
			if c.List != "containers" || scan.MapGet(c.Node, "readinessProbe") != nil {
				continue
			}
			// On the container's name, not its first key: kustomize output
			// sorts keys, and a file and its kustomize copy must agree.
			at := scan.PosOf(c.Node)
			if k, _ := scan.MapEntry(c.Node, "name"); k != nil {
				at = scan.PosOf(k)
			}
			out = append(out, r.Finding(d, env, at, fmt.Sprintf("Container %s of %s %s has no readinessProbe: after a node "+
				"drain its new pod counts as ready as soon as it starts, before it can serve. Add a readinessProbe.", c.Name, d.Sig.Kind, d.Sig.Name)))
		}
		return out
	}),
}

// selector is a label selector: matchLabels and matchExpressions.
type selector struct {
	// none selects nothing (a missing selector, or an empty one in policy/v1beta1).
	none   bool
	labels map[string]string
	exprs  []selectorExpr
}

type selectorExpr struct {
	key, op string
	values  []string
}

// readSelector reads a label selector node. An empty selector selects
// everything when emptyMeansAll, else nothing; a missing one selects nothing.
func readSelector(n *yaml.Node, emptyMeansAll bool) selector {
	if n == nil || n.Kind != yaml.MappingNode {
		return selector{none: true}
	}
	s := selector{labels: scan.StringMap(scan.MapGet(n, "matchLabels"))}
	for _, e := range scan.Items(scan.MapGet(n, "matchExpressions")) {
		x := selectorExpr{key: scan.ScalarValue(scan.MapGet(e, "key")), op: scan.ScalarValue(scan.MapGet(e, "operator"))}
		for _, v := range scan.Items(scan.MapGet(e, "values")) {
			x.values = append(x.values, scan.ScalarValue(v))
		}
		s.exprs = append(s.exprs, x)
	}
	if len(s.labels) == 0 && len(s.exprs) == 0 && !emptyMeansAll {
		s.none = true
	}
	return s
}

// matches reports whether the selector selects pods with labels.
func (s selector) matches(labels map[string]string) bool {
	if s.none {
		return false
	}
	for k, v := range s.labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, e := range s.exprs {
		v, ok := labels[e.key]
		switch strings.ToLower(e.op) {
		case "in":
			if !ok || !slices.Contains(e.values, v) {
				return false
			}
		case "notin":
			if ok && slices.Contains(e.values, v) {
				return false
			}
		case "exists":
			if !ok {
				return false
			}
		case "doesnotexist":
			if ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}
