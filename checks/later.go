package checks

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Rules for changes after 1.25 that a manifest shows: Service fields and
// annotations, IP validation, deprecated kinds and fields, kube-proxy mode.

var topologyAwareHints = &Rule{
	ID: "topology-aware-hints", Title: "Service uses the superseded topology-aware-hints annotation", Severity: Warning, Since: "1.27",
	Rationale: "Kubernetes 1.27 replaced the service.kubernetes.io/topology-aware-hints annotation with " +
		"service.kubernetes.io/topology-mode (later releases add spec.trafficDistribution); the old annotation is still " +
		"read for now but is on its way out.",
	Fix:     "Use service.kubernetes.io/topology-mode: Auto, or spec.trafficDistribution.",
	Example: "kind: Service\nmetadata:\n  annotations:\n    service.kubernetes.io/topology-aware-hints: auto\n",
	Source:  "https://kubernetes.io/docs/concepts/services-networking/topology-aware-routing/",
	Kinds:   []string{"Service"},
	Check: v1AnnotationCheck("service.kubernetes.io/topology-aware-hints", "Annotation service.kubernetes.io/topology-aware-hints is superseded from Kubernetes 1.27 "+
		"by service.kubernetes.io/topology-mode (the old one is still read for now). Use service.kubernetes.io/topology-mode: Auto or spec.trafficDistribution."),
}

var servicePreferClose = &Rule{
	ID: "service-preferclose", Title: "Service trafficDistribution PreferClose, deprecated in 1.34", Severity: Warning, Since: "1.34",
	Rationale: "Kubernetes 1.34 deprecated spec.trafficDistribution: PreferClose in favour of PreferSameZone, which means " +
		"the same thing (PreferSameNode is new).",
	Fix:     "Set spec.trafficDistribution: PreferSameZone.",
	Example: "kind: Service\nspec:\n  trafficDistribution: PreferClose\n",
	Source:  "https://kubernetes.io/blog/2025/08/27/kubernetes-v1-34-release/",
	Kinds:   []string{"Service"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		v := at(root, "spec", "trafficDistribution")
		if scalar(v) != "PreferClose" {
			return nil
		}
		f := r.Finding(d, env, pos(v), "spec.trafficDistribution: PreferClose is deprecated from Kubernetes 1.34. Use PreferSameZone, which means the same.")
		if e, ok := replaceScalar(d.File, v, "PreferSameZone"); ok {
			f.Fixes = []Fix{{Description: "Set trafficDistribution to PreferSameZone", Safe: true, Edits: []Edit{e}}}
		}
		return []Finding{f}
	},
}

var serviceExternalIPs = &Rule{
	ID: "service-external-ips", Title: "Service spec.externalIPs, deprecated in 1.36", Severity: Warning, Since: "1.36",
	Rationale: "Kubernetes 1.36 deprecated Service spec.externalIPs (API warnings; removal planned for 1.43): the field lets " +
		"any Service owner claim traffic for arbitrary IPs.",
	Fix:     "Expose the Service as type LoadBalancer or NodePort, or through the Gateway API.",
	Example: "kind: Service\nspec:\n  externalIPs: [203.0.113.10]\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   []string{"Service"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		k, v := scan.MapEntry(scan.MapGet(root, "spec"), "externalIPs")
		if k == nil || len(items(v)) == 0 {
			return nil
		}
		return []Finding{r.Finding(d, env, pos(k), "spec.externalIPs is deprecated from Kubernetes 1.36 and planned for removal in 1.43. "+
			"Expose the Service as a LoadBalancer or NodePort, or through the Gateway API.")}
	},
}

// ipField is an IP or CIDR value in a built-in object.
type ipField struct {
	node      *yaml.Node
	cidr      bool
	immutable bool
}

