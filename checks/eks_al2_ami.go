package checks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var eksAL2AMI = &Rule{
	ID: "eks-al2-ami", Title: "Node group on Amazon Linux 2, which EKS 1.33 no longer ships",
	Severity: Warning, Since: "1.32", Platform: PlatformEKS,
	SeverityAt: stepped(step{"1.32", Warning}, step{"1.33", Error}),
	Rationale: "EKS 1.32 is the last version with EKS-optimized Amazon Linux 2 AMIs; from 1.33 only AL2023 and Bottlerocket " +
		"are published, so node groups declared on AL2 cannot move to 1.33.",
	Fix:     "Switch the node group to AmazonLinux2023 (or Bottlerocket) and test workloads on it before the upgrade.",
	Example: "kind: ClusterConfig\nmanagedNodeGroups:\n  - name: ng-1\n    amiFamily: AmazonLinux2\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"ClusterConfig", "EC2NodeClass", "AWSNodeTemplate"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		root, _ := d.Node()
		type use struct {
			node *yaml.Node
			who  string
		}
		var uses []use
		switch {
		case d.Sig.Kind == "ClusterConfig" && apiGroup(d.Sig.APIVersion) == "eksctl.io":
			for _, list := range []string{"nodeGroups", "managedNodeGroups"} {
				for _, ng := range scan.Items(scan.MapGet(root, list)) {
					if v := scan.MapGet(ng, "amiFamily"); scan.ScalarValue(v) == "AmazonLinux2" {
						uses = append(uses, use{v, "Node group " + scan.StringValue(scan.MapGet(ng, "name")) + " uses amiFamily AmazonLinux2"})
					}
				}
			}
		case apiGroup(d.Sig.APIVersion) == "karpenter.k8s.aws":
			if v := scan.MapPath(root, "spec", "amiFamily"); scan.ScalarValue(v) == "AL2" {
				uses = append(uses, use{v, d.Sig.Kind + " " + d.Sig.Name + " uses amiFamily AL2"})
			}
			for _, t := range scan.Items(scan.MapPath(root, "spec", "amiSelectorTerms")) {
				if v := scan.MapGet(t, "alias"); strings.HasPrefix(strings.ToLower(scan.ScalarValue(v)), "al2@") {
					uses = append(uses, use{v, d.Sig.Kind + " " + d.Sig.Name + " selects AMI alias " + scan.ScalarValue(v)})
				}
			}
		}
		var out []Finding
		for _, u := range uses {
			msg := u.who + ": EKS publishes no Amazon Linux 2 AMIs from 1.33, so these nodes cannot move to Kubernetes 1.33. " +
				"Switch to AL2023 or Bottlerocket."
			if env.Target.Less(Version{1, 33}) {
				msg = u.who + ": EKS 1.32 is the last version with Amazon Linux 2 AMIs. Switch to AL2023 or Bottlerocket before moving to 1.33."
			}
			out = append(out, r.Finding(d, env, scan.PosOf(u.node), msg))
		}
		return out
	},
}
