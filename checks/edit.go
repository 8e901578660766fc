package checks

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Helpers that turn node positions into byte-range edits. Every helper
// checks the file bytes against what the node says before it answers, so a
// fix is only offered when the edit is known to hit the right bytes.

// scalarInner returns the byte range of a one-line scalar's characters in f,
// inside its quotes when quoted. ok is false when the scalar is not written
// out literally on one line (escapes, folding, block style).
func scalarInner(f *scan.File, n *yaml.Node) (start, end int, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, 0, false
	}
	start = f.Offset(pos(n))
	switch n.Style {
	case 0:
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := byte('"')
		if n.Style == yaml.SingleQuotedStyle {
			q = '\''
		}
		if start >= len(f.Data) || f.Data[start] != q {
			return 0, 0, false
		}
		start++
		end = start + len(n.Value)
		if end >= len(f.Data) || f.Data[end] != q {
			return 0, 0, false
		}
	default:
		return 0, 0, false
	}
	end = start + len(n.Value)
	if end > len(f.Data) || string(f.Data[start:end]) != n.Value || bytes.ContainsAny(f.Data[start:end], "\r\n") {
		return 0, 0, false
	}
	return start, end, true
}

// replaceScalar is an edit that replaces a one-line scalar's text (keeping
// its quotes) with repl. ok is false when the scalar cannot be edited in place.
func replaceScalar(f *scan.File, n *yaml.Node, repl string) (Edit, bool) {
	s, e, ok := scalarInner(f, n)
	if !ok {
		return Edit{}, false
	}
	return Edit{Path: f.Path, Start: s, End: e, New: repl}, true
}

// lineStart is the byte offset of the start of file line n.
func lineStart(f *scan.File, n int) int { return f.Offset(scan.Pos{Line: n, Col: 1}) }

// deleteLines is an edit that removes file lines from..to, line breaks included.
func deleteLines(f *scan.File, from, to int) Edit {
	end := len(f.Data)
	if to < f.Lines() {
		end = lineStart(f, to+1)
	}
	return Edit{Path: f.Path, Start: lineStart(f, from), End: end}
}

// lineIndent is the number of leading spaces of file line n.
func lineIndent(f *scan.File, n int) int {
	l := f.Line(n)
	return len(l) - len(bytes.TrimLeft(l, " "))
}

// startsLine reports whether node n is the first thing on its line (only
// spaces before it), so a sibling can be inserted above it.
func startsLine(f *scan.File, n *yaml.Node) bool {
	return lineIndent(f, n.Line) == n.Column-1
}

// lastLine is the last file line a node's text reaches, for nodes written in
// block style: the deepest last descendant's line, and for block scalars the
// line count of the value.
func lastLine(n *yaml.Node) int {
	for {
		n = deref(n)
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

// blockMapping reports whether m is a block-style mapping whose keys each
// start a line at the same indentation, so entries can be added and removed
// line by line.
func blockMapping(f *scan.File, m *yaml.Node) bool {
	if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
		return false
	}
	col := m.Content[0].Column
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Column != col || k.Kind != yaml.ScalarNode {
			return false
		}
		if i > 0 && !startsLine(f, k) {
			return false
		}
	}
	return true
}

// indentText indents every line of block by n spaces and ends each with br.
func indentText(block []string, n int, br string) string {
	var b strings.Builder
	pad := strings.Repeat(" ", n)
	for _, l := range block {
		b.WriteString(pad)
		b.WriteString(l)
		b.WriteString(br)
	}
	return b.String()
}
