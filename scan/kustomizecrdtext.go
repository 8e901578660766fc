package scan

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Cutting CustomResourceDefinition schemas out as text. stripCRDSchema
// (kustomizecrd.go) drops spec.validation and spec.versions[*].schema from
// a parsed object, but parsing a schema costs as much as keeping it: a
// CRD file is almost all schema (kubeflow's argo CRDs: 4.5 MB, 0.1 s each
// to parse). stripCRDSchemaText finds those blocks by indentation instead,
// in one pass over the lines, and only in documents whose every line is
// plain block YAML of the kind generators write: keys that are plain words,
// sequence items, plain, quoted (also over several lines) and block
// scalars, flow collections closed on their line, comments. Anything else
// (anchors, aliases, tags, complex or quoted keys, flow collections over
// several lines, tabs, carriage returns, control bytes, invalid UTF-8,
// inconsistent indentation, duplicate keys on the path to a schema, a plain
// scalar continued by a line that looks like a key) makes it give up on the
// document, which is then parsed whole as before. So a document the cut
// changes was valid YAML before it, and the blocks cut are exactly the
// nodes stripCRDSchema drops; FuzzStripCRDSchemaText checks both against
// the parser.

// stripCRDSchemasText returns data with the schemas of its CRD documents cut
// out, or nil when it cut nothing.
func stripCRDSchemasText(data []byte) []byte {
	if !bytes.Contains(data, []byte(crdKind)) || bomLen(data) > 0 {
		return nil
	}
	var out []byte
	changed := false
	for _, c := range Split(data) {
		if cut, ok := stripCRDSchemaText(c.Data); ok && len(cut) != len(c.Data) {
			out = append(out, cut...)
			changed = true
			continue
		}
		out = append(out, c.Data...)
	}
	if !changed {
		return nil
	}
	return out
}

// crdRole is what a node on the path to a schema is.
type crdRole int

const (
	roleNone crdRole = iota
	roleRoot
	roleSpec
	roleVersions
	roleVersion
)

// crdFrame is one open node of the walk: a key or a sequence item.
type crdFrame struct {
	indent      int  // column of the key, or of the item's "-"
	item        bool // a sequence item
	hasValue    bool // a value on its own line: it has no children
	childIndent int  // column of its children, -1 before the first
	childItem   bool // its children are sequence items
	role        crdRole
	seen        map[string]bool // child keys, kept on the path to a schema
}

// crdWalk is the state of stripCRDSchemaText over one document.
type crdWalk struct {
	frames []crdFrame
	quote  byte // inside a quoted scalar that goes on past its line
	// cont: lines indented deeper than cont continue the scalar above
	// (a block scalar's content, or a plain scalar's next words).
	cont      int
	contPlain bool
	contSig   bool // the plain scalar is the kind or apiVersion: it must end on its line
	contFirst int  // a block scalar's content indentation, 0 before its first line
	// remove: lines indented deeper than remove are the schema being cut;
	// removeSeq: a sequence at that indentation too.
	remove           int
	removeSeq        bool
	kind, apiVersion string
	// cutFrom are the child keys of each mapping a schema is cut from: one
	// left with no key would be null, not the empty mapping the parser
	// leaves.
	cutFrom []map[string]bool

	// hasSource: the object has a top-level sourceKey already
	// (kustomizesource.go).
	hasSource bool
}

// stripCRDSchemaText cuts the schema blocks out of one document's text. ok
// is false when the document is not plain enough to tell by its lines (see
// above); it is true and the text unchanged when the document is no CRD
// or has no schema.
func stripCRDSchemaText(doc []byte) (out []byte, ok bool) {
	w, cuts, ok := walkDoc(doc)
	if !ok {
		return nil, false
	}
	if !w.isCRD() || len(cuts) == 0 {
		return doc, true
	}
	return applyCuts(doc, cuts, -1, nil), true
}

// isCRD reports whether the walked document is a CustomResourceDefinition.
func (w *crdWalk) isCRD() bool {
	return w.kind == crdKind && strings.HasPrefix(w.apiVersion, "apiextensions.k8s.io/")
}

