package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var eksBootstrapShAL2023 = &Rule{
	ID: "eks-bootstrap-sh-al2023", Title: "Node group runs /etc/eks/bootstrap.sh but gets AL2023, which has none",
	Severity: Warning, Since: "1.30", Platform: PlatformEKS,
	Rationale: "From EKS 1.30 new managed node groups default to Amazon Linux 2023, and eksctl picks AmazonLinux2023 when a " +
		"node group names no amiFamily. AL2023 nodes join through nodeadm and a NodeConfig: there is no /etc/eks/bootstrap.sh, " +
		"so an overrideBootstrapCommand or preBootstrapCommands that calls it fails and nodes created from this configuration " +
		"never join (existing node groups keep their AMI family).",
	Fix: "Move the bootstrap settings to a nodeadm NodeConfig (eksctl: overrideBootstrapCommand holds the NodeConfig for " +
		"AL2023), or set amiFamily: AmazonLinux2 explicitly while EKS still ships AL2 AMIs (up to 1.32).",
	Example: "kind: ClusterConfig\nmanagedNodeGroups:\n  - name: ng-1\n    overrideBootstrapCommand: |\n      #!/bin/bash\n      /etc/eks/bootstrap.sh prod\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/al2023.html",
	Kinds:   []string{"ClusterConfig"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if apiGroup(d.Sig.APIVersion) != "eksctl.io" {
			return nil
		}
		root, _ := d.Node()
		var out []Finding
		for _, ng := range scan.Items(scan.MapGet(root, "managedNodeGroups")) {
			fam := scan.ScalarValue(scan.MapGet(ng, "amiFamily"))
			if fam != "" && fam != "AmazonLinux2023" {
				continue
			}
			name := scan.StringValue(scan.MapGet(ng, "name"))
			for _, key := range []string{"overrideBootstrapCommand", "preBootstrapCommands"} {
				v := scan.MapGet(ng, key)
				if v == nil {
					continue
				}
				for _, l := range scriptLines(v) {
					if !strings.Contains(l.text, "/etc/eks/bootstrap.sh") {
						continue
					}
					why := "sets no amiFamily, so from EKS 1.30 it is created on AmazonLinux2023"
					if fam != "" {
						why = "uses amiFamily AmazonLinux2023"
					}
					out = append(out, r.Finding(d, env, scan.Pos{Line: l.line, Col: l.col}, fmt.Sprintf("Managed node group %s %s, "+
						"which has no /etc/eks/bootstrap.sh (nodes join through nodeadm): its %s calls it, so nodes created from this "+
						"configuration never join. Move the settings to a nodeadm NodeConfig, or set amiFamily: AmazonLinux2 while EKS ships it (up to 1.32).",
						name, why, key)))
					break
				}
			}
		}
		return out
	},
}