// ipFields lists the IP and CIDR values of a document that strict
// validation reads: Service cluster/external/load-balancer IPs and source
// ranges, NetworkPolicy ipBlocks, Endpoints and EndpointSlice addresses, pod
// hostAliases.
func ipFields(d *scan.Document) []ipField {
	root, _ := d.Node()
	var out []ipField
	add := func(n *yaml.Node, cidr, immutable bool) {
		if n != nil && n.Kind == yaml.ScalarNode {
			out = append(out, ipField{n, cidr, immutable})
		}
	}
	switch {
	case d.Sig.Kind == "Service" && d.Sig.APIVersion == "v1":
		spec := scan.MapGet(root, "spec")
		add(scan.MapGet(spec, "clusterIP"), false, true)
		for _, n := range items(scan.MapGet(spec, "clusterIPs")) {
			add(n, false, true)
		}
		for _, n := range items(scan.MapGet(spec, "externalIPs")) {
			add(n, false, false)
		}
		add(scan.MapGet(spec, "loadBalancerIP"), false, false)
		for _, n := range items(scan.MapGet(spec, "loadBalancerSourceRanges")) {
			add(n, true, false)
		}
	case d.Sig.Kind == "NetworkPolicy" && apiGroup(d.Sig.APIVersion) == "networking.k8s.io":
		for _, dir := range [][2]string{{"ingress", "from"}, {"egress", "to"}} {
			for _, rule := range items(at(root, "spec", dir[0])) {
				for _, peer := range items(scan.MapGet(rule, dir[1])) {
					b := scan.MapGet(peer, "ipBlock")
					add(scan.MapGet(b, "cidr"), true, false)
					for _, n := range items(scan.MapGet(b, "except")) {
						add(n, true, false)
					}
				}
			}
		}
	case d.Sig.Kind == "Endpoints" && d.Sig.APIVersion == "v1":
		for _, s := range items(scan.MapGet(root, "subsets")) {
			for _, list := range []string{"addresses", "notReadyAddresses"} {
				for _, a := range items(scan.MapGet(s, list)) {
					add(scan.MapGet(a, "ip"), false, false)
				}
			}
		}
	case d.Sig.Kind == "EndpointSlice" && apiGroup(d.Sig.APIVersion) == "discovery.k8s.io":
		if t := str(scan.MapGet(root, "addressType")); t != "IPv4" && t != "IPv6" {
			return nil
		}
		for _, e := range items(scan.MapGet(root, "endpoints")) {
			for _, n := range items(scan.MapGet(e, "addresses")) {
				add(n, false, false)
			}
		}
	default:
		if p := PodSpecOf(d); p != nil {
			for _, h := range items(scan.MapGet(p.Spec, "hostAliases")) {
				add(scan.MapGet(h, "ip"), false, d.Sig.Kind == "Pod" || d.Sig.Kind == "Job")
			}
		}
	}
	return out
}

