package checks

import "github.com/kubeready/kubeready/scan"

var endpointsDeprecated = &Rule{
	ID: "endpoints-deprecated", Title: "core/v1 Endpoints, deprecated in 1.33", Severity: Info, Since: "1.33",
	Rationale: "Kubernetes 1.33 deprecated the core/v1 Endpoints API in favour of discovery.k8s.io/v1 EndpointSlice; " +
		"requests get warnings. It is not scheduled for removal, so nothing breaks yet.",
	Fix:     "For a Service without a selector, publish EndpointSlices (with the kubernetes.io/service-name label) instead.",
	Example: "apiVersion: v1\nkind: Endpoints\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html",
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.Kind != "Endpoints" || d.Sig.APIVersion != "v1" {
			return nil
		}
		f := r.Finding(d, env, d.Sig.KindPos, "The core/v1 Endpoints API is deprecated from Kubernetes 1.33 (warnings; no removal planned). "+
			"Publish discovery.k8s.io/v1 EndpointSlices for this Service instead.")
		f.ObjectLevel = true
		return []Finding{f}
	},
}
