package checks

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// This file is the text side of fixes: it turns changes stated on a
// document's yaml.v3 Nodes into byte-range edits of the file, so that
// everything a change does not touch (comments, key order, indentation,
// quoting, line breaks) stays as the user wrote it. A document is never
// re-marshalled. Each change is also recorded on the decoded object, and a
// conversion is offered only if the edited text decodes to exactly that
// object (verify).

// conv is one conversion of one document in progress.
type conv struct {
	d    *scan.Document
	f    *scan.File
	data []byte
	root *yaml.Node
	lb   string // line break for new lines
	step int    // indentation step for new nested mappings
	last int    // last file line of the document

	paths   map[*yaml.Node][]any      // node → path of keys and indices from root
	layouts map[*yaml.Node][]entry    // entries of block mappings, laid out once
	parents map[*yaml.Node]*yaml.Node // mapping value → the mapping holding it
	edits   []Edit
	ops     []semOp
	err     error

	// From and To are the old and new apiVersion; Kind is the object kind.
	From, To, Kind string
	Target         Version
	// alt asks the converter for its alternative fix (see hasAlt).
	alt    bool
	hasAlt bool
	notes  []string // what the conversion did, for the description
	unsafe []string // why the result may behave differently
}

// semOp is one change applied to the decoded document. Ops run deepest
// path first, so renaming a key never invalidates a path below it.
type semOp struct {
	depth int
	apply func(v any) error
}

// item is an entry to write into a block mapping: a new scalar, a new
// mapping (kids), or an original entry (src, srcKey) moved or copied here,
// optionally under a new key and with a new scalar value.
type item struct {
	key    string // the key as written; "" keeps an original entry's key
	raw    string // a scalar value as written (for src items: replaces the value)
	kids   []item
	src    *yaml.Node
	srcKey string
	move   bool // the original entry leaves its place: its head comments come along
}

// scalarItem is a new entry `key: raw`.
func scalarItem(key, raw string) item { return item{key: key, raw: raw} }

// group is a new entry whose value is a mapping of kids.
func group(key string, kids ...item) item { return item{key: key, kids: kids} }

// moved is the entry key of mapping m, moved here under newKey ("" keeps it).
func moved(m *yaml.Node, key, newKey string) item {
	return item{key: newKey, src: m, srcKey: key, move: true}
}

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

func newConv(d *scan.Document, root *yaml.Node) *conv {
	c := &conv{d: d, f: d.File, data: d.File.Data, root: root, lb: d.File.LineBreak(), step: 2, last: d.EndLine}
	c.paths, c.parents = map[*yaml.Node][]any{}, map[*yaml.Node]*yaml.Node{}
	c.index(root, []any{})
	if meta := scan.MapGet(root, "metadata"); meta != nil && meta.Kind == yaml.MappingNode && len(meta.Content) > 0 && meta.Style&yaml.FlowStyle == 0 {
		if s := meta.Content[0].Column - root.Content[0].Column; s > 0 {
			c.step = s
		}
	}
	return c
}

func (c *conv) index(n *yaml.Node, p []any) {
	c.paths[n] = p
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.paths[n.Content[i]] = p
			c.parents[n.Content[i+1]] = n
			c.index(n.Content[i+1], append(slices.Clip(p), n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			c.index(it, append(slices.Clip(p), i))
		}
	}
}

// fail stops the conversion: no fix is offered.
func (c *conv) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, a...)
	}
}

// note adds a phrase to the fix description.
func (c *conv) note(format string, a ...any) { c.notes = append(c.notes, fmt.Sprintf(format, a...)) }

// risk marks the fix unsafe, with the reason.
func (c *conv) risk(format string, a ...any) { c.unsafe = append(c.unsafe, fmt.Sprintf(format, a...)) }

func (c *conv) op(depth int, f func(v any) error) { c.ops = append(c.ops, semOp{depth, f}) }

