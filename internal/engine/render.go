package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// This file holds the engine's part for rendered inputs: Helm charts,
// kustomizations and `helm template` output on standard input. Each is
// rendered, its output checked like any file, and every finding placed back
// on the template (or values, resource, patch) line it came from.

// Render is how charts are rendered (--helm-values, --helm-set,
// --current, --helm-timeout).
type Render struct {
	Chart scan.ChartOptions
	// Current is the version the cluster runs now; charts that read
	// .Capabilities are rendered at it too. Zero: no second render.
	Current checks.Version
	// Timeout bounds one render of one chart (--helm-timeout); zero: none.
	Timeout time.Duration
}

// capabilities are what an API server of version v serves, for rendering.
func capabilities(v checks.Version) scan.Capabilities {
	return scan.Capabilities{KubeVersion: v.String(), APIVersions: checks.ServedAPIVersions(v)}
}

// checkRendered renders a chart or builds a kustomization and checks the
// result.
func (e *Engine) checkRendered(in scan.Input) fileResult {
	if in.Kind == scan.InputKustomization {
		b := scan.BuildKustomization(in.Path)
		res := fileResult{}
		for _, p := range b.Problems {
			res.findings = append(res.findings, e.problemFinding(p))
		}
		for _, rf := range b.Files {
			// Set rules do not see kustomize output: its base resources
			// are scanned as files too, and would be counted twice.
			e.addRendered(&res, rf, false)
		}
		return res
	}
	return e.checkChart(in.Path)
}

// checkChart renders a chart at the target; when the chart reads
// .Capabilities, also at the current version, to report objects an
// installed release holds that the target no longer serves.
func (e *Engine) checkChart(dir string) fileResult {
	var res fileResult
	c, err := scan.LoadChart(dir, e.render.Chart)
	var le *scan.ChartLoadError
	switch {
	case errors.Is(err, scan.ErrLibraryChart):
		return res
	case errors.As(err, &le):
		res.findings = append(res.findings, e.problemFinding(le.Problem))
		return res
	case err != nil:
		res.err = &annotate.RunError{File: dir, Message: err.Error()}
		return res
	}
	r, finished := c.RenderWithin(capabilities(e.env.Target), e.render.Timeout)
	for _, p := range r.Problems {
		res.findings = append(res.findings, e.problemFinding(p))
	}
	if !finished {
		return res
	}
	for _, rf := range r.Files {
		e.addRendered(&res, rf, true)
	}
	if e.render.Current.IsZero() || !c.UsesCapabilities() {
		return res
	}
	// Objects the target render already reports as removed need no
	// release-manifest warning.
	removed := map[string]bool{}
	for _, f := range res.findings {
		if f.Rule == "api-removed" {
			removed[objectKey(f.Kind, f.Name, f.Namespace)] = true
		}
	}
	cur, finished := c.RenderWithin(capabilities(e.render.Current), e.render.Timeout)
	if !finished { // only the timeout is news: other problems were reported by the target render
		for _, p := range cur.Problems {
			res.findings = append(res.findings, e.problemFinding(p))
		}
		return res
	}
	for _, rf := range cur.Files {
		docs, _ := scan.Parse(rf.File)
		for _, d := range docs {
			f, ok := checks.ReleaseManifestFinding(d, e.env, e.render.Current)
			if !ok || removed[objectKey(d.Sig.Kind, d.Sig.Name, d.Sig.Namespace)] {
				continue
			}
			place(rf, d, &f)
			res.findings = append(res.findings, f)
		}
	}
	return res
}

func objectKey(kind, name, ns string) string { return kind + "\x00" + name + "\x00" + ns }

