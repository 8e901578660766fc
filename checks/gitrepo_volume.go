package checks

import (
	"fmt"

	"github.com/kubeready/kubeready/scan"
)

var gitRepoVolume = &Rule{
	ID: "gitrepo-volume", Title: "gitRepo volume, disabled from 1.33", Severity: Warning, Since: always,
	SeverityAt: stepped(step{always, Warning}, step{"1.33", Error}),
	Rationale: "gitRepo volumes have been deprecated since 1.11. Kubernetes 1.33 turns them off by default (feature gate " +
		"GitRepoVolumeDriver) and 1.36 locks them off: the API still accepts the pod but the kubelet refuses to run it. " +
		"EKS does not let you re-enable kubelet feature gates.",
	Fix:     "Clone the repository in an init container into an emptyDir volume, or run a git-sync sidecar.",
	Example: "volumes:\n  - name: src\n    gitRepo:\n      repository: https://example.com/repo.git\n",
	Source:  "https://github.com/kubernetes/kubernetes/pull/129923",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, v := range p.Volumes {
			if v.Source != "gitRepo" {
				continue
			}
			var msg string
			if env.Target.AtLeast(Version{1, 33}) {
				msg = fmt.Sprintf("Volume %s is a gitRepo volume: Kubernetes 1.33 disables them (1.36 for good), so the kubelet refuses to run this pod. "+
					"Clone the repository in an init container into an emptyDir instead.", v.Name)
			} else {
				msg = fmt.Sprintf("Volume %s is a gitRepo volume, deprecated and disabled from Kubernetes 1.33, where the kubelet refuses to run this pod. "+
					"Clone the repository in an init container into an emptyDir instead.", v.Name)
			}
			out = append(out, r.Finding(d, env, scan.PosOf(v.SourceKey), msg))
		}
		return out
	}),
}
