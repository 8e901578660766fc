package checks

import (
	"fmt"
	"slices"

	"github.com/kubeready/kubeready/scan"
)

var eksAddonVersion = &Rule{
	ID: "eks-addon-version", Title: "Cluster add-on image version does not fit the target", Severity: Warning, Since: always, Platform: PlatformEKS,
	Rationale: "Cluster add-ons have version rules of their own: kube-proxy must not be newer than the control plane nor too " +
		"far behind, Cluster Autoscaler's minor must equal the cluster's, VPC CNI before 1.12 crashes on 1.26, CoreDNS, AWS for Fluent Bit, Fluentd, the CNI metrics helper and " +
		"VPC CNI need minimum versions to refresh service-account tokens, and the AWS Load Balancer Controller needs v2.4.7 " +
		"for 1.25. A self-managed add-on manifest pins the image, so the upgrade does not move it.",
	Fix: "Update the add-on image (or switch to the EKS managed add-on) to a version that fits the target, in the order the message gives. " +
		"Only the upstream repositories (and mirrors that keep their path) are checked: a fork under another path has versions of its own.",
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
			f := r.Finding(d, env, scan.PosOf(c.ImageNode), fmt.Sprintf("%s image %s is %s: %s. %s", row.Component, c.Image, rel, row.Why, msg))
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
		if !slices.Contains(a.Repositories, ref.Repository) || target.Less(MustVersion(a.From)) {
			continue
		}
		if a.Check != "minimum" {
			newest[a.Component+"\x00"+a.Check] = a
		}
	}
	for i := range Data.Addons {
		a := &Data.Addons[i]
		if !slices.Contains(a.Repositories, ref.Repository) || target.Less(MustVersion(a.From)) {
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
