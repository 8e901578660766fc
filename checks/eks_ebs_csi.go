package checks

import (
	"fmt"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

var eksEBSCSI = &Rule{
	ID: "eks-ebs-csi", Title: "In-tree EBS volume needs the EBS CSI driver", Severity: Warning, Since: "1.23", Platform: PlatformEKS,
	Rationale: "EKS 1.23 turned on CSI migration for EBS: kubernetes.io/aws-ebs StorageClasses and awsElasticBlockStore " +
		"volumes are served by the Amazon EBS CSI driver (ebs.csi.aws.com). EKS does not block the upgrade when the driver " +
		"is missing; provisioning, attaching and mounting fail afterwards. Upstream removed the in-tree code in 1.27.",
	Fix: "Install the aws-ebs-csi-driver add-on with its IAM role before upgrading, and create ebs.csi.aws.com " +
		"StorageClasses (gp3 by default) for new volumes.",
	Example: "kind: StorageClass\nprovisioner: kubernetes.io/aws-ebs\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi-migration-faq.html",
	Kinds:   volumeKinds,
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var out []Finding
		for _, u := range volumeUses(d) {
			if u.plugin.EKS != r.ID {
				continue
			}
			msg := fmt.Sprintf("%s, which EKS serves through CSI migration from 1.23: volume operations fail unless the "+
				"Amazon EBS CSI driver (ebs.csi.aws.com) is installed with its IAM role. Install the driver before upgrading", u.what)
			if d.Sig.Kind == "StorageClass" {
				msg += " and use provisioner ebs.csi.aws.com for new volumes."
			} else {
				msg += "."
			}
			f := r.Finding(d, env, scan.PosOf(u.at), msg)
			if d.Sig.Kind == "StorageClass" {
				if e, ok := yamledit.ReplaceScalar(d.File, u.at, "ebs.csi.aws.com"); ok {
					f.Fixes = []Fix{{Description: "Set provisioner to ebs.csi.aws.com", Reason: ebsFixReason(d), Edits: []Edit{e}}}
				}
			}
			out = append(out, f)
		}
		return out
	},
}

// ebsFixReason explains why switching a StorageClass to the CSI provisioner
// is not safe, naming any parameter that changes meaning.
func ebsFixReason(d *scan.Document) string {
	reason := "A StorageClass's provisioner is immutable: a live cluster rejects this change, so create a new StorageClass " +
		"(or delete and re-create this one; existing volumes keep working)."
	root, _ := d.Node()
	params := scan.MapGet(root, "parameters")
	if scan.MapGet(params, "type") == nil {
		reason += " Without parameters.type the CSI driver creates gp3 volumes where the in-tree plugin created gp2."
	}
	for _, z := range []string{"zone", "zones"} {
		if scan.MapGet(params, z) != nil {
			reason += " The CSI driver does not accept parameters." + z + "; use allowedTopologies instead."
		}
	}
	return reason
}