// lineStart is the offset of 1-based line n (len(data) past the end).
func (c *conv) lineStart(n int) int { return c.f.Offset(scan.Pos{Line: n, Col: 1}) }

// token returns the bytes of a one-line scalar as written: plain, single- or
// double-quoted. Block scalars, multi-line scalars, tags and anchors are
// refused.
func (c *conv) token(n *yaml.Node) (start, end int, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Style&(yaml.TaggedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, false
	}
	start = c.f.Offset(scan.PosOf(n))
	lineEnd := bytes.IndexByte(c.data[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(c.data)
	} else {
		lineEnd += start
	}
	line := c.data[start:lineEnd]
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

// raw is a one-line scalar as written, or "" (and the conversion fails).
func (c *conv) raw(n *yaml.Node) string {
	s, e, ok := c.token(n)
	if !ok {
		c.fail("line %d: value is not a one-line scalar", lineOf(n))
		return ""
	}
	return string(c.data[s:e])
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
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

// entries lays out the entries of block mapping m in the file. It fails on
// anything it cannot place exactly (flow style, keys that do not start their
// line, complex keys).
func (c *conv) entries(m *yaml.Node) []entry {
	if c.err != nil {
		return nil
	}
	if es, ok := c.layouts[m]; ok {
		return es
	}
	es := c.layout(m)
	if c.err == nil {
		if c.layouts == nil {
			c.layouts = map[*yaml.Node][]entry{}
		}
		c.layouts[m] = es
	}
	return es
}

// layout computes entries (the file never changes while a conversion runs:
// edits are only collected).
func (c *conv) layout(m *yaml.Node) []entry {
	if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) < 2 {
		c.fail("line %d: not a block mapping", lineOf(m))
		return nil
	}
	n := len(m.Content) / 2
	es := make([]entry, n)
	indent := m.Content[0].Column - 1
	for i := range es {
		k, v := m.Content[2*i], m.Content[2*i+1]
		ks, ke, ok := c.token(k)
		if !ok || k.Column-1 != indent || k.Value == "<<" {
			c.fail("line %d: key not laid out as expected", k.Line)
			return nil
		}
		ls := c.lineStart(k.Line)
		e := entry{key: k, val: v, keyStart: ks, keyEnd: ke, bodyStart: ls, indent: indent}
		if len(bytes.TrimLeft(c.data[ls:ks], " ")) > 0 {
			if i != 0 || !isDashPrefix(c.data[ls:ks]) {
				c.fail("line %d: key does not start its line", k.Line)
				return nil
			}
			e.compact, e.bodyStart = true, ks
		}
		es[i] = e
	}
	for i := range es {
		last, term := c.lastLine(es[i])
		if i+1 < n && term != es[i+1].key.Line {
			c.fail("line %d: entry not laid out as expected", es[i].key.Line)
			return nil
		}
		es[i].end = c.lineStart(last + 1)
	}
	es[0].start = es[0].bodyStart
	if !es[0].compact {
		for l := es[0].key.Line - 1; l >= c.d.StartLine; l-- {
			line := c.f.Line(l)
			t := bytes.TrimLeft(line, " ")
			if len(t) == 0 || t[0] != '#' || len(line)-len(t) != indent {
				break
			}
			es[0].start = c.lineStart(l)
		}
	}
	for i := 1; i < n; i++ {
		es[i].start = es[i-1].end
	}
	return es
}

// lastLine returns the last line of an entry's text and the first line after
// it that belongs to something else (0 at the end of the document). Blank
// lines and comments not indented under the key do not extend the entry.
func (c *conv) lastLine(e entry) (last, term int) {
	seq := e.val.Kind == yaml.SequenceNode && e.val.Style&yaml.FlowStyle == 0
	last = e.key.Line
	for l := e.key.Line + 1; l <= c.last; l++ {
		line := c.f.Line(l)
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
func (c *conv) entry(m *yaml.Node, key string) (entry, bool) {
	for _, e := range c.entries(m) {
		if e.key.Value == key {
			return e, true
		}
	}
	c.fail("line %d: no %s here", lineOf(m), key)
	return entry{}, false
}

// setScalar replaces the scalar n with raw, keeping everything around it.
func (c *conv) setScalar(n *yaml.Node, raw string) {
	s, e, ok := c.token(n)
	if !ok {
		c.fail("line %d: value is not a one-line scalar", lineOf(n))
		return
	}
	c.edits = append(c.edits, Edit{Path: c.f.Path, Start: s, End: e, New: raw})
	p := c.paths[n]
	c.op(len(p), func(v any) error {
		val, err := decodeRaw(raw)
		if err != nil {
			return err
		}
		return setAt(v, p, val)
	})
}

// setValue replaces the string scalar n with value, written in the style
// (plain, single- or double-quoted) n was written in.
func (c *conv) setValue(n *yaml.Node, value string) {
	if n == nil {
		c.fail("no value to set")
		return
	}
	c.setScalar(n, styled(n, value))
}

// styled writes value as a YAML string in the style of n: quoted the same
// way, or plain where plain reads back as the same string.
func styled(n *yaml.Node, value string) string {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value) + `"`
	case n.Style&yaml.SingleQuotedStyle != 0:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	}
	if v, err := decodeRaw(value); err != nil || v != value || strings.ContainsAny(value, ":#{}[],&*!|>'\"%@`") {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value) + `"`
	}
	return value
}

// renameKey renames key of mapping m (block or flow style) to newKey,
// quoted as the old key was.
func (c *conv) renameKey(m *yaml.Node, key, newKey string) {
	k, _ := scan.MapEntry(m, key)
	s, e, ok := c.token(k)
	if !ok {
		c.fail("line %d: cannot rename %s", lineOf(m), key)
		return
	}
	c.edits = append(c.edits, Edit{Path: c.f.Path, Start: s, End: e, New: styled(k, newKey)})
	p := c.paths[m]
	c.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		mp[newKey] = mp[key]
		delete(mp, key)
		return nil
	})
}