// applyCuts returns doc without the byte ranges cuts, with ins inserted at
// offset at (none when at < 0; at is never inside a cut).
func applyCuts(doc []byte, cuts [][2]int, at int, ins []byte) []byte {
	out := make([]byte, 0, len(doc)+len(ins))
	prev := 0
	for _, c := range cuts {
		if at >= prev && at <= c[0] {
			out = append(out, doc[prev:at]...)
			out = append(out, ins...)
			prev, at = at, -1
		}
		out = append(out, doc[prev:c[0]]...)
		prev = c[1]
	}
	if at >= prev {
		out = append(out, doc[prev:at]...)
		out = append(out, ins...)
		prev = at
	}
	return append(out, doc[prev:]...)
}

// walkDoc walks one document's lines: cuts are the schema blocks (of any
// document shaped like a CRD; isCRD says whether it is one), and w holds
// what the walk saw (kind, apiVersion, the indentation of the object's
// keys, whether it has sourceKey). ok is false when the document is not
// plain enough to tell by its lines.
func walkDoc(doc []byte) (w *crdWalk, cuts [][2]int, ok bool) {
	if !utf8.Valid(doc) {
		return nil, nil, false
	}
	for _, b := range doc {
		if b < 0x20 && b != '\n' || b == 0x7f {
			return nil, nil, false // tabs, carriage returns, control bytes
		}
	}
	w = &crdWalk{frames: []crdFrame{{indent: -1, childIndent: -1, role: roleRoot, seen: map[string]bool{}}}, cont: -1, remove: -1}
	first := true
	for start := 0; start < len(doc); {
		end := bytes.IndexByte(doc[start:], '\n')
		next := len(doc)
		if end < 0 {
			end = len(doc)
		} else {
			end += start
			next = end + 1
		}
		line := string(doc[start:end])
		cut, ok := w.line(line, first)
		if !ok {
			return nil, nil, false
		}
		if cut {
			if n := len(cuts); n > 0 && cuts[n-1][1] == start {
				cuts[n-1][1] = next
			} else {
				cuts = append(cuts, [2]int{start, next})
			}
		}
		first = false
		start = next
	}
	if w.quote != 0 {
		return nil, nil, false
	}
	for _, keys := range w.cutFrom {
		if len(keys) < 2 {
			return nil, nil, false
		}
	}
	return w, cuts, true
}

// line takes the next line; cut says whether it belongs to a schema block.
func (w *crdWalk) line(line string, first bool) (cut, ok bool) {
	if w.quote != 0 { // the rest of a quoted scalar: only its end matters
		closed, rest, ok := scanQuoted(line, w.quote)
		if !ok {
			return false, false
		}
		if closed {
			w.quote = 0
			if !blankOrComment(rest) {
				return false, false
			}
		}
		return w.remove >= 0, true
	}
	body := strings.TrimLeft(line, " ")
	indent := len(line) - len(body)
	body = strings.TrimRight(body, " ")
	if first && (strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...")) {
		return false, body == "---"
	}
	if body == "" || body[0] == '#' {
		// blank, a comment, or a line of a block scalar; a comment ends a
		// plain scalar, and a block scalar when no deeper than its key
		if body != "" && w.cont >= 0 && (w.contPlain || indent <= w.cont) {
			w.cont, w.contFirst, w.contSig = -1, 0, false
		}
		return w.remove >= 0, true
	}
	if indent == 0 && (strings.HasPrefix(body, "---") || strings.HasPrefix(body, "...")) {
		return false, false
	}
	if w.cont >= 0 {
		if indent > w.cont {
			if w.contPlain && (w.contSig || !plainContinuation(body)) {
				return false, false
			}
			if !w.contPlain {
				if w.contFirst == 0 {
					w.contFirst = indent
				} else if indent < w.contFirst {
					return false, false // less indented than the block scalar's content
				}
			}
			return w.remove >= 0, true
		}
		w.cont, w.contFirst, w.contSig = -1, 0, false
	}
	isItem := body == "-" || strings.HasPrefix(body, "- ")
	if w.remove >= 0 {
		if indent > w.remove || w.removeSeq && indent == w.remove && isItem {
			cut = true
		} else {
			w.remove = -1
		}
	}
	// Close the nodes this line is not inside.
	for {
		t := &w.frames[len(w.frames)-1]
		if t.role == roleRoot || t.indent < indent {
			break
		}
		if t.indent == indent && isItem && !t.item && !t.hasValue {
			break // a sequence at its key's indentation
		}
		w.frames = w.frames[:len(w.frames)-1]
	}
	parent := &w.frames[len(w.frames)-1]
	firstChild := parent.childIndent < 0
	if !w.child(parent, indent, isItem) {
		return false, false
	}
	if !isItem {
		key, val, ok := crdSplitKey(body)
		if !ok {
			// the value of the key or item above, on a line of its own
			if parent.role == roleRoot || !firstChild {
				return false, false
			}
			parent.hasValue = true
			return cut, w.value(body, parent.indent)
		}
		c, ok := w.key(key, val, indent)
		return cut || c, ok
	}
	if parent.role == roleRoot {
		return false, false // a document that is a sequence
	}
	role := roleNone
	var seen map[string]bool
	if parent.role == roleVersions {
		role, seen = roleVersion, map[string]bool{}
	}
	w.frames = append(w.frames, crdFrame{indent: indent, item: true, childIndent: -1, role: role, seen: seen})
	rest := strings.TrimLeft(body[1:], " ")
	at := indent + 1 + (len(body) - 1 - len(rest))
	switch {
	case rest == "" || rest[0] == '#':
		return cut, true
	case rest == "-" || strings.HasPrefix(rest, "- "):
		return false, false // a sequence in a sequence item on one line
	}
	item := &w.frames[len(w.frames)-1]
	if key, val, ok := crdSplitKey(rest); ok {
		item.childIndent = at
		c, ok := w.key(key, val, at)
		if c {
			return false, false // a schema on its item's line: the line cannot go
		}
		return cut, ok
	}
	item.hasValue = true
	return cut, w.value(rest, indent)
}

