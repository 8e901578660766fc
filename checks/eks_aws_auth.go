package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

var eksAWSAuthQuoting = &Rule{
	ID: "eks-aws-auth-quoting", Title: "aws-auth value starts with an unquoted {", Severity: Error, Since: "1.25", Platform: PlatformEKS,
	Rationale: "EKS 1.25 runs aws-iam-authenticator v0.6, which converts mapRoles and mapUsers to JSON before reading them. " +
		"An unquoted value starting with `{`, such as username: {{SessionName}}, is a YAML flow mapping, the conversion fails, " +
		"and the authenticator drops the whole block: every role or user mapping in it, node roles included, so nodes leave " +
		"the cluster. Values where the macro is not first (system:node:{{EC2PrivateDNSName}}) are fine.",
	Fix:     "Quote the value (username: \"{{SessionName}}\"), or move the mapping to an EKS access entry.",
	Example: "data:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: {{SessionName}}\n",
	Source:  "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html#kubernetes-1.25",
	Kinds:   []string{"ConfigMap"},
	Check: func(r *Rule, d *scan.Document, env Env) []Finding {
		if d.Sig.APIVersion != "v1" || d.Sig.Name != "aws-auth" || (d.Sig.Namespace != "kube-system" && d.Sig.Namespace != "") {
			return nil
		}
		root, _ := d.Node()
		var out []Finding
		for _, key := range []string{"mapRoles", "mapUsers"} {
			v := scan.MapPath(root, "data", key)
			e := EmbeddedOf(d.File, v)
			if e == nil {
				continue
			}
			lost := "every role mapping in mapRoles, node roles included, so nodes and users lose access"
			if key == "mapUsers" {
				lost = "every user mapping in mapUsers, so those users lose access"
			}
			vals, bad := braceValues(e.Text)
			for _, b := range vals {
				msg := fmt.Sprintf("%s value %s starts with an unquoted `{`: aws-iam-authenticator v0.6 (EKS 1.25 and later) "+
					"cannot read it and drops %s. Quote it: %s.", key, b.text, lost, quoteFor(b.text))
				f := r.Finding(d, env, e.Pos(b.line, b.col), msg)
				if fix, ok := quoteFix(d.File, e, b); ok {
					f.Fixes = []Fix{fix}
				}
				out = append(out, f)
			}
			if len(vals) == 0 && bad != nil {
				out = append(out, r.Finding(d, env, e.Pos(bad.line, 1), fmt.Sprintf("%s is not valid YAML (%s): "+
					"aws-iam-authenticator v0.6 (EKS 1.25 and later) drops %s. Fix the syntax.", key, bad.text, lost)))
			}
		}
		return out
	},
}

// braceValue is a value inside an aws-auth block that starts with `{`: its
// 1-based line and column in the block, and its text to the end of the line.
type braceValue struct {
	line, col int
	text      string
}

// bracePattern finds `key: {` and `- {{` on a line, for blocks too broken
// to parse; a list item `- {rolearn: ...}` is a valid flow mapping.
var bracePattern = regexp.MustCompile(`^(\s*(?:-\s+)?[A-Za-z]+:\s*)\{|^(\s*-\s+)\{\{`)

// braceValues lists the values of mapRoles or mapUsers text that start with
// an unquoted `{`. It walks the parsed YAML when the text parses (a value
// node that is a flow mapping), else it scans lines and also returns the
// parse error: its line and message.
func braceValues(text string) (vals []braceValue, parseErr *braceValue) {
	lines := strings.Split(text, "\n")
	lineText := func(l, c int) string {
		if l < 1 || l > len(lines) {
			return ""
		}
		rs := []rune(strings.TrimRight(lines[l-1], "\r"))
		if c < 1 || c > len(rs) {
			return ""
		}
		return trimComment(string(rs[c-1:]))
	}
	var out []braceValue
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(text), &doc)
	if err == nil {
		flow := func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 {
				out = append(out, braceValue{n.Line, n.Column, lineText(n.Line, n.Column)})
			}
		}
		for _, root := range doc.Content {
			for _, entry := range scan.Items(root) {
				scan.Pairs(entry, func(_, v *yaml.Node) {
					flow(v)
					for _, g := range scan.Items(v) {
						flow(g)
					}
				})
			}
		}
		return out, nil
	}
	for i, l := range lines {
		m := bracePattern.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		end := m[3]
		if end < 0 {
			end = m[5]
		}
		col := len([]rune(l[:end])) + 1
		out = append(out, braceValue{i + 1, col, lineText(i+1, col)})
	}
	return out, yamlErrorAt(err)
}

// yamlErrorAt reads the line and message of a yaml.v3 error.
func yamlErrorAt(err error) *braceValue {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return &braceValue{line: line, col: 1, text: msg}
}

// trimComment cuts a trailing ` #...` comment and spaces from a line's rest.
func trimComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " \t")
}

// quoteFor writes s as a quoted YAML scalar: double quotes unless s needs
// escapes there, then single quotes.
func quoteFor(s string) string {
	if !strings.ContainsAny(s, "\"\\") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteFix wraps a brace value in quotes in the file. It is offered only
// when the block maps line by line onto the file and the value runs to the
// end of its line with balanced braces, so the quotes enclose exactly the
// value; the quoted text must then read back as the same string.
func quoteFix(f *scan.File, e *Embedded, b braceValue) (Fix, bool) {
	if !e.Exact() || b.text == "" || strings.Count(b.text, "{") != strings.Count(b.text, "}") {
		return Fix{}, false
	}
	q := quoteFor(b.text)
	var check map[string]string
	if err := yaml.Unmarshal([]byte("v: "+q), &check); err != nil || check["v"] != b.text {
		return Fix{}, false
	}
	p := e.Pos(b.line, b.col)
	start := f.Offset(p)
	end := start + len(b.text)
	if end > len(f.Data) || string(f.Data[start:end]) != b.text {
		return Fix{}, false
	}
	return Fix{
		Description: "Quote the value: " + q,
		Safe:        true,
		Edits:       []Edit{{Path: f.Path, Start: start, End: end, New: q}},
	}, true
}
