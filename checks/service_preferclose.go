package checks

import (
	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

var servicePreferClose = &Rule{
	ID: "service-preferclose", Title: "Service trafficDistribution PreferClose, deprecated in 1.34", Severity: Warning, Since: "1.34",
	Rationale: "Kubernetes 1.34 deprecated spec.trafficDistribution: PreferClose in favour of PreferSameZone, which means " +
		"the same thing (PreferSameNode is new).",
	Fix:     "Set spec.trafficDistribution: PreferSameZone.",
	Example: "kind: Service\nspec:\n  trafficDistribution: PreferClose\n",
	Source:  "https://kubernetes.io/blog/2025/08/27/kubernetes-v1-34-release/",
	Kinds:   []string{"Service"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		v := scan.MapPath(root, "spec", "trafficDistribution")
		if scan.ScalarValue(v) != "PreferClose" {
			return nil
		}
		f := r.Finding(d, env, scan.PosOf(v), "spec.trafficDistribution: PreferClose is deprecated from Kubernetes 1.34. Use PreferSameZone, which means the same.")
		if e, ok := yamledit.ReplaceScalar(d.File, v, "PreferSameZone"); ok {
			f.Fixes = []Fix{{Description: "Set trafficDistribution to PreferSameZone", Safe: true, Edits: []Edit{e}}}
		}
		return []Finding{f}
	},
}