// child checks that a line at indent (an item or a key) may be a child of
// parent, and records it.
func (w *crdWalk) child(parent *crdFrame, indent int, isItem bool) bool {
	if parent.hasValue {
		return false // more indented than a key or item that has its value
	}
	if parent.childIndent < 0 {
		if parent.role != roleRoot && indent < parent.indent || indent == parent.indent && !isItem {
			return false
		}
		parent.childIndent, parent.childItem = indent, isItem
		return true
	}
	return parent.childIndent == indent && parent.childItem == isItem
}

// key opens the key at indent with its value (the text after ": ");
// cut says whether it starts a schema block.
func (w *crdWalk) key(key, val string, indent int) (cut, ok bool) {
	parent := &w.frames[len(w.frames)-1]
	if parent.seen != nil {
		if parent.seen[key] {
			return false, false
		}
		parent.seen[key] = true
	}
	f := crdFrame{indent: indent, childIndent: -1}
	if parent.role == roleRoot && key == sourceKey {
		w.hasSource = true
	}
	switch {
	case parent.role == roleRoot && key == "spec":
		f.role, f.seen = roleSpec, map[string]bool{}
	case parent.role == roleSpec && key == "versions":
		f.role = roleVersions
	}
	target := parent.role == roleSpec && key == "validation" || parent.role == roleVersion && key == "schema"
	raw := val // value sees the comment: none continues a plain scalar after one
	val = stripComment(val)
	if parent.role == roleRoot && (key == "kind" || key == "apiVersion") {
		v, ok := simpleScalar(val)
		if !ok {
			return false, false
		}
		if key == "kind" {
			w.kind = v
		} else {
			w.apiVersion = v
		}
	}
	if val != "" {
		f.hasValue = true
		if !w.value(raw, indent) {
			return false, false
		}
		w.contSig = parent.role == roleRoot && (key == "kind" || key == "apiVersion")
	}
	w.frames = append(w.frames, f)
	if target {
		w.cutFrom = append(w.cutFrom, parent.seen)
		w.remove, w.removeSeq = indent, !f.hasValue
		return true, true
	}
	return false, true
}

// value takes the value on a key's (or item's) line; indent is that node's
// column, past which the lines that follow may continue the value.
func (w *crdWalk) value(val string, indent int) bool {
	w.contSig = false
	switch val[0] {
	case '&', '*', '!', '%', '@', '`', '?', ',', ']', '}', '#':
		return false
	case '|', '>':
		switch strings.TrimRight(stripComment(val), " ") {
		case "|", "|-", "|+", ">", ">-", ">+":
			w.cont, w.contPlain, w.contFirst = indent, false, 0
			return true
		}
		return false
	case '"', '\'':
		closed, rest, ok := scanQuoted(val[1:], val[0])
		if !ok {
			return false
		}
		if !closed {
			w.quote = val[0]
			return true
		}
		return blankOrComment(rest)
	case '[', '{':
		return flowClosed(val)
	case '-':
		if val == "-" || strings.HasPrefix(val, "- ") {
			return false
		}
	}
	plain := stripComment(val)
	if strings.Contains(plain, ": ") || strings.HasSuffix(plain, ":") {
		return false
	}
	if plain != val {
		return true // a comment ends a plain scalar: no line continues it
	}
	w.cont, w.contPlain = indent, true
	return true
}

