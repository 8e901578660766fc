package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// The AWS Load Balancer Controller facts behind eks-alb-endpointslices.
const (
	albName     = "aws-load-balancer-controller"
	albFlag     = "--enable-endpoint-slices"
	albValue    = "enableEndpointSlices"
	albFixed    = "2.4.7" // first controller release on discovery.k8s.io/v1
	albChartFix = "1.4.8" // first eks-charts chart shipping it
)

// albFixText is the fix both paths of the rule (a release's chart version
// and values; a rendered or plain Deployment) state, in the same words, so
// that a release and the render of its chart read as the one problem they
// are. eks-charts shipped v2.4.7 in chart 1.4.8 (1.4.7 is v2.4.6).
func albFixText() string {
	return fmt.Sprintf("Upgrade to chart %s+ / app v%s+", albChartFix, albFixed)
}

// exactRelease matches a pinned version (not a range such as 1.4.x).
var exactRelease = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+$`)

var eksALBEndpointSlices = &Rule{
	ID: "eks-alb-endpointslices", Title: "AWS Load Balancer Controller before v2.4.7 with EndpointSlices enabled",
	Severity: Error, Since: "1.25", Platform: PlatformEKS,
	Rationale: "AWS Load Balancer Controller v2.4.6 and older watch discovery.k8s.io/v1beta1 EndpointSlices, which " +
		"Kubernetes 1.25 no longer serves. With --enable-endpoint-slices the controller cannot sync its caches and " +
		"crash-loops, so load balancers stop being reconciled. v2.4.7 (eks-charts chart 1.4.8) moved to discovery.k8s.io/v1.",
	Fix:     "Upgrade the controller to v2.4.7 or later (chart 1.4.8 or later) before the control-plane upgrade, or turn enableEndpointSlices off until then.",
	Example: "containers:\n  - image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-load-balancer-controller:v2.4.6\n    args:\n      - --enable-endpoint-slices=true\n",
	Source:  "https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/3071",
	Kinds:   append([]string{"HelmRelease", "Application"}, PodSpecKinds...),
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		switch {
		case d.Sig.Kind == "HelmRelease" && apiGroup(d.Sig.APIVersion) == "helm.toolkit.fluxcd.io":
			root, _ := d.Node()
			spec := scan.MapPath(root, "spec", "chart", "spec")
			if scan.StringValue(scan.MapGet(spec, "chart")) != albName {
				return nil
			}
			return albChartFindings(r, d, env, scan.ScalarValue(scan.MapGet(spec, "version")), helmValues{obj: scan.MapPath(root, "spec", "values")})
		case d.Sig.Kind == "Application" && apiGroup(d.Sig.APIVersion) == "argoproj.io":
			root, _ := d.Node()
			sources := scan.Items(scan.MapPath(root, "spec", "sources"))
			if s := scan.MapPath(root, "spec", "source"); s != nil {
				sources = append([]*yaml.Node{s}, sources...)
			}
			var out []Finding
			for _, s := range sources {
				if scan.StringValue(scan.MapGet(s, "chart")) != albName {
					continue
				}
				h := scan.MapGet(s, "helm")
				vals := helmValues{obj: scan.MapGet(h, "valuesObject"), params: scan.MapGet(h, "parameters")}
				if v := scan.MapGet(h, "values"); v != nil {
					vals.text = EmbeddedOf(d.File, v)
				}
				out = append(out, albChartFindings(r, d, env, scan.ScalarValue(scan.MapGet(s, "targetRevision")), vals)...)
			}
			return out
		}
		p := PodSpecOf(d)
		if p == nil {
			return nil
		}
		var out []Finding
		for _, c := range p.Containers {
			ref := ParseImage(c.Image)
			if ref.Name() != albName {
				continue
			}
			flag := albFlagNode(c.Node)
			if flag == nil {
				continue
			}
			which, old := albVersion(d, p, ref)
			if !old {
				continue
			}
			out = append(out, r.Finding(d, env, scan.PosOf(flag), fmt.Sprintf("AWS Load Balancer Controller %s runs with %s: "+
				"releases before v%s watch discovery.k8s.io/v1beta1 EndpointSlices, which Kubernetes 1.25 no longer serves, so the "+
				"controller crash-loops and stops reconciling load balancers. %s before the "+
				"upgrade, or set the flag to false until then.", which, scan.ScalarValue(flag), albFixed, albFixText())))
		}
		return out
	},
}

// albFlagNode returns the args or command item that turns EndpointSlices on,
// or nil.
func albFlagNode(container *yaml.Node) *yaml.Node {
	for _, key := range []string{"args", "command"} {
		for _, a := range scan.Items(scan.MapGet(container, key)) {
			s := scan.ScalarValue(a)
			if s == albFlag {
				return a
			}
			if v, ok := strings.CutPrefix(s, albFlag+"="); ok {
				if on, err := strconv.ParseBool(v); err == nil && on {
					return a
				}
			}
		}
	}
	return nil
}

// albVersion says which controller release a Deployment runs and whether it
// is older than the fix: from the image tag, else from the
// app.kubernetes.io/version or helm.sh/chart labels a chart renders.
func albVersion(d *scan.Document, p *PodSpec, ref ImageRef) (which string, old bool) {
	if rel, ok := ParseRelease(ref.Tag); ok {
		return "v" + rel.String(), rel.Less(MustRelease(albFixed))
	}
	root, _ := d.Node()
	for _, labels := range []*yaml.Node{p.Labels, scan.MapPath(root, "metadata", "labels")} {
		if v := scan.StringValue(scan.MapGet(labels, "app.kubernetes.io/version")); exactRelease.MatchString(v) {
			return v, MustRelease(v).Less(MustRelease(albFixed))
		}
		if c, ok := strings.CutPrefix(scan.StringValue(scan.MapGet(labels, "helm.sh/chart")), albName+"-"); ok && exactRelease.MatchString(c) {
			return "from chart " + c, MustRelease(c).Less(MustRelease(albChartFix))
		}
	}
	return "", false
}

// helmValues are the values a GitOps object passes to a chart: a values
// mapping, a values string holding YAML, and --set style parameters.
type helmValues struct {
	obj    *yaml.Node
	text   *Embedded
	params *yaml.Node
}

// lookup returns the value at a path of keys, the file position of its
// line, and whether Helm reads it as a boolean (a YAML bool, or a --set
// parameter spelled true/false).
func (h helmValues) lookup(path ...string) (val string, p scan.Pos, isBool, found bool) {
	if n := scan.MapPath(h.obj, path...); n != nil {
		return scan.ScalarValue(n), scan.PosOf(n), n.Tag == "!!bool", true
	}
	if h.text != nil {
		if root, err := h.text.parse(); err == nil {
			if n := scan.MapPath(root, path...); n != nil {
				return scan.ScalarValue(n), h.text.Pos(n.Line, n.Column), n.Tag == "!!bool", true
			}
		}
	}
	for _, prm := range scan.Items(h.params) {
		if scan.StringValue(scan.MapGet(prm, "name")) == strings.Join(path, ".") {
			v := scan.MapGet(prm, "value")
			_, err := strconv.ParseBool(scan.ScalarValue(v))
			return scan.ScalarValue(v), scan.PosOf(v), err == nil && scan.ScalarValue(scan.MapGet(prm, "forceString")) != "true", true
		}
	}
	return "", scan.Pos{}, false, false
}

// albChartFindings reports a chart release below 1.4.8 installed with
// enableEndpointSlices: true (a bool: the chart renders the flag only then),
// unless the values pin a fixed image tag.
func albChartFindings(r *Rule, d *scan.Document, env Env, version string, vals helmValues) []Finding {
	if !exactRelease.MatchString(version) || !MustRelease(version).Less(MustRelease(albChartFix)) {
		return nil
	}
	v, p, isBool, ok := vals.lookup(albValue)
	if !ok || !isBool {
		return nil
	}
	if on, err := strconv.ParseBool(v); err != nil || !on {
		return nil
	}
	if tag, _, _, ok := vals.lookup("image", "tag"); ok {
		if rel, ok := ParseRelease(tag); ok && !rel.Less(MustRelease(albFixed)) {
			return nil
		}
	}
	f := r.Finding(d, env, p, fmt.Sprintf("Chart %s %s with %s: true runs a controller older than v%s, which watches "+
		"discovery.k8s.io/v1beta1 EndpointSlices; Kubernetes 1.25 no longer serves them and the controller crash-loops. "+
		"%s before the upgrade, or turn %s off until then.", albName, version, albValue, albFixed, albFixText(), albValue))
	return []Finding{f}
}
