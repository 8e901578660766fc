package checks

import "github.com/kubeready/kubeready/scan"

var serviceExternalIPs = &Rule{
	ID: "service-external-ips", Title: "Service spec.externalIPs, deprecated in 1.36", Severity: Warning, Since: "1.36",
	Rationale: "Kubernetes 1.36 deprecated Service spec.externalIPs (API warnings; removal planned for 1.43): the field lets " +
		"any Service owner claim traffic for arbitrary IPs.",
	Fix:     "Expose the Service as type LoadBalancer or NodePort, or through the Gateway API.",
	Example: "kind: Service\nspec:\n  externalIPs: [203.0.113.10]\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"Service"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		k, v := scan.MapEntry(scan.MapGet(root, "spec"), "externalIPs")
		if k == nil || len(scan.Items(v)) == 0 {
			return nil
		}
		return []Finding{r.Finding(d, env, scan.PosOf(k), "spec.externalIPs is deprecated from Kubernetes 1.36 and planned for removal in 1.43. "+
			"Expose the Service as a LoadBalancer or NodePort, or through the Gateway API.")}
	},
}
