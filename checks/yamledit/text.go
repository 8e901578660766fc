package yamledit

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Raw is a one-line scalar as written, or "" (and the edit fails).
func (ed *Editor) Raw(n *yaml.Node) string {
	s, e, ok := ed.token(n)
	if !ok {
		ed.Fail("line %d: value is not a one-line scalar", lineOf(n))
		return ""
	}
	return string(ed.data[s:e])
}

// RawValue is a value as written on one line: a scalar token, or a flow
// mapping or sequence up to its closing bracket.
func (ed *Editor) RawValue(n *yaml.Node) string {
	if n == nil {
		ed.Fail("no value")
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return ed.Raw(n)
	}
	if n.Style&yaml.FlowStyle == 0 || n.Anchor != "" || n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		ed.Fail("line %d: value is not a one-line flow collection", n.Line)
		return ""
	}
	start := ed.f.Offset(scan.PosOf(n))
	depth := 0
	for i := start; i < len(ed.data); i++ {
		switch ed.data[i] {
		case '\n', '#':
			ed.Fail("line %d: flow collection spans lines", n.Line)
			return ""
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return string(ed.data[start : i+1])
			}
		case '"':
			for i++; i < len(ed.data) && ed.data[i] != '"' && ed.data[i] != '\n'; i++ {
				if ed.data[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(ed.data) && ed.data[i] != '\n'; i++ {
				if ed.data[i] == '\'' {
					if i+1 < len(ed.data) && ed.data[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		}
	}
	ed.Fail("line %d: unterminated flow collection", n.Line)
	return ""
}

// styled writes value as a YAML string in the style of n: quoted the same
// way, or plain where plain reads back as the same string.
func styled(n *yaml.Node, value string) string {
	switch {
	case n.Style&yaml.SingleQuotedStyle != 0:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case n.Style&yaml.DoubleQuotedStyle == 0 && PlainSafe(value):
		return value
	}
	return DoubleQuote(value)
}

// regionEdit replaces [start, end) with text, which ends with a line break;
// at the end of a file without a final line break, none is added.
func (ed *Editor) regionEdit(start, end int, text string) Edit {
	if end == len(ed.data) && len(ed.data) > 0 && ed.data[len(ed.data)-1] != '\n' && text != "" {
		if start == end && start > 0 && ed.data[start-1] != '\n' {
			text = ed.lb + text // inserting after the last line
		}
		text = strings.TrimSuffix(text, ed.lb)
	}
	return Edit{Path: ed.f.Path, Start: start, End: end, New: text}
}

// itemsText writes items as block mapping entries at indent. inline: the
// first line goes where the text starts (after "- "), without indentation.
func (ed *Editor) itemsText(items []Item, indent int, inline bool) string {
	var b strings.Builder
	for i, it := range items {
		pre := strings.Repeat(" ", indent)
		first := inline && i == 0
		if first {
			pre = ""
		}
		switch {
		case it.src != nil:
			b.WriteString(ed.entryText(it, indent, first))
		case it.kids != nil:
			b.WriteString(pre + it.key + ":" + ed.lb)
			b.WriteString(ed.itemsText(it.kids, indent+ed.step, false))
		default:
			b.WriteString(pre + it.key + ": " + it.raw + ed.lb)
		}
	}
	return b.String()
}

// entryText is an original entry's text re-indented to indent, with its key
// and (for a scalar value) its value replaced as the item says.
func (ed *Editor) entryText(it Item, indent int, inline bool) string {
	e, ok := ed.entry(it.src, it.srcKey)
	if !ok {
		return ""
	}
	from := e.bodyStart
	if it.move && !inline && !e.compact {
		from = e.start
	}
	vs, ve := -1, -1
	if it.raw != "" {
		s, t, ok := ed.token(e.val)
		if !ok {
			ed.Fail("line %d: value is not a one-line scalar", e.key.Line)
			return ""
		}
		vs, ve = s, t
	}
	// the text with the key (and maybe the value) replaced
	key := string(ed.data[e.keyStart:e.keyEnd])
	if it.key != "" {
		key = it.key
	}
	text := string(ed.data[from:e.keyStart]) + key
	if vs >= 0 {
		text += string(ed.data[e.keyEnd:vs]) + it.raw + string(ed.data[ve:e.end])
	} else {
		text += string(ed.data[e.keyEnd:e.end])
	}
	keyAt := e.keyStart - from
	keyLine := strings.LastIndexByte(text[:keyAt], '\n') + 1
	delta := indent - e.indent
	var b strings.Builder
	for at := 0; at < len(text); {
		next := strings.IndexByte(text[at:], '\n')
		if next < 0 {
			next = len(text)
		} else {
			next += at + 1
		}
		if at == keyLine {
			if !inline {
				b.WriteString(strings.Repeat(" ", indent))
			}
			b.WriteString(text[keyAt:next])
		} else {
			b.Write(reindent([]byte(text[at:next]), delta))
		}
		at = next
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += ed.lb
	}
	return s
}

// reindent moves a line right (delta > 0) or left by delta spaces. Blank
// lines are kept as they are; a line never loses more spaces than it has.
func reindent(line []byte, delta int) []byte {
	if len(bytes.TrimSpace(line)) == 0 || delta == 0 {
		return line
	}
	if delta > 0 {
		return append([]byte(strings.Repeat(" ", delta)), line...)
	}
	n := 0
	for n < -delta && n < len(line) && line[n] == ' ' {
		n++
	}
	return line[n:]
}

// ReplaceScalar is an edit that replaces a one-line scalar's text (keeping
// its quotes) with repl. ok is false when the scalar cannot be edited in place.
func ReplaceScalar(f *scan.File, n *yaml.Node, repl string) (Edit, bool) {
	s, e, ok := ScalarRange(f, n)
	if !ok {
		return Edit{}, false
	}
	return Edit{Path: f.Path, Start: s, End: e, New: repl}, true
}

// DeleteLines is an edit that removes file lines from..to, line breaks included.
func DeleteLines(f *scan.File, from, to int) Edit {
	end := len(f.Data)
	if to < f.Lines() {
		end = f.LineStart(to + 1)
	}
	return Edit{Path: f.Path, Start: f.LineStart(from), End: end}
}

// IndentText indents every line of block by n spaces and ends each with br.
func IndentText(block []string, n int, br string) string {
	var b strings.Builder
	pad := strings.Repeat(" ", n)
	for _, l := range block {
		b.WriteString(pad)
		b.WriteString(l)
		b.WriteString(br)
	}
	return b.String()
}

// IndentLines indents each line by n spaces.
func IndentLines(lines []string, n int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Repeat(" ", n) + l
	}
	return out
}

// PlainSafe reports whether s can be written as a plain YAML scalar and read
// back as the same string.
func PlainSafe(s string) bool {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\\\t\r\n") || strings.TrimSpace(s) != s || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "?") {
		return false
	}
	var v any
	if err := yaml.Unmarshal([]byte("v: "+s), &v); err != nil {
		return false
	}
	m, ok := v.(map[string]any)
	return ok && m["v"] == s
}

// DoubleQuote writes s as a double-quoted YAML scalar.
func DoubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
