package scan

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// helmLocator places positions of one rendered template.
type helmLocator struct {
	chart     *Chart
	name      string
	tmpl      *common.File
	src       fileSource
	out       *File
	chartPath *chart.Chart
	vals      any // the values the template saw
	defines   *defineIndex

	once  sync.Once
	match *TemplateMatch
	tfile *File // the template text, for positions
}

func (l *helmLocator) init() {
	l.once.Do(func() {
		l.tfile = NewFile(l.src.path, l.tmpl.Data)
		l.match = matchTemplate(l.name, l.tmpl.Data, l.out.Data, false, l.vals)
	})
}

func (l *helmLocator) locate(d *Document, q Query) Location {
	l.init()
	return locateInTemplate(l.match, l.tfile, l.out, d, q, l.src, l.name, func(vp []string) (valuesHit, bool) {
		return l.chart.valuesLocation(l.chartPath, vp)
	}, l.defines, l.vals)
}

func (l *helmLocator) edit(start, end int) (string, int, int, bool) {
	l.init()
	if l.src.inArchive {
		return "", 0, 0, false
	}
	return editInTemplate(l.match, l.src.path, l.tmpl.Data, start, end)
}

// locateInTemplate is the placing shared by chart templates and `helm
// template` output read with its templates at hand. values finds the
// values-file line of a values path (nil when values are unknown).
//
// A finding goes to the values file when what it is about came from there:
// for an object-level finding, only when its key itself was written by a
// values fragment ({{ toYaml .Values.x }}); for any other finding, also when
// the bytes it is about (its fix's edit, else the scalar at its position)
// were written by one action that prints a value. Otherwise it goes to the
// template line that wrote its position: the key's own line, or the line
// of the action whose output holds it.
func locateInTemplate(m *TemplateMatch, tfile, out *File, d *Document, q Query, src fileSource, name string,
	values func([]string) (valuesHit, bool), defines *defineIndex, vals any) Location {
	p := q.Pos
	unmapped := func(why string) Location {
		return Location{File: src.path, Pos: Pos{Line: 1, Col: 1}, Note: fmt.Sprintf("(line %d of the rendered %s; %s)", p.Line, name, why)}
	}
	if m == nil {
		return unmapped("kubeready could not match the output to the template")
	}
	tr, ok := m.Trace(out.Offset(p))
	if !ok {
		return unmapped("it could have come from more than one template line")
	}
	inArchive := func(loc Location) Location {
		if !src.inArchive {
			return loc
		}
		return Location{File: src.path, Pos: Pos{Line: 1, Col: 1}, Note: fmt.Sprintf("(in the packaged subchart: %s line %d)", name, loc.Pos.Line)}
	}
	if values != nil && d != nil {
		if loc, ok := locateValues(m, out, d, q, tr, values); ok {
			return loc
		}
	}
	if tr.Src >= 0 {
		return inArchive(Location{File: src.path, Pos: tfile.PosAt(tr.Src), Exact: !src.inArchive})
	}
	if !src.inArchive {
		if loc, ok := locateInInclude(tr, out.Data, out.Offset(p), defines, vals); ok {
			return loc
		}
	}
	return inArchive(Location{File: src.path, Pos: tfile.PosAt(tr.Action.Pos)})
}

// locateValues finds the values-file line of what a finding is about, when
// it came from a values file (see locateInTemplate).
func locateValues(m *TemplateMatch, out *File, d *Document, q Query, tr Traced, values func([]string) (valuesHit, bool)) (Location, bool) {
	root, err := d.Node()
	if err != nil || root == nil {
		return Location{}, false
	}
	path, target, value, isKey := nodePath(root, q.Pos)
	if path == nil && target == nil {
		return Location{}, false
	}
	// valuesPath is the values path of a node written by action t: the
	// action's own path, then the keys of the node's path that t wrote.
	valuesPath := func(t Traced) []string {
		vp := append([]string{}, t.Action.Values...)
		inside := false
		for _, el := range path {
			if !inside {
				off := out.Offset(Pos{Line: el.node.Line, Col: el.node.Column})
				inside = off >= t.Start && off < t.End
			}
			if inside {
				if el.isIndex {
					vp = append(vp, strconv.Itoa(el.index))
				} else {
					vp = append(vp, el.key)
				}
			}
		}
		return vp
	}
	place := func(t Traced) (Location, bool) {
		if t.Src >= 0 || t.Action.Values == nil {
			return Location{}, false
		}
		hit, ok := values(valuesPath(t))
		if !ok {
			if hit, ok = values(t.Action.Values); !ok {
				return Location{}, false
			}
		}
		loc := hit.loc
		// A value printed exactly as the values file holds it: a fix's
		// edit of it maps into that file.
		if hit.file != nil && hit.value != nil && hit.value.Value == string(out.Data[t.Start:t.End]) {
			if vs, _, ok := scalarSpan(hit.file, hit.value); ok {
				loc.copy = &copied{path: hit.file.Path, out: t.Start, file: vs, n: t.End - t.Start}
			}
		}
		return loc, true
	}
	// The key itself came from a values fragment.
	if isKey && tr.Src < 0 && tr.Action.Values != nil {
		if hit, ok := values(valuesPath(tr)); ok {
			return hit.loc, true
		}
	}
	if q.ObjectLevel {
		return Location{}, false
	}
	// The bytes the finding is about: its fix's edit, else the scalar at
	// its position (the value of a key).
	start, end := q.Start, q.End
	if end <= start {
		subject := target
		if isKey {
			subject = value
		}
		var ok bool
		if start, end, ok = scalarSpan(out, subject); !ok {
			return Location{}, false
		}
	}
	span, ok := m.Span(start, end)
	if !ok {
		return Location{}, false
	}
	var acts []Traced
	for _, t := range span {
		if t.Src < 0 {
			acts = append(acts, t)
		}
	}
	if len(acts) != 1 {
		return Location{}, false
	}
	return place(acts[0])
}

// editInTemplate maps output bytes [start, end) to template bytes when they
// are one run of template text, so a fix applies to the template file.
func editInTemplate(m *TemplateMatch, file string, tmpl []byte, start, end int) (string, int, int, bool) {
	if m == nil {
		return "", 0, 0, false
	}
	ts, ok := m.Trace(start)
	if !ok || ts.Src < 0 {
		return "", 0, 0, false
	}
	s := ts.Src
	e := s
	if end > start {
		te, ok := m.Trace(end - 1)
		if !ok || te.Src < 0 || te.Start != ts.Start || te.Src-s != end-1-start {
			return "", 0, 0, false
		}
		e = te.Src + 1
	}
	disk, err := os.ReadFile(file)
	if err != nil {
		return "", 0, 0, false
	}
	b := bomLen(disk)
	if !bytes.Equal(disk[b:], tmpl) {
		return "", 0, 0, false
	}
	return file, s + b, e + b, true
}
