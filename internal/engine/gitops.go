package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
)

// maxReleasesPerFile bounds the local-chart releases one GitOps file has
// rendered (each costs two renders); past it one limit-exceeded.
const maxReleasesPerFile = 16

// checkGitOps renders the local charts of the Helm releases file f declares
// (Argo CD Applications and ApplicationSets, Flux HelmReleases, helmfile
// releases) with the declared values, at the target. A finding the
// chart's defaults give too is kept as it is (the chart's own render, when
// it is scanned, gives the same one, and the two are one after dedupe); one
// only the declared values give names the release in Rendered.Values and
// its message. A remote chart is listed once as not checked, unless
// --fetch-charts downloads it (gitops_remote.go) under ctx: the run's
// deadline stops a download.
func (e *Engine) checkGitOps(ctx context.Context, f *scan.File, res *fileResult) {
	if !scan.MayDeclareReleases(f) {
		return
	}
	var docs []*scan.Document
	if !scan.IsHelmfile(f.Path) {
		docs, _ = scan.Parse(f)
	}
	rels := scan.GitOpsReleases(f, docs)
	if len(rels) == 0 {
		return
	}
	abs, err := filepath.Abs(f.Path)
	if err != nil {
		return
	}
	root := git.Root(filepath.Dir(abs))
	if root == "" {
		root, _ = os.Getwd()
	}
	remote := map[string]bool{}
	rendered := 0
	for _, r := range rels {
		if r.Remote != "" && r.Fetch != nil && e.render.FetchCharts {
			if rendered == maxReleasesPerFile {
				sev, _ := checks.LimitExceeded.At(e.env.Target)
				res.findings = append(res.findings, checks.Finding{Rule: checks.LimitExceeded.ID, Severity: sev, File: f.Path, Line: r.Pos.Line, Column: r.Pos.Col,
					DocStart: r.Pos.Line, DocEnd: r.Pos.Line, URL: checks.LimitExceeded.Source,
					Message: fmt.Sprintf("more than %d releases of charts in this file: %s and the ones after it are not rendered", maxReleasesPerFile, r.Label)})
				break
			}
			rendered++
			res.findings = append(res.findings, dropSeen(res.findings, e.remoteRelease(ctx, f, docs, root, r))...) // gitops_remote.go
			continue
		}
		if r.Remote != "" {
			if !remote[r.Remote] {
				remote[r.Remote] = true
				sev, _ := checks.HelmRemoteChart.At(e.env.Target)
				res.findings = append(res.findings, checks.Finding{Rule: checks.HelmRemoteChart.ID, Severity: sev, File: f.Path, Line: r.Pos.Line, Column: r.Pos.Col,
					DocStart: r.Pos.Line, DocEnd: r.Pos.Line, URL: checks.HelmRemoteChart.Source,
					Message: fmt.Sprintf("%s: the remote %s was not rendered or checked: %s", r.Label, r.Remote, notFetched(e.render.FetchCharts))})
			}
			continue
		}
		base := root
		if r.Base == "file" {
			base = filepath.Dir(abs)
		}
		dir, ok := inside(root, filepath.Join(base, filepath.FromSlash(r.Chart)))
		if !ok {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path,
				Reason: fmt.Sprintf("line %d: %s: chart path %s is not a chart inside the repository: not checked", r.Pos.Line, r.Label, r.Chart)})
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
			continue // an Argo CD path that is plain manifests or a kustomization
		}
		if rendered == maxReleasesPerFile {
			sev, _ := checks.LimitExceeded.At(e.env.Target)
			res.findings = append(res.findings, checks.Finding{Rule: checks.LimitExceeded.ID, Severity: sev, File: f.Path, Line: r.Pos.Line, Column: r.Pos.Col,
				DocStart: r.Pos.Line, DocEnd: r.Pos.Line, URL: checks.LimitExceeded.Source,
				Message: fmt.Sprintf("more than %d releases of local charts in this file: %s and the ones after it are not rendered", maxReleasesPerFile, r.Label)})
			break
		}
		rendered++
		opts := e.render.Chart
		opts.ValuesFiles = slices.Clip(opts.ValuesFiles)
		bad := ""
		for _, vf := range r.ValuesFiles {
			vb := base
			if r.ValuesRelChart {
				vb = dir
			}
			p, ok := inside(root, filepath.Join(vb, filepath.FromSlash(vf)))
			if fi, err := os.Stat(p); !ok || err != nil || !fi.Mode().IsRegular() || fi.Size() > 5<<20 {
				bad = vf
				break
			}
			opts.ValuesFiles = append(opts.ValuesFiles, p)
		}
		if bad != "" {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path,
				Reason: fmt.Sprintf("line %d: %s: values file %s is not a regular file inside the repository: not checked", r.Pos.Line, r.Label, bad)})
			continue
		}
		from, why := e.valuesFrom(docs, root, &r) // gitops_values.go
		if why != "" {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path,
				Reason: fmt.Sprintf("line %d: %s: %s: the values could not be resolved, not checked", r.Pos.Line, r.Label, why)})
			continue
		}
		opts.ValuesYAML = append(append(slices.Clip(opts.ValuesYAML), from...), r.ValuesYAML...)
		opts.Set = append(slices.Clip(opts.Set), r.Set...)
		if err := opts.Validate(); err != nil {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path, Reason: fmt.Sprintf("line %d: %s: %v: not checked", r.Pos.Line, r.Label, err)})
			continue
		}
		res.findings = append(res.findings, e.releaseFindings(dir, opts, r)...)
	}
}

