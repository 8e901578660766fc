package checks

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

var betaNodeLabels = &Rule{
	ID: "beta-node-labels", Title: "Selects nodes by a deprecated beta label", Severity: Warning, Since: "1.25",
	Rationale: "The beta node labels (beta.kubernetes.io/arch, beta.kubernetes.io/os, beta.kubernetes.io/instance-type, " +
		"failure-domain.beta.kubernetes.io/zone and /region) were replaced by GA labels in 1.14 and 1.17; from 1.25 the API " +
		"server warns on every object that selects on them. Node images are not bound to keep setting them, and a selector " +
		"on a label no node carries leaves pods Pending.",
	Fix:     "Use the GA label: kubernetes.io/arch, kubernetes.io/os, node.kubernetes.io/instance-type, topology.kubernetes.io/zone or topology.kubernetes.io/region.",
	Example: "nodeSelector:\n  beta.kubernetes.io/os: linux\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.25.md",
	Kinds:   append([]string{"PersistentVolume", "StorageClass", "RuntimeClass"}, PodSpecKinds...),
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var out []Finding
		for _, lk := range nodeLabelKeys(d) {
			for _, l := range Data.NodeLabels {
				if lk.key != l.Beta {
					continue
				}
				f := r.Finding(d, env, scan.PosOf(lk.node), fmt.Sprintf("Node label %s is deprecated since Kubernetes %s and warned about from 1.25; "+
					"nodes are not bound to keep it, and pods selecting on it would stay Pending. Use %s.", l.Beta, l.Deprecated, l.GA))
				f.URL = l.Source
				if e, ok := yamledit.ReplaceScalar(d.File, lk.node, l.GA); ok {
					fix := Fix{Description: "Use " + l.GA, Safe: true, Edits: []Edit{e}}
					switch d.Sig.Kind {
					case "PersistentVolume":
						fix.Safe, fix.Reason = false, "A PersistentVolume's nodeAffinity is immutable: a live cluster rejects the change."
					case "StorageClass":
						fix.Safe, fix.Reason = false, "A StorageClass's allowedTopologies is immutable: re-create the StorageClass."
					case "Pod":
						fix.Safe, fix.Reason = false, "A Pod's scheduling constraints are immutable: the Pod must be re-created."
					case "Job":
						fix.Safe, fix.Reason = false, "A Job's pod template is immutable: the Job must be re-created."
					}
					f.Fixes = []Fix{fix}
				}
				out = append(out, f)
			}
		}
		return out
	},
}

// labelKey is a node label key written in a manifest: as a mapping key
// (nodeSelector) or as the value of a key/topologyKey field.
type labelKey struct {
	// key is the label key; node is where it is written.
	key  string
	node *yaml.Node
	// values are the label values the selector accepts, when it says.
	values []string
}

// nodeLabelKeys lists the node label keys a document selects on: pod
// nodeSelector, node affinity, pod (anti-)affinity and topology spread
// topology keys, PersistentVolume node affinity, StorageClass allowed
// topologies and RuntimeClass scheduling.
func nodeLabelKeys(d *scan.Document) []labelKey {
	var out []labelKey
	selectorKeys := func(m *yaml.Node) {
		scan.Pairs(m, func(k, v *yaml.Node) { out = append(out, labelKey{k.Value, k, []string{scan.ScalarValue(v)}}) })
	}
	exprKeys := func(terms *yaml.Node, field string) {
		for _, t := range scan.Items(terms) {
			for _, e := range scan.Items(scan.MapGet(t, field)) {
				if k := scan.MapGet(e, "key"); k != nil {
					lk := labelKey{key: scan.ScalarValue(k), node: k}
					if strings.EqualFold(scan.ScalarValue(scan.MapGet(e, "operator")), "In") {
						for _, v := range scan.Items(scan.MapGet(e, "values")) {
							lk.values = append(lk.values, scan.ScalarValue(v))
						}
					}
					out = append(out, lk)
				}
			}
		}
	}
	topologyKeys := func(terms *yaml.Node, path ...string) {
		for _, t := range scan.Items(terms) {
			if k := scan.MapPath(t, path...); k != nil {
				out = append(out, labelKey{key: scan.ScalarValue(k), node: k})
			}
		}
	}
	root, _ := d.Node()
	switch d.Sig.Kind {
	case "PersistentVolume":
		exprKeys(scan.MapPath(root, "spec", "nodeAffinity", "required", "nodeSelectorTerms"), "matchExpressions")
	case "StorageClass":
		exprKeys(scan.MapGet(root, "allowedTopologies"), "matchLabelExpressions")
	case "RuntimeClass":
		selectorKeys(scan.MapPath(root, "scheduling", "nodeSelector"))
	default:
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		selectorKeys(scan.MapGet(p.Spec, "nodeSelector"))
		na := scan.MapPath(p.Spec, "affinity", "nodeAffinity")
		exprKeys(scan.MapPath(na, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"), "matchExpressions")
		for _, pref := range scan.Items(scan.MapGet(na, "preferredDuringSchedulingIgnoredDuringExecution")) {
			if m := scan.MapGet(pref, "preference"); m != nil {
				exprKeys(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}}, "matchExpressions")
			}
		}
		for _, kind := range []string{"podAffinity", "podAntiAffinity"} {
			a := scan.MapPath(p.Spec, "affinity", kind)
			topologyKeys(scan.MapGet(a, "requiredDuringSchedulingIgnoredDuringExecution"), "topologyKey")
			topologyKeys(scan.MapGet(a, "preferredDuringSchedulingIgnoredDuringExecution"), "podAffinityTerm", "topologyKey")
		}
		topologyKeys(scan.MapGet(p.Spec, "topologySpreadConstraints"), "topologyKey")
	}
	return out
}
