package scan

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Rendered is content produced by rendering (one template of a Helm chart,
// one object of a kustomize build, one document of `helm template` output)
// together with the way back to the file the user edits. Its File is parsed
// and checked like any other; findings on it are then placed with Locate.
type Rendered struct {
	// File holds the rendered text. File.Path is the source file shown when
	// nothing better is known, File.Origin says what was rendered.
	File *File
	loc  locator
}

// newRendered ties rendered content to its locator.
func newRendered(f *File, loc locator) *Rendered {
	r := &Rendered{File: f, loc: loc}
	f.rendered = r
	return r
}

// Rendered returns the rendered view of a file produced by rendering (a
// chart template, a kustomize object), or nil for a file read as it is.
func (f *File) Rendered() *Rendered { return f.rendered }

// Location is where a finding on rendered text belongs in the user's files.
type Location struct {
	File string
	Pos  Pos
	// Note is added to the finding's message when the place is approximate
	// (line 1 of the template, or a packaged subchart).
	Note string
	// Exact is set when Pos is the very byte that produced the rendered
	// position, so that byte offsets of fixes translate (see LocateEdit).
	Exact bool
	// copy is set when the finding's value was printed verbatim from the
	// values file Location names.
	copy *copied
}

// copied says that n rendered bytes from offset out are bytes file.. of
// the file at path.
type copied struct {
	path      string
	out, file int
	n         int
}

// MapEdit maps rendered bytes [start, end) of a fix into the values file
// the finding was placed on, when the value was printed there verbatim.
func (l Location) MapEdit(start, end int) (path string, s, e int, ok bool) {
	c := l.copy
	if c == nil || start < c.out || end > c.out+c.n || end < start {
		return "", 0, 0, false
	}
	return c.path, c.file + start - c.out, c.file + end - c.out, true
}

// Query is what Locate needs to know about a finding on rendered text.
type Query struct {
	// Pos is the finding's position in the rendered text.
	Pos Pos
	// ObjectLevel findings are about the object as a whole (api-removed):
	// they stay on the template line of their key, even when its value
	// is an expression.
	ObjectLevel bool
	// Start and End, when End > Start, are the rendered bytes the finding
	// is about (its fix's edit): they tell a value written in the template
	// from one a values file gave.
	Start, End int
}

// locator places positions of one rendered file.
type locator interface {
	locate(d *Document, q Query) Location
	// edit maps bytes [start, end) of the rendered text to the same bytes of
	// a source file, when they were copied from it verbatim.
	edit(start, end int) (path string, s, e int, ok bool)
}

// Locate places a finding on the rendered text (of document d) in the
// user's files: the template line holding the key or value, the values
// file line that gave the value, the resource or patch line of a
// kustomization. It never guesses: when the position cannot be traced, it
// gives line 1 of the source with a note.
func (r *Rendered) Locate(d *Document, q Query) Location {
	if r.loc == nil {
		return Location{File: r.File.Path, Pos: q.Pos, Exact: true}
	}
	return r.loc.locate(d, q)
}

// LocateEdit maps bytes [start, end) of the rendered text to a source file
// when they were copied from it unchanged (template text, a resource file),
// so that a fix computed on the rendered text can be applied to the source.
func (r *Rendered) LocateEdit(start, end int) (path string, s, e int, ok bool) {
	if r.loc == nil {
		return r.File.Path, start, end, true
	}
	return r.loc.edit(start, end)
}

// PosAt converts a byte offset in Data into a position (the inverse of
// Offset). Offsets inside the byte-order mark give line 1, column 1.
func (f *File) PosAt(off int) Pos {
	s := f.starts()
	if off < s[0] {
		return Pos{Line: 1, Col: 1}
	}
	if off > len(f.Data) {
		off = len(f.Data)
	}
	line := 0
	lo, hi := 0, len(s)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		if s[mid] <= off {
			line, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	return Pos{Line: line + 1, Col: utf8.RuneCount(f.Data[s[line]:off]) + 1}
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

// ProblemKind names what went wrong while rendering. Each is the ID of the
// rule that reports it.
type ProblemKind string

// Problems rendering reports.
const (
	ProblemDependencyMissing ProblemKind = "helm-dependency-missing"
	ProblemRenderError       ProblemKind = "helm-render-error"
	ProblemBuildError        ProblemKind = "kustomize-build-error"
	ProblemRemoteResource    ProblemKind = "kustomize-remote-resource"
)

// Problem is something rendering found wrong with its input, placed at a
// file line.
type Problem struct {
	Kind    ProblemKind
	File    string
	Pos     Pos
	Message string
	Origin  *Origin
}
