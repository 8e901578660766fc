package engine

import (
	"errors"
	"fmt"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// The check stage: parse a file, run the enabled rules on each object, apply
// its inline suppressions (suppress.go); and the set rules once over the
// whole run.

// checkFile parses one file and runs every enabled rule on each object in it.
func (e *Engine) checkFile(f *scan.File) fileResult {
	var res fileResult
	docs, perrs, next := scan.ParseN(f, e.limits.MaxDocuments)
	if next > 0 {
		p := fileProblem(checks.LimitExceeded, f.Path, fmt.Sprintf("more than %d documents (--max-documents): documents from this line on are not checked", e.limits.MaxDocuments))
		p.Line, p.DocStart, p.DocEnd = next, next, next
		res.findings = append(res.findings, *p)
	}
	for _, pe := range perrs {
		if !pe.Object {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path,
				Reason: fmt.Sprintf("not YAML (line %d: %s) and no apiVersion/kind: not a manifest", pe.Line, pe.Msg)})
			continue
		}
		res.findings = append(res.findings, invalidYAML(f.Path, pe, nil))
	}
	for _, d := range docs {
		if !d.Sig.IsObject() {
			continue
		}
		res.documents++
		rules, whole := e.rules, true
		if d.SigOnly {
			// it does not parse (reported above): signature rules only
			rules, whole = e.signatureRules(d.Sig.Kind), false
		} else if e.wantsNode(d.Sig.Kind) {
			if problem := e.nodeProblem(d); problem != nil {
				// the rules that read only the signature (api-removed) still run
				res.findings = append(res.findings, *problem)
				rules, whole = e.signatureRules(d.Sig.Kind), false
			}
		}
		res.findings = append(res.findings, checks.Check(d, e.env, rules)...)
		if whole && checks.WantsSet(d.Sig.Kind, e.rules) {
			if e.setHeld.Add(1) > keepSetTrees {
				d = d.Detached() // its tree is parsed again when the set rules read it
			}
			res.setDocs = append(res.setDocs, d)
		}
	}
	res.findings = suppress(f, res.findings)
	return res
}

// checkSet runs the set rules once over the documents kept from every file
// of the run (in input order) and applies each file's inline suppressions
// to what they find.
func (e *Engine) checkSet(docs []*scan.Document) []checks.Finding {
	fs := checks.CheckSet(docs, e.env, e.rules)
	files := map[string]*scan.File{}
	for _, d := range docs {
		files[d.File.Path] = d.File
	}
	byFile := map[string][]checks.Finding{}
	var order []string
	for _, f := range fs {
		if _, ok := byFile[f.File]; !ok {
			order = append(order, f.File)
		}
		byFile[f.File] = append(byFile[f.File], f)
	}
	var out []checks.Finding
	for _, path := range order {
		if f := files[path]; f != nil {
			out = append(out, suppress(f, byFile[path])...)
		} else {
			out = append(out, byFile[path]...)
		}
	}
	return out
}

// nodeProblem parses a document for the rules that read it and returns the
// finding that stops them: invalid YAML, or nesting past --max-depth.
func (e *Engine) nodeProblem(d *scan.Document) *checks.Finding {
	root, err := d.Node()
	if err != nil {
		pe := &scan.ParseError{Line: d.StartLine, Msg: err.Error()}
		errors.As(err, &pe)
		f := invalidYAML(d.File.Path, pe, d)
		return &f
	}
	if max := e.limits.MaxDepth; max > 0 && root != nil && scan.Depth(root, max) > max {
		p := fileProblem(checks.LimitExceeded, d.File.Path, fmt.Sprintf("%s nests deeper than %d levels (--max-depth): its content is not checked", d.Sig.Kind, max))
		p.Line, p.Column, p.DocStart, p.DocEnd = d.Sig.APIVersionPos.Line, d.Sig.APIVersionPos.Col, d.StartLine, d.EndLine
		return p
	}
	return nil
}

// signatureRules are the enabled rules that do not read the Node of kind.
func (e *Engine) signatureRules(kind string) []*checks.Rule {
	var out []*checks.Rule
	for _, r := range e.rules {
		if !r.WantsNode(kind) {
			out = append(out, r)
		}
	}
	return out
}

// wantsNode reports whether any enabled rule reads the full Node of kind;
// only then is a cheaply-signed document parsed.
func (e *Engine) wantsNode(kind string) bool {
	for _, r := range e.rules {
		if r.WantsNode(kind) {
			return true
		}
	}
	return false
}

// invalidYAML is the finding for a document that does not parse.
func invalidYAML(path string, pe *scan.ParseError, d *scan.Document) checks.Finding {
	f := checks.Finding{
		Rule: checks.InvalidYAML.ID, Severity: checks.Error, File: path, Line: pe.Line, Column: 1,
		Message: "invalid YAML: " + pe.Msg, URL: checks.InvalidYAML.Source, DocStart: pe.Line, DocEnd: pe.Line,
	}
	if d != nil {
		f.DocStart, f.DocEnd = d.StartLine, d.EndLine
		f.APIVersion, f.Kind, f.Name, f.Namespace = d.Sig.APIVersion, d.Sig.Kind, d.Sig.Name, d.Sig.Namespace
	}
	return f
}
