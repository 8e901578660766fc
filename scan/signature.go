package scan

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Signature identifies a Kubernetes object: what kubeconform reads before any
// heavy work. Each field has the position of its key.
type Signature struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	Namespace  string `json:"namespace,omitempty"`

	APIVersionPos Pos `json:"-"`
	KindPos       Pos `json:"-"`
	NamePos       Pos `json:"-"`
	NamespacePos  Pos `json:"-"`
}

// IsObject reports whether the document is a Kubernetes object: it has both
// an apiVersion and a kind.
func (s Signature) IsObject() bool { return s.APIVersion != "" && s.Kind != "" }

// quickSignature reads the top-level keys of a chunk with a line scan. It
// returns ok=false whenever the text uses anything the scan does not model
// exactly (flow style, JSON, tags, anchors, aliases, tabs, complex keys,
// multi-line values, directives); the caller then parses the chunk fully.
// Lines in the result are file lines (chunk.Line based).
func quickSignature(c Chunk) (sig Signature, ok bool) {
	sig, ok = lineSignature(c)
	if ok && sig.APIVersion == "" && sig.Kind == "" && mayBeCloudFormation(c.Data) {
		return sig, false // the full parse tells a CloudFormation template
	}
	return sig, ok
}

// lineSignature is quickSignature's line scan.
func lineSignature(c Chunk) (sig Signature, ok bool) {
	data := c.Data
	line := c.Line - 1
	inMeta := false        // inside the block mapping of a top-level "metadata:" key
	childIndent := -1      // indentation of metadata's children
	pendingScalar := false // previous top-level key had a scalar value: no indented line may follow
	seqAllowed := false    // previous top-level key had no value: its sequence may start at column 0
	metaSigKey := false    // the last metadata child was name or namespace
	seen := map[string]bool{}
	first := true
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i], data[i+1:]
		}
		line++
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if hasOddBreak(l) {
			return sig, false
		}
		if first {
			first = false
			if isMarker(l) {
				if rest := bytes.TrimSpace(l[3:]); len(rest) > 0 && rest[0] != '#' {
					return sig, false // content on the marker line
				}
				continue
			}
		}
		if bytes.IndexByte(l, '\t') >= 0 && bytes.IndexByte(bytes.TrimLeft(l, " "), '#') != 0 {
			return sig, false
		}
		trimmed := bytes.TrimLeft(l, " ")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		indent := len(l) - len(trimmed)
		if indent == 0 && seqAllowed && (trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ')) {
			continue // an item of a block sequence written at its key's indentation
		}
		if indent == 0 {
			key, val, isKey := splitKey(l)
			if !isKey {
				return sig, false
			}
			if seen[key] && (key == "apiVersion" || key == "kind" || key == "metadata") {
				return sig, false
			}
			seen[key] = true
			inMeta, pendingScalar = false, false
			seqAllowed = len(val) == 0 && key != "metadata"
			if len(val) > 0 && !simpleValue(val) {
				return sig, false
			}
			switch key {
			case "apiVersion", "kind":
				s, good := scalar(val)
				if !good {
					return sig, false
				}
				p := Pos{Line: line, Col: 1}
				if key == "apiVersion" {
					sig.APIVersion, sig.APIVersionPos = s, p
				} else {
					sig.Kind, sig.KindPos = s, p
				}
			case "metadata":
				if len(val) != 0 {
					return sig, false
				}
				inMeta, childIndent = true, -1
			}
			pendingScalar = len(val) > 0 && val[0] != '|' && val[0] != '>'
			// a signature key whose value starts on the next line is not a one-line string
			pendingScalar = pendingScalar || (len(val) == 0 && (key == "apiVersion" || key == "kind"))
			continue
		}
		if pendingScalar || len(seen) == 0 {
			return sig, false // a multi-line plain scalar, or a root not at column 0
		}
		if !inMeta {
			continue
		}
		if childIndent < 0 {
			childIndent = indent
		}
		if indent < childIndent {
			return sig, false
		}
		if indent > childIndent {
			if metaSigKey {
				return sig, false
			}
			continue
		}
		metaSigKey = false
		key, val, isKey := splitKey(trimmed)
		if !isKey {
			return sig, false
		}
		if key == "name" || key == "namespace" {
			metaSigKey = true // deeper lines would continue or replace the value
			s, good := scalar(val)
			if !good || seen["metadata."+key] {
				return sig, false
			}
			seen["metadata."+key] = true
			p := Pos{Line: line, Col: indent + 1}
			if key == "name" {
				sig.Name, sig.NamePos = s, p
			} else {
				sig.Namespace, sig.NamespacePos = s, p
			}
		}
	}
	sig.normalize()
	return sig, true
}

