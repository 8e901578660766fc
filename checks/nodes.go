package checks

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

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
		pairs(m, func(k, v *yaml.Node) { out = append(out, labelKey{k.Value, k, []string{scalar(v)}}) })
	}
	exprKeys := func(terms *yaml.Node, field string) {
		for _, t := range items(terms) {
			for _, e := range items(scan.MapGet(t, field)) {
				if k := scan.MapGet(e, "key"); k != nil {
					lk := labelKey{key: scalar(k), node: k}
					if strings.EqualFold(scalar(scan.MapGet(e, "operator")), "In") {
						for _, v := range items(scan.MapGet(e, "values")) {
							lk.values = append(lk.values, scalar(v))
						}
					}
					out = append(out, lk)
				}
			}
		}
	}
	topologyKeys := func(terms *yaml.Node, path ...string) {
		for _, t := range items(terms) {
			if k := at(t, path...); k != nil {
				out = append(out, labelKey{key: scalar(k), node: k})
			}
		}
	}
	root, _ := d.Node()
	switch d.Sig.Kind {
	case "PersistentVolume":
		exprKeys(at(root, "spec", "nodeAffinity", "required", "nodeSelectorTerms"), "matchExpressions")
	case "StorageClass":
		exprKeys(scan.MapGet(root, "allowedTopologies"), "matchLabelExpressions")
	case "RuntimeClass":
		selectorKeys(at(root, "scheduling", "nodeSelector"))
	default:
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		selectorKeys(scan.MapGet(p.Spec, "nodeSelector"))
		na := at(p.Spec, "affinity", "nodeAffinity")
		exprKeys(at(na, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"), "matchExpressions")
		for _, pref := range items(scan.MapGet(na, "preferredDuringSchedulingIgnoredDuringExecution")) {
			if m := scan.MapGet(pref, "preference"); m != nil {
				exprKeys(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}}, "matchExpressions")
			}
		}
		for _, kind := range []string{"podAffinity", "podAntiAffinity"} {
			a := at(p.Spec, "affinity", kind)
			topologyKeys(scan.MapGet(a, "requiredDuringSchedulingIgnoredDuringExecution"), "topologyKey")
			topologyKeys(scan.MapGet(a, "preferredDuringSchedulingIgnoredDuringExecution"), "podAffinityTerm", "topologyKey")
		}
		topologyKeys(scan.MapGet(p.Spec, "topologySpreadConstraints"), "topologyKey")
	}
	return out
}

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
				f := r.Finding(d, env, pos(lk.node), fmt.Sprintf("Node label %s is deprecated since Kubernetes %s and warned about from 1.25; "+
					"nodes are not bound to keep it, and pods selecting on it would stay Pending. Use %s.", l.Beta, l.Deprecated, l.GA))
				f.URL = l.Source
				if e, ok := replaceScalar(d.File, lk.node, l.GA); ok {
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

// instanceTypeLabels are the node labels that carry the EC2 instance type.
var instanceTypeLabels = []string{"node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"}

// onlyP2 reports whether every value names a P2 instance type (or the p2 family).
func onlyP2(values []string) bool {
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		if v != "p2" && !strings.HasPrefix(v, "p2.") {
			return false
		}
	}
	return true
}

