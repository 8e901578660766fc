package scan

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Document is one YAML document of a file (or one item of a `kind: List`).
// Its signature is known up front; its Node is parsed on first use, once.
type Document struct {
	File *File
	// Index is the 0-based position of the document in its file.
	Index int
	// Item is the index of the object inside a List document, or -1.
	Item int
	// StartLine and EndLine are the file lines the document spans.
	StartLine, EndLine int
	Sig                Signature

	chunk Chunk
	once  sync.Once
	node  *yaml.Node
	err   error
}

// Node returns the document's root mapping, parsed on first use. Node
// positions are file positions (lines already offset). A document whose root
// is not a mapping returns nil and no error.
func (d *Document) Node() (*yaml.Node, error) {
	d.once.Do(func() {
		if d.node != nil {
			return
		}
		root, err := parseChunk(d.chunk)
		if err != nil {
			d.err = err
			return
		}
		if d.Item >= 0 { // a detached List item: find it again
			items := MapGet(root, "items")
			if items == nil || d.Item >= len(items.Content) {
				d.err = &ParseError{Line: d.StartLine, Msg: "list item not found"}
				return
			}
			root = items.Content[d.Item]
		}
		d.node = root
	})
	return d.node, d.err
}

// Detached returns a copy of the document without its parsed Node, which is
// parsed again on first use. Holding many documents for the whole run (the
// set rules do) then costs their text, not their trees.
func (d *Document) Detached() *Document {
	return &Document{File: d.File, Index: d.Index, Item: d.Item, StartLine: d.StartLine, EndLine: d.EndLine, Sig: d.Sig, chunk: d.chunk}
}

// ParseError is a YAML syntax error at a file line.
type ParseError struct {
	Line int
	Msg  string
	// Object reports whether the broken document still shows both an
	// apiVersion and a kind key: a manifest someone broke, rather than some
	// other file (a tsconfig.json with comments) that is not YAML at all.
	Object bool
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// parseChunk parses one chunk into its root node with file-relative lines.
func parseChunk(c Chunk) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(c.Data, &doc); err != nil {
		return nil, chunkError(c, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	shiftLines(&doc, c.Line-1)
	return doc.Content[0], nil
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

// chunkError turns a yaml.v3 error ("yaml: line 3: ...") into a ParseError
// with the file line.
func chunkError(c Chunk, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := c.Line
	var n int
	if _, e := fmt.Sscanf(msg, "line %d:", &n); e == nil {
		line = c.Line + n - 1
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	} else if bad := firstBadByte(c.Data); bad >= 0 {
		// encoding errors come without a line: find it
		line = c.Line + CountBreaks(c.Data[:bad])
	}
	return &ParseError{Line: line, Msg: msg}
}

// firstBadByte is the offset of the first invalid UTF-8 sequence or control
// character (other than tab, CR, LF) in data, or -1.
func firstBadByte(data []byte) int {
	for i := 0; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && w == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return i
		}
		i += w
	}
	return -1
}

// Parse splits a file into documents and reads each signature: by the cheap
// line scan where it is sure, by a full parse otherwise. It returns the
// documents that parsed and one error per document that did not.
func Parse(f *File) ([]*Document, []*ParseError) {
	docs, errs, _ := ParseN(f, 0)
	return docs, errs
}

// ParseN is Parse that reads at most max documents (0: no limit). When it
// stops early, next is the file line of the first document left unread.
func ParseN(f *File, max int) (docs []*Document, errs []*ParseError, next int) {
	for i, c := range Split(f.Text()) {
		if max > 0 && i >= max {
			return expandLists(docs), errs, c.Line
		}
		d := &Document{File: f, Index: i, Item: -1, StartLine: c.Line, EndLine: c.Line + c.Lines - 1, chunk: c}
		if d.EndLine < d.StartLine {
			d.EndLine = d.StartLine
		}
		if sig, ok := quickSignature(c); ok {
			d.Sig = sig
			docs = append(docs, d)
			continue
		}
		root, err := d.Node()
		if err != nil {
			pe := &ParseError{Line: c.Line, Msg: err.Error()}
			errors.As(err, &pe)
			pe.Object = looksLikeObject(c.Data)
			errs = append(errs, pe)
			continue
		}
		d.Sig = nodeSignature(root, 0)
		docs = append(docs, d)
	}
	return expandLists(docs), errs, 0
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

var (
	apiVersionKey = regexp.MustCompile(`(?m)^[ \t{,-]*["']?apiVersion["']?[ \t]*:`)
	kindKey       = regexp.MustCompile(`(?m)^[ \t{,-]*["']?kind["']?[ \t]*:`)
)

// looksLikeObject reports whether text has an apiVersion and a kind key at
// the start of some line, whatever else is broken.
func looksLikeObject(text []byte) bool {
	return apiVersionKey.Match(text) && kindKey.Match(text)
}

// ParseNode is the full-parse path alone: every chunk parsed into a Node and
// its signature read from it. Tests compare it with Parse; benchmarks use it
// as the baseline.
func ParseNode(f *File) ([]*Document, []*ParseError) {
	var docs []*Document
	var errs []*ParseError
	for i, c := range Split(f.Text()) {
		d := &Document{File: f, Index: i, Item: -1, StartLine: c.Line, EndLine: c.Line + c.Lines - 1, chunk: c}
		root, err := d.Node()
		if err != nil {
			pe := err.(*ParseError)
			pe.Object = looksLikeObject(c.Data)
			errs = append(errs, pe)
			continue
		}
		d.Sig = nodeSignature(root, 0)
		docs = append(docs, d)
	}
	return expandLists(docs), errs
}

// expandLists replaces each `kind: List` (or any *List kind with items)
// document by its items, each a Document of its own.
func expandLists(docs []*Document) []*Document {
	out := docs[:0:0]
	for _, d := range docs {
		if !strings.HasSuffix(d.Sig.Kind, "List") {
			out = append(out, d)
			continue
		}
		root, err := d.Node()
		items := MapGet(root, "items")
		if err != nil || items == nil || items.Kind != yaml.SequenceNode {
			out = append(out, d)
			continue
		}
		for j, it := range items.Content {
			if it.Kind != yaml.MappingNode {
				continue
			}
			item := &Document{File: d.File, Index: d.Index, Item: j, StartLine: d.StartLine, EndLine: d.EndLine, chunk: d.chunk, node: it}
			item.once.Do(func() {})
			item.Sig = nodeSignature(it, 0)
			out = append(out, item)
		}
	}
	return out
}

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
