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
	// SigOnly is set when the document does not parse (its error is among
	// Parse's errors) but its signature could be read from its top-level
	// lines: only the rules that read nothing but the signature may run.
	SigOnly bool

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
	return &Document{File: d.File, Index: d.Index, Item: d.Item, StartLine: d.StartLine, EndLine: d.EndLine, Sig: d.Sig, SigOnly: d.SigOnly, chunk: d.chunk}
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
	if pe := duplicateKey(doc.Content[0]); pe != nil {
		return nil, pe
	}
	return doc.Content[0], nil
}

// duplicateKey finds the first mapping, in document order, that holds a key
// twice: YAML forbids it and kubectl rejects the document ("mapping key
// already defined"), so it is a ParseError naming both lines. Merge keys (<<)
// and non-scalar keys are not compared; aliases are not followed.
func duplicateKey(root *yaml.Node) *ParseError {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.MappingNode && len(n.Content) >= 4 {
			if pe := duplicateIn(n); pe != nil {
				return pe
			}
		}
		if n.Kind != yaml.AliasNode {
			for i := len(n.Content) - 1; i >= 0; i-- {
				stack = append(stack, n.Content[i])
			}
		}
	}
	return nil
}

// duplicateIn checks one mapping's keys: pairwise for small mappings (most
// are), through a map for larger ones.
func duplicateIn(m *yaml.Node) *ParseError {
	key := func(i int) (string, bool) {
		k := m.Content[i]
		return k.Value, k.Kind == yaml.ScalarNode && k.Value != "<<"
	}
	report := func(first, second int) *ParseError {
		return &ParseError{Line: m.Content[second].Line, Msg: fmt.Sprintf(
			"mapping key %q is defined twice, on lines %d and %d: kubectl rejects the document",
			m.Content[second].Value, m.Content[first].Line, m.Content[second].Line)}
	}
	if len(m.Content) <= 32 {
		for i := 0; i < len(m.Content); i += 2 {
			a, ok := key(i)
			if !ok {
				continue
			}
			for j := i + 2; j < len(m.Content); j += 2 {
				if b, ok := key(j); ok && a == b {
					return report(i, j)
				}
			}
		}
		return nil
	}
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i < len(m.Content); i += 2 {
		k, ok := key(i)
		if !ok {
			continue
		}
		if first, dup := seen[k]; dup {
			return report(first, i)
		}
		seen[k] = i
	}
	return nil
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
	return parseDocs(f, max, true)
}

// parseDocs is Parse and ParseNode: quick says whether a signature the line
// scan is sure of spares the full parse.
func parseDocs(f *File, max int, quick bool) (docs []*Document, errs []*ParseError, next int) {
	for i, c := range Split(f.Text()) {
		if max > 0 && i >= max {
			return expandLists(docs), errs, c.Line
		}
		d := &Document{File: f, Index: i, Item: -1, StartLine: c.Line, EndLine: c.Line + c.Lines - 1, chunk: c}
		if d.EndLine < d.StartLine {
			d.EndLine = d.StartLine
		}
		if quick {
			if sig, ok := quickSignature(c); ok {
				d.Sig = sig
				docs = append(docs, d)
				continue
			}
		}
		root, err := d.Node()
		if err != nil {
			pe := &ParseError{Line: c.Line, Msg: err.Error()}
			errors.As(err, &pe)
			pe.Object = looksLikeObject(c.Data)
			errs = append(errs, pe)
			if strings.Contains(pe.Msg, "exceeded max depth") {
				// Nesting past the parser's limit hides nothing of the
				// signature: the rules that read only it still run.
				if sig, ok := salvageSignature(c); ok {
					d.Sig, d.SigOnly = sig, true
					docs = append(docs, d)
				}
			}
			continue
		}
		d.Sig = nodeSignature(root, 0)
		docs = append(docs, d)
	}
	return expandLists(docs), errs, 0
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
	docs, errs, _ := parseDocs(f, 0, false)
	return docs, errs
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
