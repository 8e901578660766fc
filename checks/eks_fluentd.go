package checks

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/scan"
)

var eksFluentdContainerInsights = &Rule{
	ID: "eks-fluentd-container-insights", Title: "Container Insights on Fluentd, which containerd's log format breaks",
	Severity: Warning, Since: "1.24", Platform: PlatformEKS,
	Rationale: "From EKS 1.24 nodes run containerd, which writes container logs in the CRI format, not Docker's JSON lines. " +
		"The Fluentd DaemonSet of CloudWatch Container Insights parses them as JSON, so logs arrive unparsed or not at all; " +
		"AWS moved Container Insights to Fluent Bit (AWS for Fluent Bit) for 1.24.",
	Fix:     "Replace the Fluentd DaemonSet with the Container Insights Fluent Bit setup (AWS for Fluent Bit 2.25.0 or later), or the CloudWatch Observability add-on.",
	Example: "metadata:\n  namespace: amazon-cloudwatch\nspec:\n  template:\n    spec:\n      containers:\n        - name: fluentd-cloudwatch\n          image: fluent/fluentd-kubernetes-daemonset:v1.7.3-debian-cloudwatch-1.0\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/dockershim-deprecation.html",
	Kinds:   PodSpecKinds,
	Check: podCheck(func(r *Rule, d *scan.Document, env Env, p *PodSpec) []Finding {
		var out []Finding
		for _, c := range p.Containers {
			ref := ParseImage(c.Image)
			if !strings.Contains(ref.Name(), "fluentd") {
				continue
			}
			if d.Sig.Namespace != "amazon-cloudwatch" && !strings.Contains(ref.Tag, "cloudwatch") {
				continue
			}
			out = append(out, r.Finding(d, env, scan.PosOf(c.ImageNode), fmt.Sprintf("Image %s is Fluentd for CloudWatch Container Insights: "+
				"from Kubernetes 1.24 nodes run containerd, whose CRI log lines its JSON parser does not read, so container logs stop "+
				"arriving intact. Move to Container Insights on Fluent Bit (AWS for Fluent Bit 2.25.0 or later).", c.Image)))
		}
		return out
	}),
}
