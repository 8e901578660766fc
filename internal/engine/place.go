package engine

import (
	"math"

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

// dedupe drops findings that repeat an earlier one at the same place with
// the same rule and message: a base resource reached both as a file and
// through each kustomization that includes it. findings must be sorted.
func dedupe(findings []checks.Finding) []checks.Finding {
	out := findings[:0]
	for i, f := range findings {
		if i > 0 {
			p := out[len(out)-1]
			if p.Rule == f.Rule && p.File == f.File && p.Line == f.Line && p.Column == f.Column && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}
