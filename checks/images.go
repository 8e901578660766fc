package checks

import (
	"fmt"
	"slices"
	"strings"

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
				f := r.Finding(d, env, pos(c.ImageNode), fmt.Sprintf("Image %s comes from %s, frozen since %s: it gets no new images "+
					"or security fixes (none for Kubernetes 1.27+) and is being phased out. Pull the same path from %s.",
					c.Image, reg.Host, reg.Frozen, reg.Replacement))
				f.URL = reg.Source
				if s, _, ok := scalarInner(d.File, c.ImageNode); ok && strings.HasPrefix(c.ImageNode.Value, reg.Host+"/") {
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
				f := r.Finding(d, env, pos(c.ImageNode), fmt.Sprintf("Image %s is the %s controller; the project was retired in %s "+
					"and ships no more fixes, security patches included. Plan the move to a maintained ingress controller or the Gateway API.",
					c.Image, ri.Project, ri.Retired))
				f.URL = ri.Source
				out = append(out, f)
			}
		}
		return out
	}),
}

var eksAddonVersion = &Rule{
	ID: "eks-addon-version", Title: "Cluster add-on image version does not fit the target", Severity: Warning, Since: always, Platform: PlatformEKS,
	Rationale: "Cluster add-ons have version rules of their own: kube-proxy must not be newer than the control plane nor too " +
		"far behind, Cluster Autoscaler's minor must equal the cluster's, VPC CNI before 1.12 crashes on 1.26, CoreDNS and " +
		"VPC CNI need minimum versions to refresh service-account tokens, and the AWS Load Balancer Controller needs v2.4.7 " +
		"for 1.25. A self-managed add-on manifest pins the image, so the upgrade does not move it.",
	Fix:     "Update the add-on image (or switch to the EKS managed add-on) to a version that fits the target, in the order the message gives.",
	Example: "containers:\n  - name: cluster-autoscaler\n    image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.24.3\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, c := range p.Containers {
			ref := ParseImage(c.Image)
			rel, ok := ParseRelease(ref.Tag)
			if !ok {
				continue
			}
			row, msg := addonViolation(ref, rel, env.Target)
			if row == nil {
				continue
			}
			f := r.Finding(d, env, pos(c.ImageNode), fmt.Sprintf("%s image %s is %s: %s. %s", row.Component, c.Image, rel, row.Why, msg))
			f.Severity, f.URL = row.Severity, row.Source
			out = append(out, f)
		}
		return out
	}),
}

// addonViolation returns the worst add-on table row an image breaks at
// target (nil when none) and the advice for it. Of the same-minor and skew
// rows of a component only the newest that applies counts; every minimum
// row that applies counts.
func addonViolation(ref ImageRef, rel Release, target Version) (*Addon, string) {
	var worst *Addon
	var advice string
	newest := map[string]*Addon{}
	for i := range Data.Addons {
		a := &Data.Addons[i]
		if !slices.Contains(a.Images, ref.Name()) || target.Less(MustVersion(a.From)) {
			continue
		}
		if a.Check != "minimum" {
			newest[a.Component+"\x00"+a.Check] = a
		}
	}
	for i := range Data.Addons {
		a := &Data.Addons[i]
		if !slices.Contains(a.Images, ref.Name()) || target.Less(MustVersion(a.From)) {
			continue
		}
		var msg string
		switch a.Check {
		case "minimum":
			if min := MustRelease(a.Minimum); rel.Less(min) {
				msg = fmt.Sprintf("Upgrade it to %s or later before moving to Kubernetes %s", min, target)
			}
		case "same-minor":
			if newest[a.Component+"\x00"+a.Check] == a && (rel.Major != target.Major || rel.Minor != target.Minor) {
				msg = fmt.Sprintf("Use a %s.x image together with the Kubernetes %s upgrade", target, target)
			}
		case "skew":
			if newest[a.Component+"\x00"+a.Check] != a || rel.Major != target.Major {
				break
			}
			if rel.Minor > target.Minor {
				msg = fmt.Sprintf("It is newer than a %s control plane; keep a %s.x image until the control plane is upgraded", target, target)
			} else if rel.Minor < target.Minor-a.Older {
				msg = fmt.Sprintf("It is more than %d minors older than Kubernetes %s; move it to %s.x after the control plane and nodes", a.Older, target, target)
			}
		}
		if msg != "" && (worst == nil || a.Severity >= worst.Severity) {
			worst, advice = a, msg+"."
		}
	}
	return worst, advice
}