// splitKey splits `key: value` where key is a plain identifier-like scalar.
func splitKey(l []byte) (key string, val []byte, ok bool) {
	n := 0
	for n < len(l) && isKeyByte(l[n]) {
		n++
	}
	if n == 0 || n >= len(l) || l[n] != ':' {
		return "", nil, false
	}
	rest := l[n+1:]
	if len(rest) > 0 && rest[0] != ' ' {
		return "", nil, false
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) > 0 && rest[0] == '#' {
		rest = nil
	}
	return string(l[:n]), rest, true
}

func isKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.' || b == '/'
}

// simpleValue reports whether a top-level value cannot hide structure the
// line scan would miss.
func simpleValue(v []byte) bool {
	switch v[0] {
	case '&', '*', '!', '{', '[', '%', '@', '`', '?', '-':
		return false
	}
	if v[0] == '"' || v[0] == '\'' {
		_, ok := scalar(v)
		return ok
	}
	return true
}

// scalar returns the string value of a one-line scalar: plain (with any
// trailing comment removed) or quoted without escapes.
func scalar(v []byte) (string, bool) {
	if len(v) == 0 {
		return "", true
	}
	switch v[0] {
	case '"', '\'':
		q := v[0]
		end := bytes.IndexByte(v[1:], q)
		if end < 0 {
			return "", false
		}
		s := v[1 : end+1]
		rest := bytes.TrimSpace(v[end+2:])
		if len(rest) > 0 && rest[0] != '#' {
			return "", false
		}
		if bytes.IndexByte(s, '\\') >= 0 || (q == '\'' && bytes.HasPrefix(v[end+2:], []byte{'\''})) {
			return "", false
		}
		return string(s), true
	case '&', '*', '!', '{', '[', '|', '>', '%', '@', '`', '?':
		return "", false
	}
	if i := bytes.Index(v, []byte(" #")); i >= 0 {
		v = bytes.TrimSpace(v[:i])
	}
	if bytes.Contains(v, []byte(": ")) || !utf8.Valid(v) {
		return "", false
	}
	if !plainString(string(v)) {
		return "", false
	}
	return string(v), true
}

// nodeSignature reads the signature from a parsed mapping node. line0 is added
// to the node's chunk-relative lines.
func nodeSignature(m *yaml.Node, line0 int) Signature {
	var sig Signature
	if m == nil || m.Kind != yaml.MappingNode {
		return sig
	}
	str := func(v *yaml.Node) string {
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			return v.Value
		}
		return ""
	}
	pos := func(k *yaml.Node) Pos { return Pos{Line: k.Line + line0, Col: k.Column} }
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "apiVersion":
			sig.APIVersion, sig.APIVersionPos = str(v), pos(k)
		case "kind":
			sig.Kind, sig.KindPos = str(v), pos(k)
		case "metadata":
			if v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				mk, mv := v.Content[j], v.Content[j+1]
				switch mk.Value {
				case "name":
					sig.Name, sig.NamePos = str(mv), pos(mk)
				case "namespace":
					sig.Namespace, sig.NamespacePos = str(mv), pos(mk)
				}
			}
		}
	}
	if sig.APIVersion == "" && sig.Kind == "" {
		sig = cloudFormationSignature(m, line0, sig)
	}
	sig.normalize()
	return sig
}

// CloudFormation templates have no apiVersion or kind, but their launch
// templates carry node user data (kubelet flags, bootstrap.sh) that the EKS
// node rules read. A template (AWSTemplateFormatVersion, or Resources with an
// AWS:: type) gets this signature so those rules see it; no Kubernetes rule
// knows the kind.
const (
	CloudFormationAPIVersion = "cloudformation.amazonaws.com"
	CloudFormationKind       = "CloudFormationTemplate"
)

// cloudFormationSignature is sig, or the CloudFormation signature when m is
// a CloudFormation template.
func cloudFormationSignature(m *yaml.Node, line0 int, sig Signature) Signature {
	k, _ := MapEntry(m, "AWSTemplateFormatVersion")
	if k == nil {
		rk, res := MapEntry(m, "Resources")
		aws := false
		Pairs(res, func(_, r *yaml.Node) {
			aws = aws || strings.HasPrefix(StringValue(MapGet(r, "Type")), "AWS::")
		})
		if !aws {
			return sig
		}
		k = rk
	}
	p := Pos{Line: k.Line + line0, Col: k.Column}
	return Signature{APIVersion: CloudFormationAPIVersion, Kind: CloudFormationKind, APIVersionPos: p, KindPos: p}
}