// replace takes the entries keys out of block mapping m and writes items
// where the first of them was.
func (c *conv) replace(m *yaml.Node, keys []string, items []item) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		c.rewriteFlow(m, keys, items, -1, "")
		return
	}
	es := c.entries(m)
	if c.err != nil {
		return
	}
	var gone []entry
	for _, e := range es {
		if slices.Contains(keys, e.key.Value) {
			gone = append(gone, e)
		}
	}
	if len(gone) != len(keys) {
		c.fail("line %d: missing one of %v", m.Line, keys)
		return
	}
	for i, e := range gone {
		start, text := e.start, ""
		if i == 0 && len(items) > 0 {
			text = c.itemsText(items, e.indent, e.compact)
			if e.compact {
				start = e.keyStart
			}
		} else if e.compact {
			// the first entry of a sequence item: the next entry moves up
			// behind the "- ", unless comments stand between them
			start = e.keyStart
			j := slices.IndexFunc(es, func(x entry) bool { return x.key == e.key })
			if j+1 < len(es) && !slices.ContainsFunc(gone, func(x entry) bool { return x.key == es[j+1].key }) {
				if bytes.Contains(c.data[e.end:es[j+1].keyStart], []byte("#")) {
					c.fail("line %d: comments in the way", e.key.Line)
					return
				}
				c.edits = append(c.edits, Edit{Path: c.f.Path, Start: start, End: es[j+1].keyStart})
				continue
			}
		}
		c.edits = append(c.edits, c.regionEdit(start, e.end, text))
	}
	p := c.paths[m]
	c.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(mp, k)
		}
		return c.setItems(mp, items)
	})
}

