package checks

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// nodeConfigKinds are the kinds that hold node bootstrap settings: eksctl's
// ClusterConfig, Karpenter's EC2NodeClass (AWSNodeTemplate before v1beta1),
// nodeadm's NodeConfig, and launch templates written as custom resources
// (Crossplane, ACK), and CloudFormation templates (their
// AWS::EC2::LaunchTemplate LaunchTemplateData.UserData).
var nodeConfigKinds = []string{"ClusterConfig", "EC2NodeClass", "AWSNodeTemplate", "NodeConfig", "LaunchTemplate", scan.CloudFormationKind}

// bootstrapKeys are the keys whose string values (or lists of strings) are
// scripts or command lines run on the node, or kubelet flags.
var bootstrapKeys = map[string]bool{
	"overrideBootstrapCommand": true, // eksctl
	"preBootstrapCommands":     true, // eksctl
	"userData":                 true, // Karpenter, Crossplane, ACK
	"UserData":                 true,
	"flags":                    true, // nodeadm NodeConfig spec.kubelet.flags
}

var eksKubeletFlagRemoved = &Rule{
	ID: "eks-kubelet-flag-removed", Title: "Node user data passes a kubelet flag the target removed",
	Severity: Error, Since: "1.27", Platform: PlatformEKS,
	Rationale: "Node groups pass kubelet flags through user data: eksctl's overrideBootstrapCommand and preBootstrapCommands " +
		"(--kubelet-extra-args of bootstrap.sh), kubeletExtraConfig, Karpenter's userData, nodeadm NodeConfig kubelet flags, " +
		"launch-template user data (custom resources, and CloudFormation's AWS::EC2::LaunchTemplate, long or short form). A kubelet started with a flag it no longer has exits, so new nodes never join: " +
		"--container-runtime is gone from 1.27, --keep-terminated-pod-volumes from 1.31.",
	Fix:     "Remove the flag from the node user data (or the kubeletExtraConfig key) before the node groups move to the target.",
	Example: "kind: ClusterConfig\nmanagedNodeGroups:\n  - name: ng-1\n    overrideBootstrapCommand: |\n      /etc/eks/bootstrap.sh prod --kubelet-extra-args '--container-runtime=remote'\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html#kubernetes-1.27",
	Kinds:   nodeConfigKinds,
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		root, _ := d.Node()
		var out []Finding
		walkBootstrap(root, func(key string, n *yaml.Node) {
			if key == "kubeletExtraConfig" {
				for i := 0; i+1 < len(n.Content); i += 2 {
					k := n.Content[i]
					for _, f := range removedFlags(env.Target) {
						if k.Value == f.Config {
							fd := r.Finding(d, env, scan.PosOf(k), fmt.Sprintf("kubeletExtraConfig sets %s, the setting of kubelet flag %s: %s, "+
								"and the kubelet reads its configuration strictly, so it exits and the node never joins. Remove the key.", f.Config, f.Flag, f.Why))
							fd.URL = f.Source
							out = append(out, fd)
						}
					}
				}
				return
			}
			for _, l := range scriptLines(n) {
				for _, f := range removedFlags(env.Target) {
					loc := flagUse(f.Flag).FindStringIndex(l.text)
					if loc == nil {
						continue
					}
					where := key
					if l.decoded {
						where += " (base64-decoded)"
					}
					var fd Finding
					if bootstrapOption(l.text, loc[0], f.Flag) {
						fd = r.Finding(d, env, scan.Pos{Line: l.line, Col: l.col}, fmt.Sprintf("%s passes %s to bootstrap.sh itself, which ignores it "+
							"from EKS 1.27 (nodes run containerd only): harmless, but remove it.", where, f.Flag))
						fd.Severity = Info
					} else {
						fd = r.Finding(d, env, scan.Pos{Line: l.line, Col: l.col}, fmt.Sprintf("%s passes kubelet flag %s, which Kubernetes %s no longer has: %s; "+
							"a kubelet started with it exits, so the node never joins. Remove the flag.", where, f.Flag, env.Target, f.Why))
					}
					fd.URL = f.Source
					out = append(out, fd)
				}
			}
		})
		return out
	},
}

