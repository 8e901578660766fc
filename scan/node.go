package scan

import (
	"bytes"
	"fmt"

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

// MapEntry returns the key node and value node of key in mapping m.
func MapEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m != nil && m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			return m.Content[i], v
		}
	}
	return nil, nil
}

// PosOf is the file position of a node.
func PosOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// valueOf walks keys from root and returns the value reached.
func valueOf(root *yaml.Node, keys []string) *yaml.Node {
	n := root
	for _, k := range keys {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			n = MapGet(n, k)
		case yaml.SequenceNode:
			n = lookupPath(n, []string{k})
		default:
			return nil
		}
	}
	return n
}

// lookupPath walks a YAML tree along keys (a sequence index is its decimal
// form) and returns the node to place a finding on: the mapping key or the
// sequence item.
func lookupPath(root *yaml.Node, keys []string) *yaml.Node {
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var at *yaml.Node
	for _, k := range keys {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			kn, v := MapEntry(n, k)
			if kn == nil {
				return nil
			}
			at, n = kn, v
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(n.Content) || fmt.Sprint(i) != k {
				return nil
			}
			at, n = n.Content[i], n.Content[i]
		default:
			return nil
		}
	}
	return at
}

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

// The generic helpers rules read documents with; each follows aliases.

// Deref follows an alias node.
func Deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// Items returns the elements of a sequence node (nil for anything else).
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

// Pairs calls fn for each key and value of a mapping node.
func Pairs(m *yaml.Node, fn func(k, v *yaml.Node)) {
	m = Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i], Deref(m.Content[i+1]))
	}
}

// Str is the value of a string scalar, or "" for anything else.
func Str(n *yaml.Node) string {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "") {
		return ""
	}
	return n.Value
}

// Scalar is the value of any scalar node (string, number, bool), or "".
func Scalar(n *yaml.Node) string {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// At walks a path of mapping keys from n.
func At(n *yaml.Node, path ...string) *yaml.Node {
	for _, k := range path {
		n = MapGet(n, k)
	}
	return n
}
