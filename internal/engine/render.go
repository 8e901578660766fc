package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/chartfetch"
	"github.com/kubeready/kubeready/scan"
)

// The render stage: Helm charts and kustomizations are rendered, their
// output checked like any file, and every finding placed back (place.go) on
// the template (or values, resource, patch) line it came from.

// Render is how charts are rendered (--helm-values, --helm-set,
// --current, --helm-timeout).
type Render struct {
	Chart scan.ChartOptions
	// Current is the version the cluster runs now; charts that read
	// .Capabilities are rendered at it too. Zero: no second render.
	Current checks.Version
	// Timeout bounds one render of one chart (--helm-timeout); zero: none.
	Timeout time.Duration
	// FetchCharts lets the remote charts GitOps files declare be downloaded
	// (--fetch-charts; gitops_remote.go). Off: nothing touches the network.
	FetchCharts bool
	// Fetcher downloads them; nil: chartfetch.Default().
	Fetcher *chartfetch.Fetcher
}

// capabilities are what an API server of version v serves, for rendering.
func capabilities(v checks.Version) scan.Capabilities {
	return scan.Capabilities{KubeVersion: v.String(), APIVersions: checks.ServedAPIVersions(v)}
}

// checkRendered renders a chart or builds a kustomization and checks the
// result.
func (e *Engine) checkRendered(in scan.Input) fileResult {
	if in.Kind == scan.InputKustomization {
		var res fileResult
		e.checkKustomization(in.Path, &res)
		return res
	}
	return e.checkChart(in.Path)
}

// checkKustomization builds the kustomization in dir and checks the
// result; the kustomizations it includes but did not build (all of them
// when it fails) that nothing else built are built on their own
// (kustomize.go).
func (e *Engine) checkKustomization(dir string, res *fileResult) {
	b := scan.BuildKustomizationWith(dir, e.kustCache)
	for _, p := range b.Problems {
		res.findings = append(res.findings, e.problemFinding(p))
	}
	for _, rf := range b.Files {
		// Set rules do not see kustomize output: its base resources
		// are scanned as files too, and would be counted twice.
		e.addRendered(res, rf, false)
	}
	for _, c := range e.kust.fallback(dir, b) {
		e.progress.Begin(c)
		e.checkKustomization(c, res)
	}
}

// checkChart renders a chart at the target, with its defaults and with
// each values set beside it (valuesets.go); when the chart reads
// .Capabilities, also at the current version, to report objects an
// installed release holds that the target no longer serves.
func (e *Engine) checkChart(dir string) fileResult {
	res, c, finished := e.renderChart(dir, e.render.Chart, true)
	if c == nil || !finished {
		return res
	}
	res.findings = e.renderValuesSets(dir, res.findings)
	res.findings = append(res.findings, e.gatedFindings(c, res.findings)...)
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

// renderChart loads the chart in dir with opts and checks its render at the
// target; c is nil when it did not load (res then says why), finished false
// when the render hit a budget. forSet keeps the documents for set rules.
func (e *Engine) renderChart(dir string, opts scan.ChartOptions, forSet bool) (res fileResult, c *scan.Chart, finished bool) {
	c, err := scan.LoadChart(dir, opts)
	var le *scan.ChartLoadError
	switch {
	case errors.Is(err, scan.ErrLibraryChart):
		return res, nil, false
	case errors.As(err, &le):
		res.findings = append(res.findings, e.problemFinding(le.Problem))
		return res, nil, false
	case err != nil:
		res.err = &annotate.RunError{File: dir, Message: err.Error()}
		return res, nil, false
	}
	r, finished := c.RenderWithin(capabilities(e.env.Target), e.render.Timeout)
	for _, p := range r.Problems {
		res.findings = append(res.findings, e.problemFinding(p))
	}
	if !finished {
		return res, c, false
	}
	for _, rf := range r.Files {
		e.addRendered(&res, rf, forSet)
	}
	return res, c, true
}

func objectKey(kind, name, ns string) string { return kind + "\x00" + name + "\x00" + ns }

// addRendered checks one rendered file and places its findings; forSet
// keeps its documents for the set rules (placed by placeSet).
func (e *Engine) addRendered(res *fileResult, rf *scan.Rendered, forSet bool) {
	if max := e.limits.MaxFileSize; max > 0 && int64(len(rf.File.Data)) > max {
		p := fileProblem(checks.FileTooLarge, rf.File.Path, fmt.Sprintf("the rendered output is %s, over %s (--max-file-size): not checked", scan.FormatSize(int64(len(rf.File.Data))), scan.FormatSize(max)))
		p.Rendered = rf.File.Origin
		res.findings = append(res.findings, *p)
		return
	}
	var r fileResult
	if forSet {
		r = e.checkFile(rf.File)
	} else {
		r = e.rendered.check(e, rf.File)
	}
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