// rewriteFlow does replace (keys → items where the first key was) or
// insert (items before entry number at) on a one-line flow mapping m by
// writing it out again as a block mapping under its key in the parent
// block mapping (renamed to newKey if set). Keys and values keep their text.
func (c *conv) rewriteFlow(m *yaml.Node, keys []string, items []item, at int, newKey string) {
	parent := c.parents[m]
	if parent == nil {
		c.fail("line %d: flow mapping not under a key", m.Line)
		return
	}
	var pk *yaml.Node
	for i := 1; i < len(parent.Content); i += 2 {
		if parent.Content[i] == m {
			pk = parent.Content[i-1]
		}
	}
	var all []item
	placed := false
	place := func() {
		if !placed {
			all = append(all, c.flatten(items)...)
			placed = true
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if i/2 == at {
			place()
		}
		k, v := m.Content[i], m.Content[i+1]
		if slices.Contains(keys, k.Value) {
			place()
			continue
		}
		all = append(all, scalarItem(c.raw(k), c.rawValue(v)))
	}
	place()
	key := c.raw(pk)
	if newKey != "" {
		key = newKey
	}
	c.replace(parent, []string{pk.Value}, []item{group(key, all...)})
}

// flatten turns items that bring entries of flow mappings into new scalar
// items with the same key and value text (flow mappings have no layout to
// move).
func (c *conv) flatten(items []item) []item {
	out := make([]item, 0, len(items))
	for _, it := range items {
		switch {
		case it.src != nil && it.src.Style&yaml.FlowStyle != 0:
			k, v := scan.MapEntry(it.src, it.srcKey)
			key, raw := it.key, it.raw
			if key == "" {
				key = c.raw(k)
			}
			if raw == "" {
				raw = c.rawValue(v)
			}
			out = append(out, scalarItem(key, raw))
		case it.kids != nil:
			out = append(out, group(it.key, c.flatten(it.kids)...))
		default:
			out = append(out, it)
		}
	}
	return out
}

// rawValue is a value as written on one line: a scalar token, or a flow
// mapping or sequence up to its closing bracket.
func (c *conv) rawValue(n *yaml.Node) string {
	if n == nil {
		c.fail("no value")
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return c.raw(n)
	}
	if n.Style&yaml.FlowStyle == 0 || n.Anchor != "" || n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		c.fail("line %d: value is not a one-line flow collection", n.Line)
		return ""
	}
	start := c.f.Offset(scan.PosOf(n))
	depth := 0
	for i := start; i < len(c.data); i++ {
		switch c.data[i] {
		case '\n', '#':
			c.fail("line %d: flow collection spans lines", n.Line)
			return ""
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return string(c.data[start : i+1])
			}
		case '"':
			for i++; i < len(c.data) && c.data[i] != '"' && c.data[i] != '\n'; i++ {
				if c.data[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(c.data) && c.data[i] != '\n'; i++ {
				if c.data[i] == '\'' {
					if i+1 < len(c.data) && c.data[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		}
	}
	c.fail("line %d: unterminated flow collection", n.Line)
	return ""
}

// replaceAs is replace, and then the key holding m in its parent mapping
// becomes newKey ("" keeps it).
func (c *conv) replaceAs(m *yaml.Node, keys []string, items []item, newKey string) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		c.rewriteFlow(m, keys, items, -1, newKey)
		return
	}
	c.replace(m, keys, items)
	if newKey != "" {
		parent := c.parents[m]
		for i := 1; i < len(parent.Content); i += 2 {
			if parent.Content[i] == m {
				c.renameKey(parent, parent.Content[i-1].Value, newKey)
			}
		}
	}
}

// del removes entry key from block mapping m.
func (c *conv) del(m *yaml.Node, key string) { c.replace(m, []string{key}, nil) }

// Where new entries go in a mapping.
const (
	atEnd = iota
	before
	after
)

// insert writes items into block mapping m: before or after the entry key,
// or at the end.
func (c *conv) insert(m *yaml.Node, where int, key string, items []item) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		at := len(m.Content) / 2
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key && where != atEnd {
				at = i / 2
				if where == after {
					at++
				}
			}
		}
		c.rewriteFlow(m, nil, items, at, "")
		return
	}
	es := c.entries(m)
	if c.err != nil {
		return
	}
	e := es[len(es)-1]
	if where != atEnd {
		i := slices.IndexFunc(es, func(e entry) bool { return e.key.Value == key })
		if i < 0 {
			c.fail("line %d: no %s", m.Line, key)
			return
		}
		e = es[i]
	}
	var at int
	var text string
	switch {
	case where == before && e.compact:
		at, text = e.keyStart, c.itemsText(items, e.indent, true)+strings.Repeat(" ", e.indent)
	case where == before:
		at, text = e.start, c.itemsText(items, e.indent, false)
	default:
		at, text = e.end, c.itemsText(items, e.indent, false)
	}
	c.edits = append(c.edits, c.regionEdit(at, at, text))
	p := c.paths[m]
	c.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		return c.setItems(mp, items)
	})
}

