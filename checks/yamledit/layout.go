package yamledit

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// entry is one key/value pair of a block mapping, with its place in the file.
type entry struct {
	key, val         *yaml.Node
	keyStart, keyEnd int // the key token
	// start and end delimit the entry's text: its head comments (lines
	// between the previous entry and the key), the key line, the value and
	// comments indented under it. end is a line start (or the end of file).
	start, end int
	// bodyStart is start without the head comments: the key's line start,
	// or the key itself when it follows "- " on its line (compact).
	bodyStart int
	compact   bool
	indent    int // the key's column, 0-based
}

// entries lays out the entries of block mapping m in the file. It fails on
// anything it cannot place exactly (flow style, keys that do not start their
// line, complex keys).
func (ed *Editor) entries(m *yaml.Node) []entry {
	if ed.err != nil {
		return nil
	}
	if es, ok := ed.layouts[m]; ok {
		return es
	}
	es := ed.layout(m)
	if ed.err == nil {
		if ed.layouts == nil {
			ed.layouts = map[*yaml.Node][]entry{}
		}
		ed.layouts[m] = es
	}
	return es
}

// layout computes entries (the file never changes while an edit runs:
// edits are only collected).
func (ed *Editor) layout(m *yaml.Node) []entry {
	if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) < 2 {
		ed.Fail("line %d: not a block mapping", lineOf(m))
		return nil
	}
	n := len(m.Content) / 2
	es := make([]entry, n)
	indent := m.Content[0].Column - 1
	for i := range es {
		k, v := m.Content[2*i], m.Content[2*i+1]
		ks, ke, ok := ed.token(k)
		if !ok || k.Column-1 != indent || k.Value == "<<" {
			ed.Fail("line %d: key not laid out as expected", k.Line)
			return nil
		}
		ls := ed.f.LineStart(k.Line)
		e := entry{key: k, val: v, keyStart: ks, keyEnd: ke, bodyStart: ls, indent: indent}
		if len(bytes.TrimLeft(ed.data[ls:ks], " ")) > 0 {
			if i != 0 || !isDashPrefix(ed.data[ls:ks]) {
				ed.Fail("line %d: key does not start its line", k.Line)
				return nil
			}
			e.compact, e.bodyStart = true, ks
		}
		es[i] = e
	}
	for i := range es {
		last, term := ed.textEnd(es[i])
		if i+1 < n && term != es[i+1].key.Line {
			ed.Fail("line %d: entry not laid out as expected", es[i].key.Line)
			return nil
		}
		es[i].end = ed.f.LineStart(last + 1)
	}
	es[0].start = es[0].bodyStart
	if !es[0].compact {
		for l := es[0].key.Line - 1; l >= ed.d.StartLine; l-- {
			line := ed.f.Line(l)
			t := bytes.TrimLeft(line, " ")
			if len(t) == 0 || t[0] != '#' || len(line)-len(t) != indent {
				break
			}
			es[0].start = ed.f.LineStart(l)
		}
	}
	for i := 1; i < n; i++ {
		es[i].start = es[i-1].end
	}
	return es
}

// textEnd returns the last line of an entry's text and the first line after
// it that belongs to something else (0 at the end of the document). Blank
// lines and comments not indented under the key do not extend the entry.
// Unlike LastLine, which follows a node's last descendant, it reads the
// file's lines, so comments indented under the entry belong to it.
func (ed *Editor) textEnd(e entry) (last, term int) {
	seq := e.val.Kind == yaml.SequenceNode && e.val.Style&yaml.FlowStyle == 0
	last = e.key.Line
	for l := e.key.Line + 1; l <= ed.last; l++ {
		line := ed.f.Line(l)
		t := bytes.TrimLeft(line, " ")
		ind := len(line) - len(t)
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		if t[0] == '#' {
			if ind > e.indent {
				last = l
			}
			continue
		}
		if ind < e.indent || ind == e.indent && !(seq && isDashItem(t)) {
			return last, l
		}
		last = l
	}
	return last, 0
}

// entry finds key in block mapping m.
func (ed *Editor) entry(m *yaml.Node, key string) (entry, bool) {
	for _, e := range ed.entries(m) {
		if e.key.Value == key {
			return e, true
		}
	}
	ed.Fail("line %d: no %s here", lineOf(m), key)
	return entry{}, false
}

// isDashPrefix reports whether p (the text before a key on its line) is
// block-sequence indicators only, such as "  - " or "- - ".
func isDashPrefix(p []byte) bool {
	p = bytes.TrimLeft(p, " ")
	if len(p) == 0 {
		return false
	}
	for len(p) > 0 {
		if len(p) < 2 || p[0] != '-' || p[1] != ' ' {
			return false
		}
		p = bytes.TrimLeft(p[1:], " ")
	}
	return true
}

// isDashItem reports whether a line (without indentation) starts a block
// sequence item.
func isDashItem(t []byte) bool {
	return len(t) > 0 && t[0] == '-' && (len(t) == 1 || t[1] == ' ')
}

// scalarToken returns the bytes of a one-line scalar as written in f:
// plain, single- or double-quoted, quotes included. Block scalars,
// multi-line scalars, tags and anchors are refused.
func scalarToken(f *scan.File, n *yaml.Node) (start, end int, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Style&(yaml.TaggedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, false
	}
	start = f.Offset(scan.PosOf(n))
	lineEnd := bytes.IndexByte(f.Data[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(f.Data)
	} else {
		lineEnd += start
	}
	line := f.Data[start:lineEnd]
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if len(line) == 0 || line[0] != '"' {
			return 0, 0, false
		}
		for i := 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return start, start + i + 1, true
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if len(line) == 0 || line[0] != '\'' {
			return 0, 0, false
		}
		for i := 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return start, start + i + 1, true
			}
		}
	default:
		if n.Value == "" || !bytes.HasPrefix(line, []byte(n.Value)) {
			return 0, 0, false
		}
		return start, start + len(n.Value), true
	}
	return 0, 0, false
}

// token is scalarToken in the edited file.
func (ed *Editor) token(n *yaml.Node) (start, end int, ok bool) { return scalarToken(ed.f, n) }

// ScalarRange returns the byte range of a one-line scalar's characters in f,
// inside its quotes when quoted. ok is false when the scalar is not written
// out literally on one line (escapes, folding, block style, tags, anchors).
func ScalarRange(f *scan.File, n *yaml.Node) (start, end int, ok bool) {
	start, end, ok = scalarToken(f, n)
	if !ok {
		return 0, 0, false
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		start, end = start+1, end-1
	}
	if string(f.Data[start:end]) != n.Value {
		return 0, 0, false // escapes: the text is not the value
	}
	return start, end, true
}

// StartsLine reports whether node n is the first thing on its line (only
// spaces before it), so a sibling can be inserted above it.
func StartsLine(f *scan.File, n *yaml.Node) bool {
	return f.Indent(n.Line) == n.Column-1
}

// BlockMapping reports whether m is a block-style mapping whose keys each
// start a line at the same indentation, so entries can be added and removed
// line by line.
func BlockMapping(f *scan.File, m *yaml.Node) bool {
	if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
		return false
	}
	col := m.Content[0].Column
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Column != col || k.Kind != yaml.ScalarNode {
			return false
		}
		if i > 0 && !StartsLine(f, k) {
			return false
		}
	}
	return true
}
