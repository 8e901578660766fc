package checks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var kubeProxyIPVS = &Rule{
	ID: "kube-proxy-ipvs", Title: "kube-proxy in ipvs mode, deprecated in 1.35", Severity: Warning, Since: "1.35",
	Rationale: "Kubernetes 1.35 deprecated kube-proxy's ipvs mode (EKS release notes and eksup expect its removal; upstream " +
		"had not removed it in 1.36). nftables, GA since 1.33, and iptables are the supported modes.",
	Fix:     "Plan the move to nftables (or iptables) mode and test Service traffic on it.",
	Example: "kind: ConfigMap\nmetadata:\n  name: kube-proxy-config\ndata:\n  config: |\n    mode: ipvs\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"ConfigMap", "DaemonSet"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		const msg = "kube-proxy runs in ipvs mode, deprecated from Kubernetes 1.35 and expected to be removed. " +
			"Plan the move to nftables (GA since 1.33) or iptables mode."
		if !strings.Contains(d.Sig.Name, "kube-proxy") {
			return nil
		}
		var out []Finding
		if d.Sig.Kind == "ConfigMap" {
			if d.Sig.APIVersion != "v1" {
				return nil
			}
			root, _ := d.Node()
			scan.Pairs(scan.MapGet(root, "data"), func(_, v *yaml.Node) {
				e := EmbeddedOf(d.File, v)
				if e == nil {
					return
				}
				cfg, err := e.parse()
				if err != nil {
					return
				}
				if m := scan.MapGet(cfg, "mode"); scan.ScalarValue(m) == "ipvs" {
					out = append(out, r.Finding(d, env, e.Pos(m.Line, m.Column), msg))
				}
			})
			return out
		}
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		for _, c := range p.Containers {
			for _, key := range []string{"command", "args"} {
				args := scan.Items(scan.MapGet(c.Node, key))
				for i, a := range args {
					s := scan.ScalarValue(a)
					if s == "--proxy-mode=ipvs" || (s == "--proxy-mode" && i+1 < len(args) && scan.ScalarValue(args[i+1]) == "ipvs") ||
						(strings.Contains(s, "--proxy-mode=ipvs") && strings.ContainsAny(s, " \n")) {
						out = append(out, r.Finding(d, env, scan.PosOf(a), msg))
					}
				}
			}
		}
		return out
	},
}
