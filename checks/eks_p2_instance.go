package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

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
			reqs := scan.MapPath(root, "spec", "template", "spec", "requirements")
			if reqs == nil {
				reqs = scan.MapPath(root, "spec", "requirements")
			}
			for _, e := range scan.Items(reqs) {
				k := scan.MapGet(e, "key")
				if k == nil || !strings.EqualFold(scan.ScalarValue(scan.MapGet(e, "operator")), "In") {
					continue
				}
				lk := labelKey{key: scan.ScalarValue(k), node: k}
				if lk.key == "karpenter.k8s.aws/instance-family" {
					lk.key = instanceTypeLabels[0] // the same test holds: the family is p2
				}
				for _, v := range scan.Items(scan.MapGet(e, "values")) {
					lk.values = append(lk.values, scan.ScalarValue(v))
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
			out = append(out, r.Finding(d, env, scan.PosOf(lk.node), fmt.Sprintf("Selects only P2 instances (%s): EKS accelerated AMIs "+
				"for 1.25 and later ship NVIDIA drivers that do not support P2, so GPU workloads there fail after the node upgrade. "+
				"Move to P3, P4 or P5 instance types.", strings.Join(lk.values, ", "))))
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
