package checks

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var pspRBAC = &Rule{
	ID: "psp-rbac", Title: "RBAC rule grants use of PodSecurityPolicies", Severity: Warning, Since: "1.25",
	Rationale: "Kubernetes 1.25 removed PodSecurityPolicy and its admission plugin. A Role or ClusterRole rule granting " +
		"`use` on podsecuritypolicies no longer does anything: the pods it was meant to constrain run unchecked " +
		"unless Pod Security Admission or a policy engine takes over.",
	Fix: "Delete the rule (and the role and its bindings if that was all they granted) and enforce pod security " +
		"with Pod Security Admission namespace labels.",
	Example: "kind: ClusterRole\nrules:\n  - apiGroups: [policy]\n    resources: [podsecuritypolicies]\n    verbs: [use]\n",
	Source:  "https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/",
	Kinds:   []string{"Role", "ClusterRole"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if apiGroup(d.Sig.APIVersion) != "rbac.authorization.k8s.io" {
			return nil
		}
		root, _ := d.Node()
		var out []Finding
		for _, rule := range scan.Items(scan.MapGet(root, "rules")) {
			if !grantsPSPUse(rule) {
				continue
			}
			msg := fmt.Sprintf("%s grants `use` on podsecuritypolicies, which does nothing from Kubernetes 1.25 on: "+
				"the PodSecurityPolicy API and its admission plugin are removed. Delete this rule and enforce pod security "+
				"with Pod Security Admission namespace labels.", d.Sig.Kind)
			if strings.HasPrefix(d.Sig.Name, "eks:podsecuritypolicy:") {
				msg += " EKS migrates its own eks.privileged policy; remove this copy so it is not re-applied."
			}
			out = append(out, r.Finding(d, env, scan.PosOf(rule), msg))
		}
		return out
	},
}

// grantsPSPUse reports whether an RBAC policy rule grants the verb use on
// podsecuritypolicies in the policy or extensions group.
func grantsPSPUse(rule *yaml.Node) bool {
	values := func(key string) []string {
		var out []string
		for _, v := range scan.Items(scan.MapGet(rule, key)) {
			out = append(out, scan.ScalarValue(v))
		}
		return out
	}
	groups, resources, verbs := values("apiGroups"), values("resources"), values("verbs")
	if !slices.Contains(resources, "podsecuritypolicies") {
		return false
	}
	if !slices.Contains(verbs, "use") && !slices.Contains(verbs, "*") {
		return false
	}
	return len(groups) == 0 || slices.Contains(groups, "policy") || slices.Contains(groups, "extensions") || slices.Contains(groups, "*")
}