// regionEdit replaces [start, end) with text, which ends with a line break;
// at the end of a file without a final line break, none is added.
func (c *conv) regionEdit(start, end int, text string) Edit {
	if end == len(c.data) && len(c.data) > 0 && c.data[len(c.data)-1] != '\n' && text != "" {
		if start == end && start > 0 && c.data[start-1] != '\n' {
			text = c.lb + text // inserting after the last line
		}
		text = strings.TrimSuffix(text, c.lb)
	}
	return Edit{Path: c.f.Path, Start: start, End: end, New: text}
}

// itemsText writes items as block mapping entries at indent. inline: the
// first line goes where the text starts (after "- "), without indentation.
func (c *conv) itemsText(items []item, indent int, inline bool) string {
	var b strings.Builder
	for i, it := range items {
		pre := strings.Repeat(" ", indent)
		first := inline && i == 0
		if first {
			pre = ""
		}
		switch {
		case it.src != nil:
			b.WriteString(c.entryText(it, indent, first))
		case it.kids != nil:
			b.WriteString(pre + it.key + ":" + c.lb)
			b.WriteString(c.itemsText(it.kids, indent+c.step, false))
		default:
			b.WriteString(pre + it.key + ": " + it.raw + c.lb)
		}
	}
	return b.String()
}

