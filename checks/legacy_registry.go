package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

var legacyRegistry = &Rule{
	ID: "legacy-registry", Title: "Image pulled from the frozen k8s.gcr.io registry", Severity: Warning, Since: always,
	Rationale: "Kubernetes 1.25 made registry.k8s.io the project's registry. k8s.gcr.io was redirected there from " +
		"2023-03-20 and frozen on 2023-04-03: it gets no new images, patches or security fixes (no Kubernetes 1.27+ images " +
		"at all), egress allow-lists that only permit k8s.gcr.io break, and the host is being phased out.",
	Fix:     "Pull the same path from registry.k8s.io (or mirror it into your own registry).",
	Example: "containers:\n  - name: autoscaler\n    image: k8s.gcr.io/autoscaling/cluster-autoscaler:v1.24.0\n",
	Source:  "https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, c := range p.Containers {
			ref := ParseImage(c.Image)
			for _, reg := range Data.Registries {
				if ref.Host != reg.Host {
					continue
				}
				f := r.Finding(d, env, scan.PosOf(c.ImageNode), fmt.Sprintf("Image %s comes from %s, frozen since %s: it gets no new images "+
					"or security fixes (none for Kubernetes 1.27+) and is being phased out. Pull the same path from %s.",
					c.Image, reg.Host, reg.Frozen, reg.Replacement))
				f.URL = reg.Source
				if s, _, ok := yamledit.ScalarRange(d.File, c.ImageNode); ok && strings.HasPrefix(c.ImageNode.Value, reg.Host+"/") {
					f.Fixes = []Fix{{
						Description: fmt.Sprintf("Pull the image from %s", reg.Replacement),
						Safe:        true,
						Edits:       []Edit{{Path: d.File.Path, Start: s, End: s + len(reg.Host), New: reg.Replacement}},
					}}
				}
				out = append(out, f)
			}
		}
		return out
	}),
}
