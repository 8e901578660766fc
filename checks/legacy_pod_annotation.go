package checks

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var legacyPodAnnotation = &Rule{
	ID: "legacy-pod-annotation", Title: "Pod annotation that no longer has any effect", Severity: Warning, Since: always,
	Rationale: "Some alpha pod annotations were replaced by fields long ago and are now ignored (the API server only warns): " +
		"a critical-pod annotation no longer protects the pod from eviction and sysctl annotations set nothing.",
	Fix:     "Use the field named in the message and remove the annotation.",
	Example: "metadata:\n  annotations:\n    scheduler.alpha.kubernetes.io/critical-pod: \"\"\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/pkg/api/pod/warnings.go",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		scan.Pairs(p.Annotations, func(k, v *yaml.Node) {
			for _, a := range Data.PodAnnotations {
				if k.Value == a.Key {
					f := r.Finding(d, env, scan.PosOf(k), fmt.Sprintf("Annotation %s has had no effect since Kubernetes %s. Use %s instead.", a.Key, a.Since, a.Instead))
					f.URL = a.Source
					out = append(out, f)
				}
			}
		})
		return out
	}),
}
