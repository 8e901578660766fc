// Package yamledit is the layout-preserving YAML text editor behind
// kubeready's fixes: it turns changes stated on a document's yaml.v3 Nodes
// into byte-range edits of the file, so that everything a change does not
// touch (comments, key order, indentation, quoting, line breaks) stays as the
// user wrote it. A document is never re-marshalled.
//
// An Editor collects the edits of one document (ops.go: set, rename,
// replace, insert, delete entries), placed by the layout of its block
// mappings in the file (layout.go) and written in the file's style
// (text.go). Each change is also recorded on the decoded object, and Verify
// accepts the edits only if the edited text decodes to exactly that object
// (verify.go). The package functions of layout.go and text.go are the small
// helpers rules use for one-off edits; every one checks the file bytes
// against what the node says before it answers, so an edit is only offered
// when it is known to hit the right bytes. Apply (edit.go) applies edits.
package yamledit

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Editor is one layout-preserving edit of one document in progress: the
// changes stated on the document's Nodes, collected as byte-range edits and
// as operations on the decoded object (for Verify).
type Editor struct {
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
}

// New starts an edit of document d, whose parsed Node is root.
func New(d *scan.Document, root *yaml.Node) *Editor {
	ed := &Editor{d: d, f: d.File, data: d.File.Data, root: root, lb: d.File.LineBreak(), step: 2, last: d.EndLine}
	ed.paths, ed.parents = map[*yaml.Node][]any{}, map[*yaml.Node]*yaml.Node{}
	ed.index(root, []any{})
	if meta := scan.MapGet(root, "metadata"); meta != nil && meta.Kind == yaml.MappingNode && len(meta.Content) > 0 && meta.Style&yaml.FlowStyle == 0 {
		if s := meta.Content[0].Column - root.Content[0].Column; s > 0 {
			ed.step = s
		}
	}
	return ed
}

func (ed *Editor) index(n *yaml.Node, p []any) {
	ed.paths[n] = p
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			ed.paths[n.Content[i]] = p
			ed.parents[n.Content[i+1]] = n
			ed.index(n.Content[i+1], append(slices.Clip(p), n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			ed.index(it, append(slices.Clip(p), i))
		}
	}
}

// Fail stops the edit: Err reports the first failure, and the edits must not
// be used.
func (ed *Editor) Fail(format string, a ...any) {
	if ed.err == nil {
		ed.err = fmt.Errorf(format, a...)
	}
}

// Err is the first failure of the edit, or nil.
func (ed *Editor) Err() error { return ed.err }

// Edits are the byte-range edits collected so far, in the order made.
func (ed *Editor) Edits() []Edit { return ed.edits }

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}
