package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var eksAnonymousBinding = &Rule{
	ID: "eks-anonymous-binding", Title: "Binding grants access to anonymous requests, which EKS 1.32 refuses",
	Severity: Error, Since: "1.32", Platform: PlatformEKS,
	Rationale: "From EKS 1.32 the API server accepts anonymous requests only for /healthz, /livez and /readyz; every " +
		"other anonymous request gets 401 whatever RBAC grants. A RoleBinding or ClusterRoleBinding to the user " +
		"system:anonymous or the group system:unauthenticated stops working.",
	Fix:     "Give the client credentials (a ServiceAccount token or IAM identity) and bind the role to that identity.",
	Example: "kind: ClusterRoleBinding\nsubjects:\n  - kind: Group\n    name: system:unauthenticated\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"RoleBinding", "ClusterRoleBinding"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if apiGroup(d.Sig.APIVersion) != "rbac.authorization.k8s.io" {
			return nil
		}
		root, _ := d.Node()
		if scan.StringValue(scan.MapPath(root, "roleRef", "name")) == "system:public-info-viewer" {
			return nil // the default binding for health and version endpoints
		}
		var out []Finding
		for _, s := range scan.Items(scan.MapGet(root, "subjects")) {
			kind, name := scan.StringValue(scan.MapGet(s, "kind")), scan.MapGet(s, "name")
			if (kind == "User" && scan.StringValue(name) == "system:anonymous") || (kind == "Group" && scan.StringValue(name) == "system:unauthenticated") {
				msg := fmt.Sprintf("%s binds %s %s: from EKS 1.32 anonymous requests are refused (401) except for "+
					"/healthz, /livez and /readyz, so this grant stops working. Authenticate the client and bind the role to its identity.",
					d.Sig.Kind, strings.ToLower(kind), scan.StringValue(name))
				out = append(out, r.Finding(d, env, scan.PosOf(name), msg))
			}
		}
		return out
	},
}
