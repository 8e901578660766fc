package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// sourcePrefix starts the comment `helm template` writes above each
// document: "# Source: chart/templates/x.yaml".
var sourcePrefix = []byte("# Source: ")

// HasSourceComments reports whether data looks like `helm template` output:
// a line starting with "# Source: ".
func HasSourceComments(data []byte) bool {
	return bytes.HasPrefix(data, sourcePrefix) || bytes.Contains(data, append([]byte("\n"), sourcePrefix...))
}

// sourceComment finds the `# Source:` comment among the leading comment
// lines of a document chunk. It returns the template path, the byte offset
// in the chunk just past the comment's line, and the number of lines up to
// and including it.
func sourceComment(chunk []byte) (tmpl string, after, lines int, ok bool) {
	off := 0
	for off < len(chunk) {
		end := bytes.IndexByte(chunk[off:], '\n')
		next := len(chunk)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimRight(chunk[off:next], "\r\n")
		lines++
		trimmed := bytes.TrimSpace(line)
		switch {
		case bytes.HasPrefix(line, sourcePrefix):
			tmpl = strings.TrimSpace(string(line[len(sourcePrefix):]))
			if tmpl == "" {
				return "", 0, 0, false
			}
			return tmpl, next, lines, true
		case len(trimmed) == 0, trimmed[0] == '#', isMarker(line):
		default:
			return "", 0, 0, false
		}
		off = next
	}
	return "", 0, 0, false
}

// HelmOutput is `helm template` output read as one file: each document
// knows, from its `# Source:` comment, the template that produced it, and
// findings are placed on that template (on its line when the chart is at
// hand at that path, else on line 1 with a note).
type HelmOutput struct {
	f    *File
	mu   sync.Mutex
	tmpl map[string]*File // template files read from disk, nil when absent
}

// ReadHelmOutput indexes f when it holds `# Source:` comments, else
// returns nil.
func ReadHelmOutput(f *File) *HelmOutput {
	if !HasSourceComments(f.Text()) {
		return nil
	}
	return &HelmOutput{f: f, tmpl: map[string]*File{}}
}

// Rendered returns the rendered view of document d: its Locate places
// findings on the template named by the document's `# Source:` comment.
// ok is false for a document without one.
func (h *HelmOutput) Rendered(d *Document) (*Rendered, bool) {
	c := d.chunk
	tmpl, after, lines, ok := sourceComment(c.Data)
	if !ok {
		return nil, false
	}
	chart := tmpl
	if i := strings.IndexByte(tmpl, '/'); i > 0 {
		chart = tmpl[:i]
	}
	bom := h.f.BOMLen()
	loc := &sourceLocator{h: h, tmpl: tmpl, start: bom + c.Offset + after, end: bom + c.Offset + len(c.Data), firstLine: c.Line + lines}
	f := &File{Path: h.f.Path, Data: h.f.Data, Origin: &Origin{Chart: chart, Template: tmpl}}
	return newRendered(f, loc), true
}

// template reads a template from disk once; nil when it is not there.
func (h *HelmOutput) template(p string) *File {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.tmpl[p]; ok {
		return f
	}
	var f *File
	if data, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
		f = NewFile(p, bytes.TrimPrefix(data, bom))
	}
	h.tmpl[p] = f
	return f
}

// sourceLocator places positions of one document of `helm template` output.
type sourceLocator struct {
	h          *HelmOutput
	tmpl       string
	start, end int // the document's bytes after its `# Source:` line
	firstLine  int // the line of start

	once  sync.Once
	tfile *File
	doc   *File
	match *TemplateMatch
}

func (l *sourceLocator) init() {
	l.once.Do(func() {
		l.tfile = l.h.template(l.tmpl)
		l.doc = NewFile(l.tmpl, l.h.f.Data[l.start:l.end])
		if l.tfile != nil {
			l.match = MatchTemplate(l.tmpl, l.tfile.Text(), l.doc.Data, true)
		}
	})
}

func (l *sourceLocator) locate(_ *Document, q Query) Location {
	p := q.Pos
	l.init()
	if l.tfile == nil {
		return Location{File: l.tmpl, Pos: Pos{Line: 1, Col: 1},
			Note: fmt.Sprintf("(line %d of the `helm template` output; the template is not at %s to trace the line)", p.Line, l.tmpl)}
	}
	rel := Pos{Line: p.Line - l.firstLine + 1, Col: p.Col}
	if rel.Line < 1 {
		return Location{File: l.tmpl, Pos: Pos{Line: 1, Col: 1}, Note: fmt.Sprintf("(line %d of the `helm template` output)", p.Line)}
	}
	loc := locateInTemplate(l.match, l.tfile, l.doc, nil, Query{Pos: rel, ObjectLevel: q.ObjectLevel}, fileSource{path: l.tmpl}, l.tmpl, nil, nil, nil)
	if loc.Note != "" {
		loc.Note = fmt.Sprintf("(line %d of the `helm template` output; kubeready could not trace it to one template line)", p.Line)
	}
	return loc
}

func (l *sourceLocator) edit(start, end int) (string, int, int, bool) {
	l.init()
	if l.tfile == nil || start < l.start || end > l.end {
		return "", 0, 0, false
	}
	path, s, e, ok := editInTemplate(l.match, filepath.FromSlash(l.tmpl), l.tfile.Text(), start-l.start, end-l.start)
	if !ok {
		return "", 0, 0, false
	}
	return filepath.ToSlash(path), s, e, true
}