// entryText is an original entry's text re-indented to indent, with its key
// and (for a scalar value) its value replaced as the item says.
func (c *conv) entryText(it item, indent int, inline bool) string {
	e, ok := c.entry(it.src, it.srcKey)
	if !ok {
		return ""
	}
	from := e.bodyStart
	if it.move && !inline && !e.compact {
		from = e.start
	}
	vs, ve := -1, -1
	if it.raw != "" {
		s, t, ok := c.token(e.val)
		if !ok {
			c.fail("line %d: value is not a one-line scalar", e.key.Line)
			return ""
		}
		vs, ve = s, t
	}
	// the text with the key (and maybe the value) replaced
	key := string(c.data[e.keyStart:e.keyEnd])
	if it.key != "" {
		key = it.key
	}
	text := string(c.data[from:e.keyStart]) + key
	if vs >= 0 {
		text += string(c.data[e.keyEnd:vs]) + it.raw + string(c.data[ve:e.end])
	} else {
		text += string(c.data[e.keyEnd:e.end])
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
		s += c.lb
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

// setItems writes items into a decoded mapping.
func (c *conv) setItems(mp map[string]any, items []item) error {
	for _, it := range items {
		k, v, err := c.itemValue(it)
		if err != nil {
			return err
		}
		mp[k] = v
	}
	return nil
}

// itemValue is an item's key and value as decoded YAML.
func (c *conv) itemValue(it item) (string, any, error) {
	key := it.key
	if key == "" {
		k, _ := scan.MapEntry(it.src, it.srcKey)
		if k == nil {
			return "", nil, fmt.Errorf("no %s", it.srcKey)
		}
		key = rawKey(c, k)
	}
	kv, err := decodeRaw(key)
	if err != nil {
		return "", nil, err
	}
	ks, ok := kv.(string)
	if !ok {
		return "", nil, fmt.Errorf("key %q is not a string", key)
	}
	switch {
	case it.src != nil && it.raw == "":
		_, val := scan.MapEntry(it.src, it.srcKey)
		v, err := decodeNode(val)
		return ks, v, err
	case it.kids != nil:
		mp := map[string]any{}
		return ks, mp, c.setItems(mp, it.kids)
	default:
		v, err := decodeRaw(it.raw)
		return ks, v, err
	}
}

func rawKey(c *conv, k *yaml.Node) string {
	s, e, ok := c.token(k)
	if !ok {
		return k.Value
	}
	return string(c.data[s:e])
}

// verify checks that the edited document decodes to the original one with
// the recorded changes applied, so a layout the edits got wrong never
// becomes a fix.
func (c *conv) verify() error {
	want, err := decodeNode(c.root)
	if err != nil {
		return err
	}
	ops := slices.Clone(c.ops)
	slices.SortStableFunc(ops, func(a, b semOp) int { return b.depth - a.depth })
	for _, o := range ops {
		if err := o.apply(want); err != nil {
			return err
		}
	}
	out, err := ApplyEdits(c.data, c.edits)
	if err != nil {
		return err
	}
	start, end := c.lineStart(c.d.StartLine), c.lineStart(c.last+1)
	delta := 0
	for _, e := range c.edits {
		if e.Start < start || e.End > end {
			return errors.New("edit outside the document")
		}
		delta += len(e.New) - (e.End - e.Start)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out[start:end+delta], &doc); err != nil {
		return fmt.Errorf("edited document does not parse: %w", err)
	}
	if len(doc.Content) == 0 {
		return errors.New("edited document is empty")
	}
	node := doc.Content[0]
	if c.d.Item >= 0 {
		items := scan.MapGet(node, "items")
		if items == nil || len(items.Content) <= c.d.Item {
			return errors.New("edited list lost its item")
		}
		node = items.Content[c.d.Item]
	}
	got, err := decodeNode(node)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(want, got) {
		return errors.New("edited document does not decode to the converted object")
	}
	return nil
}

func decodeNode(n *yaml.Node) (any, error) {
	var v any
	if n == nil {
		return nil, nil
	}
	err := n.Decode(&v)
	return v, err
}

func decodeRaw(raw string) (any, error) {
	var v any
	err := yaml.Unmarshal([]byte(raw), &v)
	return v, err
}

// walk returns the decoded value at path p.
func walk(v any, p []any) (any, error) {
	for _, k := range p {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%v: not a mapping", p)
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil, fmt.Errorf("%v: not a sequence", p)
			}
			v = s[k]
		}
	}
	return v, nil
}

func mapAt(v any, p []any) (map[string]any, error) {
	x, err := walk(v, p)
	if err != nil {
		return nil, err
	}
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%v: not a mapping", p)
	}
	return m, nil
}

func setAt(v any, p []any, val any) error {
	if len(p) == 0 {
		return errors.New("cannot replace the document")
	}
	parent, err := walk(v, p[:len(p)-1])
	if err != nil {
		return err
	}
	switch k := p[len(p)-1].(type) {
	case string:
		m, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("%v: not a mapping", p)
		}
		m[k] = val
	case int:
		s, ok := parent.([]any)
		if !ok || k >= len(s) {
			return fmt.Errorf("%v: not a sequence", p)
		}
		s[k] = val
	}
	return nil
}

// hasAnchors reports whether n uses anchors, aliases or merge keys, which
// make one text edit change several places.
func hasAnchors(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Anchor != "" || n.Kind == yaml.AliasNode || n.Kind == yaml.ScalarNode && n.Tag == "!!merge" {
		return true
	}
	for _, k := range n.Content {
		if hasAnchors(k) {
			return true
		}
	}
	return false
}