// crdSplitKey splits "key: value" (or "key:"); ok is false unless the key is
// a plain word of letters, digits and _ . / $ -, not starting with -.
func crdSplitKey(s string) (key, val string, ok bool) {
	i := strings.Index(s, ": ")
	switch {
	case i > 0:
		key, val = s[:i], strings.TrimLeft(s[i+2:], " ")
	case strings.HasSuffix(s, ":") && len(s) > 1:
		key = s[:len(s)-1]
	default:
		return "", "", false
	}
	if key[0] == '-' {
		return "", "", false
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./$-", r)) {
			return "", "", false
		}
	}
	return key, val, true
}

// scanQuoted finds the end of a quoted scalar in s (the text after the
// opening quote, or a continuation line): closed reports whether it ends on
// this line, rest is what follows the closing quote. ok is false on an
// escape YAML does not have.
func scanQuoted(s string, q byte) (closed bool, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return true, s[i+1:], true
		case q == '"' && c == '"':
			return true, s[i+1:], true
		case q == '"' && c == '\\':
			if i+1 == len(s) {
				return false, "", true // an escaped line break
			}
			n := 0
			switch s[i+1] {
			case '0', 'a', 'b', 't', 'n', 'v', 'f', 'r', 'e', ' ', '"', '/', '\\', 'N', '_', 'L', 'P':
			case 'x':
				n = 2
			case 'u':
				n = 4
			case 'U':
				n = 8
			default:
				return false, "", false
			}
			if i+2+n > len(s) || !isHex(s[i+2:i+2+n]) {
				return false, "", false
			}
			i += 1 + n
		}
	}
	return false, "", true
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// flowClosed reports whether a flow collection opened at s[0] is closed on
// the line, with nothing but a comment after it, and holds only plain and
// quoted words (no anchors, tags or aliases).
func flowClosed(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth < 0 {
				return false
			}
			if depth == 0 {
				return blankOrComment(s[i+1:])
			}
		case '"', '\'':
			closed, rest, ok := scanQuoted(s[i+1:], c)
			if !ok || !closed {
				return false
			}
			i = len(s) - len(rest) - 1
		case '&', '*', '!', '#', '?', '|', '>', '%', '@', '`':
			return false
		}
	}
	return false
}

// plainContinuation reports whether a line can only be more words of a
// plain scalar started above: nothing that could start a node or a comment.
func plainContinuation(body string) bool {
	for _, ind := range []string{"-", "?", ":"} {
		if body == ind || strings.HasPrefix(body, ind+" ") {
			return false
		}
	}
	return body[0] != '#' && !strings.Contains(body, ": ") && !strings.HasSuffix(body, ":") && !strings.Contains(body, " #")
}

// stripComment drops a trailing " #..." comment (outside quotes: callers
// pass plain text or a value whose quotes they check).
func stripComment(s string) string {
	if s == "" || s[0] == '"' || s[0] == '\'' {
		return s
	}
	if s[0] == '#' {
		return ""
	}
	if i := strings.Index(s, " #"); i >= 0 {
		return strings.TrimRight(s[:i], " ")
	}
	return s
}

func blankOrComment(s string) bool {
	s = strings.TrimLeft(s, " ")
	return s == "" || s[0] == '#'
}

// simpleScalar is the value of a one-line plain or quoted scalar without
// escapes; ok is false for anything else.
func simpleScalar(v string) (string, bool) {
	switch {
	case v == "":
		return "", true
	case v[0] == '"' || v[0] == '\'':
		q := v[0]
		end := strings.IndexByte(v[1:], q)
		if end < 0 || strings.ContainsAny(v[1:end+1], "\\'\"") || !blankOrComment(v[end+2:]) {
			return "", false
		}
		return v[1 : end+1], true
	case strings.ContainsAny(v[:1], "&*!|>[{%@`"):
		return "", false
	}
	return v, true
}
