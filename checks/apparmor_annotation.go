package checks

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// appArmorKey prefixes the beta AppArmor annotation, one per container.
const appArmorKey = "container.apparmor.security.beta.kubernetes.io/"

var appArmorAnnotation = &Rule{
	ID: "apparmor-annotation", Title: "AppArmor profile set by a deprecated beta annotation", Severity: Warning, Since: "1.30",
	Rationale: "Kubernetes 1.30 deprecated the container.apparmor.security.beta.kubernetes.io annotations in favour of " +
		"securityContext.appArmorProfile (GA in 1.31); the API server warns on every pod that uses them, and EKS 1.34 " +
		"describes AppArmor support itself as deprecated.",
	Fix:     "Set securityContext.appArmorProfile {type: RuntimeDefault | Localhost | Unconfined} on the container and remove the annotation.",
	Example: "metadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: runtime/default\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.30.md",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		scan.Pairs(p.Annotations, func(k, v *yaml.Node) {
			name, ok := strings.CutPrefix(k.Value, appArmorKey)
			if !ok {
				return
			}
			if c := p.Container(name); c != nil && scan.MapPath(c.Node, "securityContext", "appArmorProfile") != nil {
				return
			}
			out = append(out, r.Finding(d, env, scan.PosOf(k), fmt.Sprintf("Annotation %s is deprecated from Kubernetes 1.30. "+
				"Set securityContext.appArmorProfile on container %s instead and remove the annotation.", k.Value, name)))
		})
		return out
	}),
}
