package engine

import (
	"math"
	"strings"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// The place stage: findings on rendered text (a chart, a kustomization,
// `helm template` output on standard input) move to the line that wrote it.

// placeHelmOutput places the findings on standard input that is `helm
// template` output on the templates its `# Source:` comments name.
func (e *Engine) placeHelmOutput(f *scan.File, res *fileResult) {
	h := scan.ReadHelmOutput(f)
	if h == nil || len(res.findings) == 0 {
		return
	}
	docs, _ := scan.Parse(f)
	for i := range res.findings {
		d := docOf(docs, res.findings[i])
		if d == nil {
			continue
		}
		if rf, ok := h.Rendered(d); ok {
			place(rf, d, &res.findings[i])
		}
	}
}

// placeSet places the findings the set rules made on rendered documents
// (chart templates, `helm template` output on standard input).
func (e *Engine) placeSet(docs []*scan.Document, findings []checks.Finding) []checks.Finding {
	outputs := map[*scan.File]*scan.HelmOutput{}
	byPath := map[string][]*scan.Document{}
	for _, d := range docs {
		byPath[d.File.Path] = append(byPath[d.File.Path], d)
	}
	for i := range findings {
		f := &findings[i]
		d := docOf(byPath[f.File], *f)
		switch {
		case d == nil:
		case d.File.Rendered() != nil:
			place(d.File.Rendered(), d, f)
		case d.File.Path == scan.StdinPath:
			h, ok := outputs[d.File]
			if !ok {
				h = scan.ReadHelmOutput(d.File)
				outputs[d.File] = h
			}
			if h == nil {
				continue
			}
			if rf, ok := h.Rendered(d); ok {
				place(rf, d, f)
			}
		}
	}
	return findings
}

// docOf finds the document a finding was made on.
func docOf(docs []*scan.Document, f checks.Finding) *scan.Document {
	var best *scan.Document
	for _, d := range docs {
		if f.Line < d.StartLine || f.Line > d.EndLine {
			continue
		}
		if best == nil || (d.Sig.Kind == f.Kind && d.Sig.Name == f.Name && d.Sig.APIVersion == f.APIVersion) {
			best = d
		}
	}
	return best
}

// place moves a finding from the rendered text to where it came from.
func place(rf *scan.Rendered, d *scan.Document, f *checks.Finding) {
	q := scan.Query{Pos: scan.Pos{Line: f.Line, Col: f.Column}, ObjectLevel: f.ObjectLevel}
	if len(f.Fixes) > 0 && len(f.Fixes[0].Edits) > 0 {
		// The bytes a fix edits are what the finding is about.
		q.Start, q.End = f.Fixes[0].Edits[0].Start, f.Fixes[0].Edits[0].End
	}
	loc := rf.Locate(d, q)
	f.File, f.Line, f.Column, f.EndLine = loc.File, loc.Pos.Line, loc.Pos.Col, 0
	if loc.Note != "" {
		f.Message += " " + loc.Note
	}
	f.Rendered = rf.File.Origin
	// Any change to the template may change the object.
	f.DocStart, f.DocEnd = 1, math.MaxInt32
	var fixes []checks.Fix
	for _, fx := range f.Fixes {
		ok := true
		edits := make([]checks.Edit, 0, len(fx.Edits))
		for _, ed := range fx.Edits {
			p, s, en, good := loc.MapEdit(ed.Start, ed.End)
			if !good {
				p, s, en, good = rf.LocateEdit(ed.Start, ed.End)
			}
			if !good {
				ok = false
				break
			}
			edits = append(edits, checks.Edit{Path: p, Start: s, End: en, New: ed.New})
		}
		if ok {
			fx.Edits = edits
			fixes = append(fixes, fx)
		}
	}
	f.Fixes = fixes
}

// dedupe keeps one finding per (file, line, rule, object): the same source
// line reached as a plain file and through each kustomization (or chart)
// that renders it is one problem to fix, even when the copies differ in
// column (the image value or the image: key), in a note (the kustomization
// changes this value) or in the object's name (a namePrefix or nameSuffix:
// "dev-web" is "web"). Different objects from one line (a template line in
// a range) stay apart. Of two copies, the one that says more is kept: more
// fixes, then the longer message (names aside), then the plain file's copy,
// then the first; it keeps the other's rendered origin (which kustomization
// or chart deploys it) when it has none. Order is kept.
func dedupe(findings []checks.Finding) []checks.Finding {
	type key struct {
		file, rule, kind string
		line             int
	}
	at := map[key][]int{}
	out := findings[:0:0]
	for _, f := range findings {
		k := key{f.File, f.Rule, f.Kind, f.Line}
		i := -1
		for _, j := range at[k] {
			if sameObject(out[j], f) {
				i = j
				break
			}
		}
		if i < 0 {
			at[k] = append(at[k], len(out))
			out = append(out, f)
			continue
		}
		kept := out[i]
		if saysMore(f, kept) {
			kept, f = f, kept
		}
		if kept.Rendered == nil {
			kept.Rendered = f.Rendered // where it is deployed from, when the other copy knew
		}
		out[i] = kept
	}
	// A gated branch that another render of the same template did take
	// (a file:// subchart rendered with its parent's values) is reported by
	// that render: its api-removed says more than "no values set turns it on".
	type line struct {
		file string
		line int
	}
	removed := map[line]bool{}
	for _, f := range out {
		if f.Rule == "api-removed" {
			removed[line{f.File, f.Line}] = true
		}
	}
	kept := out[:0]
	for _, f := range out {
		if f.Rule == "helm-gated-api" && removed[line{f.File, f.Line}] {
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

// sameObject reports whether two findings on one line are about one object.
// A line of a plain file or of a kustomize resource holds one object,
// whatever name transforms (namePrefix, nameSuffix) overlays apply; only a
// chart template line can write several objects (a range), told apart by
// name, allowing for a name the other holds (a release-name prefix).
func sameObject(a, b checks.Finding) bool {
	fromChart := func(f checks.Finding) bool { return f.Rendered != nil && f.Rendered.Chart != "" }
	if !fromChart(a) || !fromChart(b) {
		return true
	}
	return a.Name == b.Name || a.Name != "" && b.Name != "" && (strings.Contains(a.Name, b.Name) || strings.Contains(b.Name, a.Name))
}

// saysMore reports whether finding f, a copy of kept, tells the user more:
// more fixes; else a longer message, names aside (an overlay's namePrefix
// adds nothing to fix); else f is the plain file's copy, which names the
// object as the user wrote it.
func saysMore(f, kept checks.Finding) bool {
	if len(f.Fixes) != len(kept.Fixes) {
		return len(f.Fixes) > len(kept.Fixes)
	}
	sameText := f.Message == kept.Message || f.Name != "" && kept.Name != "" &&
		(strings.ReplaceAll(f.Message, f.Name, kept.Name) == kept.Message || strings.ReplaceAll(kept.Message, kept.Name, f.Name) == f.Message)
	if !sameText && len(f.Message) != len(kept.Message) {
		return len(f.Message) > len(kept.Message)
	}
	return f.Rendered == nil && kept.Rendered != nil
}