// dottedQuad is an IPv4 address as people write it, leading zeros included.
var dottedQuad = regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$`)

// canonicalIP returns the canonical form of an IP or CIDR that strict
// validation rejects (IPv4 octets with leading zeros, CIDRs with host bits
// set), and ok=false for values that are already canonical or not IPs at all.
func canonicalIP(s string, cidr bool) (canon, why string, ok bool) {
	addr, bits, hasBits := strings.Cut(s, "/")
	if cidr != hasBits {
		return "", "", false
	}
	fixedAddr := addr
	if m := dottedQuad.FindStringSubmatch(addr); m != nil {
		parts := make([]string, 4)
		for i := range parts {
			p := strings.TrimLeft(m[i+1], "0")
			if p == "" {
				p = "0"
			}
			parts[i] = p
		}
		fixedAddr = strings.Join(parts, ".")
	}
	if _, err := netip.ParseAddr(fixedAddr); err != nil {
		return "", "", false
	}
	if fixedAddr != addr {
		why = "leading zeros"
	}
	if !cidr {
		return fixedAddr, why, why != ""
	}
	p, err := netip.ParsePrefix(fixedAddr + "/" + bits)
	if err != nil {
		return "", "", false
	}
	if p.Masked() != p {
		if why != "" {
			why += " and "
		}
		why += "host bits set"
	}
	return p.Masked().String(), why, why != ""
}

var strictIPCIDR = &Rule{
	ID: "strict-ip-cidr", Title: "Non-canonical IP or CIDR that 1.36 rejects", Severity: Error, Since: "1.36",
	Rationale: "Kubernetes 1.36 turns on StrictIPCIDRValidation for built-in kinds: creating or updating an object with an " +
		"IPv4 address that has leading zeros (010.000.000.005) or a CIDR with host bits set (192.168.0.5/24) is rejected. " +
		"Stored objects keep working until the next apply of the manifest.",
	Fix:     "Write the canonical form: 10.0.0.5, 192.168.0.0/24.",
	Example: "kind: NetworkPolicy\nspec:\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.0.0.5/8\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
	Kinds:   append([]string{"Service", "NetworkPolicy", "Endpoints", "EndpointSlice"}, PodSpecKinds...),
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		var out []Finding
		for _, fld := range ipFields(d) {
			canon, why, ok := canonicalIP(fld.node.Value, fld.cidr)
			if !ok {
				continue
			}
			f := r.Finding(d, env, pos(fld.node), fmt.Sprintf("%s has %s: from Kubernetes 1.36 the API server rejects it on create "+
				"and update. Write %s.", fld.node.Value, why, canon))
			if e, ok := replaceScalar(d.File, fld.node, canon); ok {
				fix := Fix{Description: "Write " + canon, Safe: true, Edits: []Edit{e}}
				if fld.immutable {
					fix.Safe, fix.Reason = false, "The field is immutable on a live object: it must be re-created."
				}
				f.Fixes = []Fix{fix}
			}
			out = append(out, f)
		}
		return out
	},
}

var endpointsDeprecated = &Rule{
	ID: "endpoints-deprecated", Title: "core/v1 Endpoints, deprecated in 1.33", Severity: Info, Since: "1.33",
	Rationale: "Kubernetes 1.33 deprecated the core/v1 Endpoints API in favour of discovery.k8s.io/v1 EndpointSlice; " +
		"requests get warnings. It is not scheduled for removal, so nothing breaks yet.",
	Fix:     "For a Service without a selector, publish EndpointSlices (with the kubernetes.io/service-name label) instead.",
	Example: "apiVersion: v1\nkind: Endpoints\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html",
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.Kind != "Endpoints" || d.Sig.APIVersion != "v1" {
			return nil
		}
		f := r.Finding(d, env, d.Sig.KindPos, "The core/v1 Endpoints API is deprecated from Kubernetes 1.33 (warnings; no removal planned). "+
			"Publish discovery.k8s.io/v1 EndpointSlices for this Service instead.")
		f.ObjectLevel = true
		return []Finding{f}
	},
}

var enforceMountableSecrets = &Rule{
	ID: "enforce-mountable-secrets", Title: "ServiceAccount uses the deprecated enforce-mountable-secrets annotation", Severity: Warning, Since: "1.32",
	Rationale: "Kubernetes 1.32 deprecated the kubernetes.io/enforce-mountable-secrets ServiceAccount annotation, to be " +
		"removed in a later release; the recommended isolation is a namespace per trust boundary.",
	Fix:     "Put the secrets the service account must not reach in another namespace, then remove the annotation.",
	Example: "kind: ServiceAccount\nmetadata:\n  annotations:\n    kubernetes.io/enforce-mountable-secrets: \"true\"\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html",
	Kinds:   []string{"ServiceAccount"},
	Check: v1AnnotationCheck("kubernetes.io/enforce-mountable-secrets", "Annotation kubernetes.io/enforce-mountable-secrets is deprecated from Kubernetes 1.32 "+
		"and will be removed. Isolate the secrets in a namespace of their own instead."),
}

var metadataClusterName = &Rule{
	ID: "metadata-clustername", Title: "metadata.clusterName, removed in 1.25", Severity: Warning, Since: "1.25",
	Rationale: "Kubernetes 1.25 removed the never-used ObjectMeta field clusterName. Strict field validation (kubectl's " +
		"default from 1.25) may reject the manifest as having an unknown field.",
	Fix:     "Delete metadata.clusterName.",
	Example: "metadata:\n  name: web\n  clusterName: prod\n",
	Source:  "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.25.md",
	// Kinds stays empty: any object may carry the field, and parsing every
	// document would undo the signature pass. The rule scans the document's
	// lines and parses it only when a line looks like the field.
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		f := d.File
		if d.EndLine > f.Lines() || !bytes.Contains(f.Data[lineStart(f, d.StartLine):f.LineEnd(d.EndLine)], []byte("clusterName")) {
			return nil
		}
		root, err := d.Node()
		if err != nil {
			return nil
		}
		meta := scan.MapGet(root, "metadata")
		k, v := scan.MapEntry(meta, "clusterName")
		if k == nil {
			return nil
		}
		fd := r.Finding(d, env, pos(k), "metadata.clusterName was removed in Kubernetes 1.25 and was never used; strict field "+
			"validation may reject the object for it. Delete the field.")
		if blockMapping(f, meta) && startsLine(f, k) && len(meta.Content) > 2 && lastLine(v) == k.Line {
			fd.Fixes = []Fix{{Description: "Delete metadata.clusterName", Safe: true, Edits: []Edit{deleteLines(f, k.Line, k.Line)}}}
		}
		return []Finding{fd}
	},
}

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
			pairs(scan.MapGet(root, "data"), func(_, v *yaml.Node) {
				e := EmbeddedOf(d.File, v)
				if e == nil {
					return
				}
				cfg, err := e.parse()
				if err != nil {
					return
				}
				if m := scan.MapGet(cfg, "mode"); scalar(m) == "ipvs" {
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
				args := items(scan.MapGet(c.Node, key))
				for i, a := range args {
					s := scalar(a)
					if s == "--proxy-mode=ipvs" || (s == "--proxy-mode" && i+1 < len(args) && scalar(args[i+1]) == "ipvs") ||
						(strings.Contains(s, "--proxy-mode=ipvs") && strings.ContainsAny(s, " \n")) {
						out = append(out, r.Finding(d, env, pos(a), msg))
					}
				}
			}
		}
		return out
	},
}

// v1AnnotationCheck reports the annotation key on a core v1 object, at the
// key's line, with msg.
func v1AnnotationCheck(key, msg string) func(*Rule, *scan.Document, Env) []Finding {
	return func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" {
			return nil
		}
		root, _ := d.Node()
		k, _ := scan.MapEntry(at(root, "metadata", "annotations"), key)
		if k == nil {
			return nil
		}
		return []Finding{r.Finding(d, env, pos(k), msg)}
	}
}