// addRendered checks one rendered file and places its findings; forSet
// keeps its documents for the set rules (placed by placeSet).
func (e *Engine) addRendered(res *fileResult, rf *scan.Rendered, forSet bool) {
	if max := e.limits.MaxFileSize; max > 0 && int64(len(rf.File.Data)) > max {
		p := fileProblem(checks.FileTooLarge, rf.File.Path, fmt.Sprintf("the rendered output is %s, over %s (--max-file-size): not checked", size(int64(len(rf.File.Data))), size(max)))
		p.Rendered = rf.File.Origin
		res.findings = append(res.findings, *p)
		return
	}
	r := e.checkFile(rf.File)
	res.documents += r.documents
	res.skipped = append(res.skipped, r.skipped...)
	if forSet {
		res.setDocs = append(res.setDocs, r.setDocs...)
	}
	if len(r.findings) == 0 {
		return
	}
	docs, _ := scan.Parse(rf.File)
	for i := range r.findings {
		place(rf, docOf(docs, r.findings[i]), &r.findings[i])
	}
	res.findings = append(res.findings, r.findings...)
}

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

// problemFinding turns a rendering problem into a finding of its rule.
func (e *Engine) problemFinding(p scan.Problem) checks.Finding {
	r := checks.Lookup(string(p.Kind))
	if r == nil {
		r = checks.InternalError
	}
	sev, _ := r.At(e.env.Target)
	return checks.Finding{
		Rule: r.ID, Severity: sev, File: p.File, Line: p.Pos.Line, Column: p.Pos.Col,
		Message: p.Message, URL: r.Source, Rendered: p.Origin, DocStart: p.Pos.Line, DocEnd: p.Pos.Line,
	}
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

// fixRendered applies the fixes mode chooses for findings on rendered
// inputs. Their edits already point into the template, values or resource
// file that wrote the bytes, so they are applied once, as they are: such a
// file is not re-checked on its own (a template is not a manifest). A file
// that plain findings also fix is left to applyFixes. With write the files
// are replaced and the fixed findings leave rep.Findings.
func (e *Engine) fixRendered(rep *annotate.Report, mode FixMode, write bool) {
	plain := map[string]bool{}
	for _, f := range rep.Findings {
		if _, ok := mode.choose(f); ok && f.Rendered == nil {
			plain[f.File] = true
		}
	}
	type job struct {
		fixes  []checks.Fix
		owners []int
	}
	jobs := map[string]*job{}
	for i, f := range rep.Findings {
		fx, ok := mode.choose(f)
		if !ok || f.Rendered == nil || len(fx.Edits) == 0 {
			continue
		}
		path := fx.Edits[0].Path
		same := true
		for _, ed := range fx.Edits {
			same = same && ed.Path == path
		}
		if !same || path == scan.StdinPath || plain[path] {
			continue
		}
		if jobs[path] == nil {
			jobs[path] = &job{}
		}
		jobs[path].fixes = append(jobs[path].fixes, fx)
		jobs[path].owners = append(jobs[path].owners, i)
	}
	paths := make([]string, 0, len(jobs))
	for p := range jobs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fixed := map[int]bool{}
	for _, path := range paths {
		j := jobs[path]
		old, err := os.ReadFile(path)
		if err != nil {
			rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
			continue
		}
		picked, _, edits := checks.PickFixes(j.fixes)
		out, err := checks.ApplyEdits(old, edits)
		if err != nil || bytes.Equal(out, old) {
			continue
		}
		if write {
			if err := writeAtomic(path, out); err != nil {
				rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
				continue
			}
		}
		for _, k := range picked {
			f := rep.Findings[j.owners[k]]
			fixed[j.owners[k]] = true
			rep.Fixed = append(rep.Fixed, annotate.Fixed{Rule: f.Rule, File: f.File, Line: f.Line, Column: f.Column,
				Description: j.fixes[k].Description, Safe: j.fixes[k].Safe, Reason: j.fixes[k].Reason})
		}
		rep.Changes = append(rep.Changes, annotate.FileChange{Name: patchName(path), Old: old, New: out})
	}
	if write && len(fixed) > 0 {
		kept := rep.Findings[:0]
		for i, f := range rep.Findings {
			if !fixed[i] {
				kept = append(kept, f)
			}
		}
		rep.Findings = kept
	}
}
