package checks

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/checks/yamledit"
	"github.com/kubeready/kubeready/scan"
)

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
			f := r.Finding(d, env, scan.PosOf(fld.node), fmt.Sprintf("%s has %s: from Kubernetes 1.36 the API server rejects it on create "+
				"and update. Write %s.", fld.node.Value, why, canon))
			if e, ok := yamledit.ReplaceScalar(d.File, fld.node, canon); ok {
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
		for _, n := range scan.Items(scan.MapGet(spec, "clusterIPs")) {
			add(n, false, true)
		}
		for _, n := range scan.Items(scan.MapGet(spec, "externalIPs")) {
			add(n, false, false)
		}
		add(scan.MapGet(spec, "loadBalancerIP"), false, false)
		for _, n := range scan.Items(scan.MapGet(spec, "loadBalancerSourceRanges")) {
			add(n, true, false)
		}
	case d.Sig.Kind == "NetworkPolicy" && apiGroup(d.Sig.APIVersion) == "networking.k8s.io":
		for _, dir := range [][2]string{{"ingress", "from"}, {"egress", "to"}} {
			for _, rule := range scan.Items(scan.MapPath(root, "spec", dir[0])) {
				for _, peer := range scan.Items(scan.MapGet(rule, dir[1])) {
					b := scan.MapGet(peer, "ipBlock")
					add(scan.MapGet(b, "cidr"), true, false)
					for _, n := range scan.Items(scan.MapGet(b, "except")) {
						add(n, true, false)
					}
				}
			}
		}
	case d.Sig.Kind == "Endpoints" && d.Sig.APIVersion == "v1":
		for _, s := range scan.Items(scan.MapGet(root, "subsets")) {
			for _, list := range []string{"addresses", "notReadyAddresses"} {
				for _, a := range scan.Items(scan.MapGet(s, list)) {
					add(scan.MapGet(a, "ip"), false, false)
				}
			}
		}
	case d.Sig.Kind == "EndpointSlice" && apiGroup(d.Sig.APIVersion) == "discovery.k8s.io":
		if t := scan.StringValue(scan.MapGet(root, "addressType")); t != "IPv4" && t != "IPv6" {
			return nil
		}
		for _, e := range scan.Items(scan.MapGet(root, "endpoints")) {
			for _, n := range scan.Items(scan.MapGet(e, "addresses")) {
				add(n, false, false)
			}
		}
	default:
		if p := PodSpecOf(d); p != nil {
			for _, h := range scan.Items(scan.MapGet(p.Spec, "hostAliases")) {
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
