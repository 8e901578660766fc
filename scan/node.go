package scan

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// node.go is the one home of generic yaml.v3 node helpers: reading
// mappings and sequences (following one level of alias, never more), walking
// paths of keys, and measuring trees without following aliases.

// MapGet returns the value of key in mapping m, or nil. It follows one level
// of alias on m and on the value.
func MapGet(m *yaml.Node, key string) *yaml.Node {
	_, v := MapEntry(m, key)
	return v
}

// MapEntry returns the key node and value node of key in mapping m. It
// follows one level of alias on m and on the value.
func MapEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], Deref(m.Content[i+1])
		}
	}
	return nil, nil
}

// MapPath walks a path of mapping keys from n with MapGet: the value at
// n.keys[0].keys[1]..., or nil when a key is missing.
func MapPath(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = MapGet(n, k)
	}
	return n
}

// Deref follows an alias node to the node it names, one level; any other
// node (and an alias without a target) is returned as it is.
func Deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// Items returns the entries of a sequence node, the sequence and each entry
// followed through one alias, or nil when n is not a sequence.
func Items(n *yaml.Node) []*yaml.Node {
	n = Deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = Deref(c)
	}
	return out
}

// Pairs calls fn for each key and value of a mapping node, in order, the
// mapping and each value followed through one alias. It calls nothing when
// m is not a mapping.
func Pairs(m *yaml.Node, fn func(k, v *yaml.Node)) {
	m = Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i], Deref(m.Content[i+1]))
	}
}

// MappingOrNil returns n when it is a mapping node (an alias is not
// followed), else nil.
func MappingOrNil(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.MappingNode {
		return n
	}
	return nil
}

// StringValue is the value of a string scalar (tag !!str, or no tag),
// following one alias; "" for a number, boolean, null or anything else.
func StringValue(n *yaml.Node) string {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "") {
		return ""
	}
	return n.Value
}

// ScalarValue is the text of any scalar (string, number, boolean, null),
// following one alias; "" for a mapping, a sequence or nil.
func ScalarValue(n *yaml.Node) string {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// IsNull reports whether n is a null scalar (null, ~, or a key with no
// value). An alias is not followed; MapGet's results already are.
func IsNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// StringMap reads a mapping of scalars (labels, annotations, a selector's
// matchLabels) into a Go map, each value as ScalarValue gives it. It is
// empty, not nil, when m is not a mapping.
func StringMap(m *yaml.Node) map[string]string {
	out := map[string]string{}
	Pairs(m, func(k, v *yaml.Node) { out[k.Value] = ScalarValue(v) })
	return out
}

// rootNode parses data as YAML and returns the root node of its first
// document, or nil when it does not parse or holds no document.
func rootNode(data []byte) *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// PosOf is the file position of a node.
func PosOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// lookupPath walks a YAML tree along keys (a sequence index is its
// decimal form). at is the node to place a finding on: the last mapping
// key, or the last sequence item. value is the node reached: a mapping's
// value (followed through one alias), or the sequence item as written. Both
// are nil when the path is not in the tree; with no keys, at is nil and
// value is the root. A document node stands for its content.
func lookupPath(root *yaml.Node, keys []string) (at, value *yaml.Node) {
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		n = Deref(n)
		if n == nil {
			return nil, nil
		}
		switch n.Kind {
		case yaml.MappingNode:
			kn, v := MapEntry(n, k)
			if kn == nil {
				return nil, nil
			}
			at, n = kn, v
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(n.Content) || fmt.Sprint(i) != k {
				return nil, nil
			}
			at, n = n.Content[i], n.Content[i]
		default:
			return nil, nil
		}
	}
	return at, n
}

// hasPrefix reports whether the path of keys a starts with prefix.
func hasPrefix(a, prefix []string) bool {
	if len(prefix) > len(a) {
		return false
	}
	for i := range prefix {
		if a[i] != prefix[i] {
			return false
		}
	}
	return true
}

// pathElem is one step of a path into a YAML tree: a mapping key, or the
// index of a sequence item (key empty).
type pathElem struct {
	key     string
	index   int
	isIndex bool
	node    *yaml.Node // the key node (mapping) or item node (sequence)
}

// nodePath finds the node at p in the tree under root and returns the path
// to it. isKey is set when p is a mapping key; value is then its value.
func nodePath(root *yaml.Node, p Pos) (path []pathElem, target, value *yaml.Node, isKey bool) {
	var walk func(n *yaml.Node, path []pathElem) bool
	walk = func(n *yaml.Node, cur []pathElem) bool {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				next := append(cur[:len(cur):len(cur)], pathElem{key: k.Value, node: k})
				if k.Line == p.Line && k.Column == p.Col {
					path, target, value, isKey = next, k, v, true
					return true
				}
				if v.Kind != yaml.AliasNode && walk(v, next) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, it := range n.Content {
				next := append(cur[:len(cur):len(cur)], pathElem{index: i, isIndex: true, node: it})
				if it.Kind != yaml.AliasNode && walk(it, next) {
					return true
				}
			}
		default:
			if n.Line == p.Line && n.Column == p.Col {
				path, target = cur, n
				return true
			}
		}
		return false
	}
	if root != nil {
		walk(root, nil)
	}
	return
}

// Depth returns the nesting depth of a node tree, counting without
// following aliases and giving up (returning limit+1) once past limit.
func Depth(n *yaml.Node, limit int) int {
	type item struct {
		n *yaml.Node
		d int
	}
	max := 0
	stack := []item{{n, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.d > max {
			max = it.d
			if max > limit {
				return max
			}
		}
		for _, c := range it.n.Content {
			stack = append(stack, item{c, it.d + 1})
		}
	}
	return max
}

// LastLine is the last file line a node's text reaches, for nodes written in
// block style: the line of its deepest last descendant (aliases followed one
// level at each step), and for a literal or folded block scalar the lines of
// its value below the indicator.
func LastLine(n *yaml.Node) int {
	for {
		n = Deref(n)
		if len(n.Content) == 0 {
			break
		}
		n = n.Content[len(n.Content)-1]
	}
	l := n.Line
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		l += strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1
	}
	return l
}

// HasAnchors reports whether the tree under n uses anchors, aliases or merge
// keys, which make one text edit change several places. Aliases are not
// followed.
func HasAnchors(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Anchor != "" || n.Kind == yaml.AliasNode || n.Kind == yaml.ScalarNode && n.Tag == "!!merge" {
		return true
	}
	for _, k := range n.Content {
		if HasAnchors(k) {
			return true
		}
	}
	return false
}

// shiftLines adds delta to the line of every node reachable without
// following aliases (so an alias bomb costs nothing here).
func shiftLines(n *yaml.Node, delta int) {
	if delta == 0 {
		return
	}
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n.Line += delta
		stack = append(stack, n.Content...)
	}
}

// scalarSpan returns the byte range in f of a scalar's content (inside any
// quotes), when the scalar is on one line.
func scalarSpan(f *File, n *yaml.Node) (start, end int, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" || n.Line < 1 {
		return 0, 0, false
	}
	start = f.Offset(Pos{Line: n.Line, Col: n.Column})
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		start++
	case 0, yaml.FlowStyle:
	default:
		return 0, 0, false
	}
	line := f.Line(n.Line)
	if bytes.ContainsAny([]byte(n.Value), "\n\\'\"") || line == nil {
		return 0, 0, false
	}
	end = start + len(n.Value)
	if end > f.LineEnd(n.Line) {
		return 0, 0, false
	}
	return start, end, true
}