// removedFlags are the kubelet flags the target no longer has.
func removedFlags(target Version) []*KubeletFlag {
	var out []*KubeletFlag
	for i := range Data.KubeletFlags {
		if f := &Data.KubeletFlags[i]; target.AtLeast(MustVersion(f.Removed)) {
			out = append(out, f)
		}
	}
	return out
}

// flagUse matches a flag as a word on a command line: --flag, --flag=x or
// "--flag x", not a longer flag that starts with it.
func flagUse(flag string) *regexp.Regexp { return flagRegexps()[flag] }

var flagRegexps = sync.OnceValue(func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for _, f := range Data.KubeletFlags {
		m[f.Flag] = regexp.MustCompile(`(^|[\s'"\[,=])` + regexp.QuoteMeta(f.Flag) + `($|[\s='",\]])`)
	}
	return m
})

// bootstrapOption reports whether the flag at offset i of a command line is
// an option of EKS's bootstrap.sh (which had its own --container-runtime)
// rather than a kubelet flag inside --kubelet-extra-args.
func bootstrapOption(line string, i int, flag string) bool {
	if flag != "--container-runtime" {
		return false
	}
	b := strings.Index(line, "bootstrap.sh")
	if b < 0 || i < b {
		return false
	}
	k := strings.Index(line, "--kubelet-extra-args")
	return k < 0 || i < k
}

// walkBootstrap calls fn for every value under a bootstrap key (and every
// kubeletExtraConfig mapping) in the document, at any depth.
// cfnScript unwraps CloudFormation's intrinsic functions around user data
// (Fn::Base64, Fn::Sub, and the first argument of Fn::Sub's list form;
// Fn::Join's list of parts) down to the script; other nodes are returned as
// they are. The short forms (!Base64, !Sub) are tags on the scalar itself.
func cfnScript(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.MappingNode && len(n.Content) == 2 && depth < 4; depth++ {
		switch fn, arg := n.Content[0].Value, n.Content[1]; fn {
		case "Fn::Base64", "Fn::Sub":
			if fn == "Fn::Sub" && arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
				arg = arg.Content[0]
			}
			n = arg
		case "Fn::Join":
			if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
				return arg.Content[1]
			}
			return n
		default:
			return n
		}
	}
	return n
}

func walkBootstrap(root *yaml.Node, fn func(key string, v *yaml.Node)) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || n.Kind == yaml.AliasNode {
			continue
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				if bootstrapKeys[k] {
					v = cfnScript(v)
				}
				switch {
				case bootstrapKeys[k] && (v.Kind == yaml.ScalarNode || v.Kind == yaml.SequenceNode):
					fn(k, v)
					continue
				case k == "kubeletExtraConfig" && v.Kind == yaml.MappingNode:
					fn(k, v)
					continue
				}
				stack = append(stack, v)
			}
			continue
		}
		stack = append(stack, n.Content...)
	}
}

// scriptLine is one line of a script held in a YAML string, at its file
// position when the string is a literal block (else the string's line).
type scriptLine struct {
	text      string
	line, col int
	decoded   bool // the string was base64 (launch templates)
}

// scriptLines splits a string value (or each string of a list) into lines.
func scriptLines(n *yaml.Node) []scriptLine {
	var out []scriptLine
	add := func(s *yaml.Node) {
		if s.Kind != yaml.ScalarNode {
			return
		}
		text, decoded := s.Value, false
		if b, ok := decodeBase64Script(s.Value); ok {
			text, decoded = b, true
		}
		for i, l := range strings.Split(text, "\n") {
			sl := scriptLine{text: l, line: s.Line, col: s.Column, decoded: decoded}
			if s.Style&yaml.LiteralStyle != 0 && !decoded {
				sl.line, sl.col = s.Line+1+i, 1
			}
			out = append(out, sl)
		}
	}
	if n.Kind == yaml.SequenceNode {
		for _, it := range n.Content {
			add(it)
		}
	} else {
		add(n)
	}
	return out
}

// decodeBase64Script decodes s when it is base64 of a text (launch-template
// user data is stored encoded).
func decodeBase64Script(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "")
	if len(s) < 16 || len(s)%4 != 0 || strings.ContainsAny(s, "-_ .") {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) || !strings.ContainsAny(string(b), "\n ") {
		return "", false
	}
	return string(b), true
}