// releaseFindings renders the chart with its defaults and with the
// release's values and keeps what the release's render gives.
func (e *Engine) releaseFindings(dir string, opts scan.ChartOptions, r scan.Release) []checks.Finding {
	def, _, _ := e.renderChart(dir, e.render.Chart, false)
	common := map[string]bool{}
	for _, f := range def.findings {
		common[findingKey(f)] = true
	}
	rel, _, _ := e.renderChart(dir, opts, false)
	if rel.err != nil {
		p := scan.Problem{Kind: scan.ProblemRenderError, File: r.File, Pos: r.Pos,
			Message: fmt.Sprintf("%s: the chart %s does not render with the declared values: %s", r.Label, dir, rel.err.Message)}
		return []checks.Finding{e.problemFinding(p)}
	}
	label := fmt.Sprintf("%s (%s:%d)", r.Label, r.File, r.Pos.Line)
	var out []checks.Finding
	for _, f := range rel.findings {
		if !common[findingKey(f)] {
			o := scan.Origin{Chart: dir}
			if f.Rendered != nil {
				o = *f.Rendered
			}
			o.Values = label
			f.Rendered = &o
			f.Message += " Values: " + label + "."
		}
		out = append(out, f)
	}
	return out
}

// notFetched says why a remote release was not checked.
func notFetched(fetch bool) string {
	if fetch {
		return "kubeready cannot name its repository and version (a Flux chartRef to neither an OCIRepository nor a HelmChart, a chart without a repository), so it was not downloaded."
	}
	return "kubeready downloads charts only with --fetch-charts (Action input fetch-charts)."
}

// dropSeen leaves out of add the findings of a rule some finding of have
// already reports on the same file and line: the GitOps file's own rules
// (eks-alb-endpointslices on a release's chart version and values) and the
// chart's render say the same thing there once.
func dropSeen(have, add []checks.Finding) []checks.Finding {
	seen := map[string]bool{}
	for _, f := range have {
		seen[fmt.Sprintf("%s\x00%s\x00%d", f.Rule, f.File, f.Line)] = true
	}
	out := add[:0:0]
	for _, f := range add {
		if k := fmt.Sprintf("%s\x00%s\x00%d", f.Rule, f.File, f.Line); !seen[k] {
			out = append(out, f)
		}
	}
	return out
}

// inside resolves p (symbolic links too) and returns it relative to the
// working directory when it stays inside root; ok is false otherwise.
func inside(root, p string) (string, bool) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if !paths.Within(real, root) {
		return "", false
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil {
			return rel, true
		}
	}
	return p, true
}
