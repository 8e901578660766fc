package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// defaultsSet names the render with the chart's defaults (and the run's
// --helm-values and --helm-set) among its values sets.
const defaultsSet = "defaults"

// renderValuesSets renders the chart in dir once more for each values set
// beside it (scan.ValuesSets: ci/*.yaml, values-*.yaml, values/*.yaml), each
// on top of the run's own values, and merges the findings with those of
// the defaults render: a finding every render gave is kept once as it is;
// one only some gave names them in Rendered.Values. Set rules and the
// document count see the defaults render only, so nothing is counted twice.
func (e *Engine) renderValuesSets(dir string, defaults []checks.Finding) []checks.Finding {
	sets, skipped := scan.ValuesSets(dir)
	if len(sets) == 0 {
		return defaults
	}
	if skipped > 0 {
		sev, _ := checks.LimitExceeded.At(e.env.Target)
		file := filepath.Join(dir, "Chart.yaml")
		defaults = append(defaults, checks.Finding{Rule: checks.LimitExceeded.ID, Severity: sev, File: file, Line: 1, Column: 1, DocStart: 1, DocEnd: 1,
			URL: checks.LimitExceeded.Source, Rendered: &scan.Origin{Chart: dir},
			Message: fmt.Sprintf("the chart has %d values sets; the first %d (in name order) were rendered, %d were not", len(sets)+skipped, len(sets), skipped)})
	}
	type seen struct {
		f    checks.Finding
		sets []string
	}
	var order []string
	byKey := map[string]*seen{}
	add := func(set string, fs []checks.Finding) {
		for _, f := range fs {
			k := findingKey(f)
			s := byKey[k]
			if s == nil {
				s = &seen{f: f}
				byKey[k] = s
				order = append(order, k)
			}
			if !slices.Contains(s.sets, set) {
				s.sets = append(s.sets, set)
			}
		}
	}
	add(defaultsSet, defaults)
	for _, vs := range sets {
		opts := e.render.Chart
		opts.ValuesFiles = append(slices.Clip(opts.ValuesFiles), vs.Path)
		res, _, _ := e.renderChart(dir, opts, false)
		if res.err != nil {
			// The set itself does not read (not YAML): a problem of that
			// file, not of the run.
			f := e.problemFinding(scan.Problem{Kind: scan.ProblemRenderError, File: vs.Path, Pos: scan.Pos{Line: 1, Col: 1},
				Message: fmt.Sprintf("values set %s not rendered: %s", vs.Name, res.err.Message), Origin: &scan.Origin{Chart: dir}})
			res.findings = append(res.findings, f)
		}
		add(vs.Name, res.findings)
	}
	out := make([]checks.Finding, 0, len(order))
	for _, k := range order {
		s := byKey[k]
		f := s.f
		if len(s.sets) < len(sets)+1 {
			o := scan.Origin{Chart: dir}
			if f.Rendered != nil {
				o = *f.Rendered
			}
			o.Values = strings.Join(s.sets, ", ")
			f.Rendered = &o
			// Every format shows the message; JSON and SARIF also carry
			// the sets as data (rendered.values, valuesSet).
			f.Message += " Values set: " + o.Values + "."
		}
		out = append(out, f)
	}
	return out
}

// findingKey is what makes two renders' findings the same finding.
func findingKey(f checks.Finding) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Rule, f.File, f.Line, f.Column, f.Message)
}
