package scan

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
