package scan

import (
	"bytes"
	"sync"
	"text/template/parse"

	"helm.sh/helm/v4/pkg/chart/common"
)

// Tracing into helpers: a finding whose position an {{ include "x" . }}
// (or {{ template "x" . }}) wrote is placed on the helper's line that wrote
// it, when the include's output maps to the define's text (issue 16.2).
// An include piped through `indent N` or `nindent N` is un-indented first.
// Anything else (quote, trim, a helper whose output is ambiguous) keeps the
// finding on the include's line.

// defineSource is where a define's text lives.
type defineSource struct {
	name string // the define's name
	src  []byte // the text of the file that holds it
	file fileSource
}

// defineIndex finds the defines of one render's templates, parsed once on
// first use.
type defineIndex struct {
	once    sync.Once
	sources map[*common.File]fileSource
	defines map[string]defineSource
}

func newDefineIndex(sources map[*common.File]fileSource) *defineIndex {
	return &defineIndex{sources: sources}
}

func (x *defineIndex) lookup(name string) (defineSource, bool) {
	if x == nil {
		return defineSource{}, false
	}
	x.once.Do(func() {
		x.defines = map[string]defineSource{}
		for t, fs := range x.sources {
			if fs.inArchive {
				continue
			}
			pt := parse.New(t.Name)
			pt.Mode = parse.SkipFuncCheck
			set := map[string]*parse.Tree{}
			if _, err := pt.Parse(string(t.Data), "", "", set); err != nil {
				continue
			}
			for n := range set {
				if n == t.Name {
					continue
				}
				if _, dup := x.defines[n]; dup {
					// Helm's order decides which of two defines wins: do not guess.
					x.defines[n] = defineSource{}
					continue
				}
				x.defines[n] = defineSource{name: n, src: t.Data, file: fs}
			}
		}
	})
	d, ok := x.defines[name]
	return d, ok && d.src != nil
}

// includeCall reads the define an action calls and how its output is
// indented: include "x" ARG [| indent N | nindent N]. ok is false for any
// other action.
func includeCall(pipe *parse.PipeNode) (name string, indent int, nindent bool, ok bool) {
	if pipe == nil || len(pipe.Decl) > 0 || len(pipe.Cmds) == 0 || len(pipe.Cmds) > 2 {
		return "", 0, false, false
	}
	first := pipe.Cmds[0].Args
	if len(first) != 3 {
		return "", 0, false, false
	}
	id, isID := first[0].(*parse.IdentifierNode)
	s, isStr := first[1].(*parse.StringNode)
	if !isID || id.Ident != "include" || !isStr {
		return "", 0, false, false
	}
	if len(pipe.Cmds) == 2 {
		args := pipe.Cmds[1].Args
		if len(args) != 2 {
			return "", 0, false, false
		}
		fn, isID := args[0].(*parse.IdentifierNode)
		num, isNum := args[1].(*parse.NumberNode)
		if !isID || !isNum || !num.IsInt || num.Int64 < 0 || num.Int64 > 64 || (fn.Ident != "indent" && fn.Ident != "nindent") {
			return "", 0, false, false
		}
		return s.Text, int(num.Int64), fn.Ident == "nindent", true
	}
	return s.Text, 0, false, true
}

// unindent undoes `indent n` (and the leading line break of `nindent n`):
// it returns the text and, per byte of it, the offset in out. ok is false
// when out is not such an output.
func unindent(out []byte, n int, nl bool) (text []byte, offs []int, ok bool) {
	i := 0
	if nl {
		if len(out) == 0 || out[0] != '\n' {
			return nil, nil, false
		}
		i = 1
	}
	pad := bytes.Repeat([]byte{' '}, n)
	atLine := true
	for i < len(out) {
		if atLine {
			if !bytes.HasPrefix(out[i:], pad) {
				return nil, nil, false
			}
			i += n
			atLine = false
			continue
		}
		text = append(text, out[i])
		offs = append(offs, i)
		atLine = out[i] == '\n'
		i++
	}
	return text, offs, true
}

// compileDefine is compileTemplate for the define called name in src.
func compileDefine(name string, src []byte, oneLine bool, vals any) (a, b *tmplProgram, ok bool) {
	t := parse.New("kubeready-define-host")
	t.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := t.Parse(string(src), "", "", trees); err != nil {
		return nil, nil, false
	}
	tree := trees[name]
	if tree == nil || tree.Root == nil {
		return nil, nil, false
	}
	return compileTree(tree, src, oneLine, vals)
}

// matchDefine aligns out, the whole output of one call of define name, with
// the define's text.
func matchDefine(name string, src, out []byte, vals any) *TemplateMatch {
	return matchPrograms(func(oneLine bool) (a, b *tmplProgram, ok bool) {
		return compileDefine(name, src, oneLine, vals)
	}, src, out, false)
}

// locateInInclude places output offset o, written by the include action of
// tr, on the helper line that wrote it.
func locateInInclude(tr Traced, out []byte, o int, defines *defineIndex, vals any) (Location, bool) {
	act := tr.Action
	if act.Include == "" || tr.Start < 0 || tr.End > len(out) || o < tr.Start || o >= tr.End {
		return Location{}, false
	}
	def, ok := defines.lookup(act.Include)
	if !ok {
		return Location{}, false
	}
	text, offs, ok := unindent(out[tr.Start:tr.End], act.Indent, act.NIndent)
	if !ok {
		return Location{}, false
	}
	u := -1
	for i, off := range offs {
		if tr.Start+off == o {
			u = i
			break
		}
	}
	if u < 0 {
		return Location{}, false
	}
	if !act.RootDot {
		vals = nil
	}
	m := matchDefine(def.name, def.src, text, vals)
	if m == nil {
		return Location{}, false
	}
	t, ok := m.Trace(u)
	if !ok || t.Src < 0 {
		return Location{}, false
	}
	helper := NewFile(def.file.path, def.src)
	return Location{File: def.file.path, Pos: helper.PosAt(t.Src)}, true
}
