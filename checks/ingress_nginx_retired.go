package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var ingressNginxRetired = &Rule{
	ID: "ingress-nginx-retired", Title: "ingress-nginx controller image, a retired project", Severity: Warning, Since: always,
	Rationale: "The Kubernetes ingress-nginx project was retired in March 2026: no further releases, fixes or security " +
		"patches, so every later Kubernetes upgrade runs an ingress controller nobody tests against it. EKS 1.35 release notes " +
		"call this out.",
	Fix:     "Plan the move to a maintained ingress controller or the Gateway API (on EKS, the AWS Load Balancer Controller).",
	Example: "containers:\n  - name: controller\n    image: registry.k8s.io/ingress-nginx/controller:v1.9.4\n",
	Source:  "https://kubernetes.io/blog/2026/01/29/ingress-nginx-statement/",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, c := range p.Containers {
			repo := ParseImage(c.Image).Repository
			for _, ri := range Data.Retired {
				if repo != ri.Repository && !strings.HasSuffix(repo, "/"+ri.Repository) {
					continue
				}
				f := r.Finding(d, env, scan.PosOf(c.ImageNode), fmt.Sprintf("Image %s is the %s controller; the project was retired in %s "+
					"and ships no more fixes, security patches included. Plan the move to a maintained ingress controller or the Gateway API.",
					c.Image, ri.Project, ri.Retired))
				f.URL = ri.Source
				out = append(out, f)
			}
		}
		return out
	}),
}