// mayBeCloudFormation is the cheap test for chunks the line scan signs
// without an apiVersion or kind: they may still be CloudFormation templates.
func mayBeCloudFormation(data []byte) bool {
	return bytes.Contains(data, []byte("AWSTemplateFormatVersion")) || bytes.Contains(data, []byte("AWS::"))
}

// plainString reports whether YAML resolves an unquoted scalar to a string
// (and not to a number, boolean or null), using yaml.v3's own resolver.
func plainString(s string) bool {
	return (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag() == "!!str"
}

// normalize clears the position of every field without a value, so both
// signature paths agree on what "absent" means.
func (s *Signature) normalize() {
	if s.APIVersion == "" {
		s.APIVersionPos = Pos{}
	}
	if s.Kind == "" {
		s.KindPos = Pos{}
	}
	if s.Name == "" {
		s.NamePos = Pos{}
	}
	if s.Namespace == "" {
		s.NamespacePos = Pos{}
	}
}

// hasOddBreak reports whether a line holds anything the YAML parser treats
// specially that a line scan would miss: a character YAML also reads as a
// line break (a lone CR, NEL, LS, PS), a byte-order mark, a control
// character or invalid UTF-8 (both of which make the document invalid).
func hasOddBreak(l []byte) bool {
	ascii := true
	for _, b := range l {
		if b >= 0x80 {
			ascii = false
		} else if (b < 0x20 && b != '\t') || b == 0x7f {
			return true
		}
	}
	if ascii {
		return false
	}
	return !utf8.Valid(l) || bytes.Contains(l, []byte("\u0085")) ||
		bytes.Contains(l, []byte("\u2028")) || bytes.Contains(l, []byte("\u2029")) || bytes.Contains(l, []byte("\ufeff"))
}

// salvageSignature reads the signature of a chunk that does not parse from
// its block-style top-level lines: `apiVersion: v`, `kind: k`, and `name:`
// and `namespace:` one level under `metadata:`, each with a plain or quoted
// one-line value. Any other line is passed over. ok is false when apiVersion
// or kind is missing, given twice, or not a one-line scalar.
func salvageSignature(c Chunk) (sig Signature, ok bool) {
	line := c.Line - 1
	data := c.Data
	inMeta, childIndent := false, -1
	seen := map[string]bool{}
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i], data[i+1:]
		}
		line++
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) > 4096 {
			l = l[:4096] // a key and its one-line value fit; the rest is passed over
		}
		indent := len(l) - len(bytes.TrimLeft(l, " "))
		if indent == len(l) || l[indent] == '#' {
			continue
		}
		if indent > 0 {
			if !inMeta {
				continue
			}
			if childIndent < 0 {
				childIndent = indent
			}
			if indent != childIndent {
				continue
			}
			key, val, good := salvageKey(l[indent:])
			if !good || (key != "name" && key != "namespace") {
				continue
			}
			if seen["metadata."+key] {
				return sig, false
			}
			seen["metadata."+key] = true
			pos := Pos{Line: line, Col: indent + 1}
			if key == "name" {
				sig.Name, sig.NamePos = val, pos
			} else {
				sig.Namespace, sig.NamespacePos = val, pos
			}
			continue
		}
		inMeta, childIndent = false, -1
		if bytes.Equal(bytes.TrimRight(l, " \t"), []byte("metadata:")) {
			inMeta = true
			continue
		}
		key, val, good := salvageKey(l)
		if key != "apiVersion" && key != "kind" {
			continue
		}
		if !good || seen[key] {
			return sig, false
		}
		seen[key] = true
		if key == "apiVersion" {
			sig.APIVersion, sig.APIVersionPos = val, Pos{Line: line, Col: 1}
		} else {
			sig.Kind, sig.KindPos = val, Pos{Line: line, Col: 1}
		}
	}
	return sig, sig.APIVersion != "" && sig.Kind != ""
}

// salvageKey reads `key: value` with a plain or quoted one-line scalar
// value (a trailing comment allowed). good is false for any other value.
func salvageKey(l []byte) (key, val string, good bool) {
	i := bytes.Index(l, []byte(": "))
	if i <= 0 {
		return "", "", false
	}
	key = string(l[:i])
	v := bytes.TrimSpace(l[i+2:])
	if j := bytes.Index(v, []byte(" #")); j >= 0 {
		v = bytes.TrimSpace(v[:j])
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || bytes.ContainsAny(v, "[]{}&*!|>\"'`,") || !utf8.Valid(v) {
		return key, "", false
	}
	return key, string(v), true
}
