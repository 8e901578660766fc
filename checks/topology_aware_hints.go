package checks

import "github.com/kubeready/kubeready/scan"

var topologyAwareHints = &Rule{
	ID: "topology-aware-hints", Title: "Service uses the superseded topology-aware-hints annotation", Severity: Warning, Since: "1.27",
	Rationale: "Kubernetes 1.27 replaced the service.kubernetes.io/topology-aware-hints annotation with " +
		"service.kubernetes.io/topology-mode (later releases add spec.trafficDistribution); the old annotation is still " +
		"read for now but is on its way out.",
	Fix:     "Use service.kubernetes.io/topology-mode: Auto, or spec.trafficDistribution.",
	Example: "kind: Service\nmetadata:\n  annotations:\n    service.kubernetes.io/topology-aware-hints: auto\n",
	Source:  "https://kubernetes.io/docs/concepts/services-networking/topology-aware-routing/",
	Kinds:   []string{"Service"},
	Check: v1AnnotationCheck("service.kubernetes.io/topology-aware-hints", "Annotation service.kubernetes.io/topology-aware-hints is superseded from Kubernetes 1.27 "+
		"by service.kubernetes.io/topology-mode (the old one is still read for now). Use service.kubernetes.io/topology-mode: Auto or spec.trafficDistribution."),
}

// v1AnnotationCheck reports the annotation key on a core v1 object, at the
// key's line, with msg.
func v1AnnotationCheck(key, msg string) func(*Rule, *scan.Document, Env) []Finding {
	return func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		k, _ := scan.MapEntry(scan.MapPath(root, "metadata", "annotations"), key)
		if k == nil {
			return nil
		}
		return []Finding{r.Finding(d, env, scan.PosOf(k), msg)}
	}
}