var eksP2Instance = &Rule{
	ID: "eks-p2-instance", Title: "Pods pinned to P2 instances, unsupported by EKS 1.25+ accelerated AMIs",
	Severity: Error, Since: "1.25", Platform: PlatformEKS,
	Rationale: "EKS-optimized accelerated AMIs for 1.25 and later ship NVIDIA 525+ drivers, which do not support P2 " +
		"instances: GPU workloads pinned to P2 nodes have no usable GPU after the node upgrade.",
	Fix:     "Target P3, P4 or P5 instance types.",
	Example: "nodeSelector:\n  node.kubernetes.io/instance-type: p2.xlarge\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html#kubernetes-1.25",
	Kinds:   append([]string{"NodePool", "Provisioner"}, PodSpecKinds...),
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var keys []labelKey
		if d.Sig.Kind == "NodePool" || d.Sig.Kind == "Provisioner" {
			if apiGroup(d.Sig.APIVersion) != "karpenter.sh" {
				return nil
			}
			root, _ := d.Node()
			reqs := at(root, "spec", "template", "spec", "requirements")
			if reqs == nil {
				reqs = at(root, "spec", "requirements")
			}
			for _, e := range items(reqs) {
				k := scan.MapGet(e, "key")
				if k == nil || !strings.EqualFold(scalar(scan.MapGet(e, "operator")), "In") {
					continue
				}
				lk := labelKey{key: scalar(k), node: k}
				if lk.key == "karpenter.k8s.aws/instance-family" {
					lk.key = instanceTypeLabels[0] // the same test holds: the family is p2
				}
				for _, v := range items(scan.MapGet(e, "values")) {
					lk.values = append(lk.values, scalar(v))
				}
				keys = append(keys, lk)
			}
		} else {
			keys = nodeLabelKeys(d)
		}
		var out []Finding
		for _, lk := range keys {
			if !slices.Contains(instanceTypeLabels, lk.key) || !onlyP2(lk.values) {
				continue
			}
			out = append(out, r.Finding(d, env, pos(lk.node), fmt.Sprintf("Selects only P2 instances (%s): EKS accelerated AMIs "+
				"for 1.25 and later ship NVIDIA drivers that do not support P2, so GPU workloads there fail after the node upgrade. "+
				"Move to P3, P4 or P5 instance types.", strings.Join(lk.values, ", "))))
		}
		return out
	},
}

var eksAL2AMI = &Rule{
	ID: "eks-al2-ami", Title: "Node group on Amazon Linux 2, which EKS 1.33 no longer ships",
	Severity: Warning, Since: "1.32", Platform: PlatformEKS,
	SeverityAt: stepped(step{"1.32", Warning}, step{"1.33", Error}),
	Rationale: "EKS 1.32 is the last version with EKS-optimized Amazon Linux 2 AMIs; from 1.33 only AL2023 and Bottlerocket " +
		"are published, so node groups declared on AL2 cannot move to 1.33.",
	Fix:     "Switch the node group to AmazonLinux2023 (or Bottlerocket) and test workloads on it before the upgrade.",
	Example: "kind: ClusterConfig\nmanagedNodeGroups:\n  - name: ng-1\n    amiFamily: AmazonLinux2\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"ClusterConfig", "EC2NodeClass", "AWSNodeTemplate"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		root, _ := d.Node()
		type use struct {
			node *yaml.Node
			who  string
		}
		var uses []use
		switch {
		case d.Sig.Kind == "ClusterConfig" && apiGroup(d.Sig.APIVersion) == "eksctl.io":
			for _, list := range []string{"nodeGroups", "managedNodeGroups"} {
				for _, ng := range items(scan.MapGet(root, list)) {
					if v := scan.MapGet(ng, "amiFamily"); scalar(v) == "AmazonLinux2" {
						uses = append(uses, use{v, "Node group " + str(scan.MapGet(ng, "name")) + " uses amiFamily AmazonLinux2"})
					}
				}
			}
		case apiGroup(d.Sig.APIVersion) == "karpenter.k8s.aws":
			if v := at(root, "spec", "amiFamily"); scalar(v) == "AL2" {
				uses = append(uses, use{v, d.Sig.Kind + " " + d.Sig.Name + " uses amiFamily AL2"})
			}
			for _, t := range items(at(root, "spec", "amiSelectorTerms")) {
				if v := scan.MapGet(t, "alias"); strings.HasPrefix(strings.ToLower(scalar(v)), "al2@") {
					uses = append(uses, use{v, d.Sig.Kind + " " + d.Sig.Name + " selects AMI alias " + scalar(v)})
				}
			}
		}
		var out []Finding
		for _, u := range uses {
			msg := u.who + ": EKS publishes no Amazon Linux 2 AMIs from 1.33, so these nodes cannot move to Kubernetes 1.33. " +
				"Switch to AL2023 or Bottlerocket."
			if env.Target.Less(Version{1, 33}) {
				msg = u.who + ": EKS 1.32 is the last version with Amazon Linux 2 AMIs. Switch to AL2023 or Bottlerocket before moving to 1.33."
			}
			out = append(out, r.Finding(d, env, pos(u.node), msg))
		}
		return out
	},
}
