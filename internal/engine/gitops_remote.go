package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/chartfetch"
	"github.com/kubeready/kubeready/scan"
	"go.yaml.in/yaml/v3"
)

// Remote charts of GitOps releases (--fetch-charts). The chart is
// downloaded at its pinned version (internal/chartfetch: Helm's own
// downloaders, digests, budgets, the cache), loaded from the cache like any
// chart directory, and rendered twice at the target: with its defaults and
// with the declared values. Its findings are reported on the GitOps file,
// never on the cached chart:
//   - a finding the defaults give too goes on the version line
//     (targetRevision, version): moving to another chart version is the fix;
//   - one only the declared values give goes on the declared value that
//     turns it on (a .Values path the template line or its enclosing
//     if/with reads), else where the declared values start.
// A finding the GitOps file's own rules already give on that line
// (eks-alb-endpointslices reads the chart version and enableEndpointSlices
// from the release) is that finding: the render's copy is dropped.

// remoteState is what the GitOps releases of one run share: an index of
// the repository's Flux HelmRepositories and of its ConfigMaps and Secrets
// by name (valuesFrom), built once per repository root when a release
// needs it.
type remoteState struct {
	mu    sync.Mutex
	index map[string]*repoIndex // by repository root
}

// repoIndex is what the repository's YAML files hold for GitOps releases.
type repoIndex struct {
	repos  []scan.HelmRepository
	oci    []scan.OCIRepository
	charts []scan.HelmChartSource
	values valuesIndex
}

// chartRef fills rc from the OCIRepository or HelmChart a Flux
// HelmRelease's chartRef names (in the release's file, else among the
// repository's files; its namespace, or either without one); why says what
// is missing.
func (e *Engine) chartRef(docs []*scan.Document, root string, rc *scan.RemoteChart) (why string) {
	same := func(name, ns string) bool {
		return name == rc.RefName && (ns == rc.RefNamespace || ns == "" || rc.RefNamespace == "")
	}
	oci, charts := scan.FluxChartSources(docs)
	idx := e.repoIndex(root)
	switch rc.RefKind {
	case "OCIRepository":
		for _, o := range append(oci, idx.oci...) {
			if !same(o.Name, o.Namespace) {
				continue
			}
			rest, ok := strings.CutPrefix(o.URL, "oci://")
			i := strings.LastIndexByte(rest, '/')
			if !ok || i <= 0 {
				return fmt.Sprintf("has url %q, not oci://host/path/chart", o.URL)
			}
			if o.Tag == "" && o.Digest == "" {
				return fmt.Sprintf("pins no tag or digest (semver %q is a range)", o.SemVer)
			}
			rc.Repo, rc.OCI, rc.Chart, rc.Version, rc.Digest = "oci://"+rest[:i], true, rest[i+1:], o.Tag, o.Digest
			return ""
		}
	case "HelmChart":
		for _, c := range append(charts, idx.charts...) {
			if !same(c.Name, c.Namespace) {
				continue
			}
			if c.RepoKind != "HelmRepository" {
				return fmt.Sprintf("takes chart %s from a %s, not a chart repository", c.Chart, c.RepoKind)
			}
			rc.Chart, rc.Version, rc.RepoName = c.Chart, c.Version, c.RepoName
			if rc.RepoNamespace = c.Namespace; rc.RepoNamespace == "" {
				rc.RepoNamespace = rc.RefNamespace
			}
			return ""
		}
	}
	return "is not among the repository's files"
}

// fetcher returns the run's chart fetcher.
func (e *Engine) fetcher() *chartfetch.Fetcher {
	if e.render.Fetcher != nil {
		return e.render.Fetcher
	}
	return &chartfetch.Fetcher{}
}

// notChecked is the one helm-remote-chart finding of a release: info when
// nothing was asked to be fetched, a warning when the download was asked
// for and refused or failed.
func (e *Engine) notChecked(r scan.Release, sev checks.Severity, msg string) checks.Finding {
	return checks.Finding{Rule: checks.HelmRemoteChart.ID, Severity: sev, File: r.File, Line: r.Pos.Line, Column: r.Pos.Col,
		DocStart: r.Pos.Line, DocEnd: r.Pos.Line, URL: checks.HelmRemoteChart.Source, Message: msg}
}

// remoteRelease fetches, renders and reports one remote release of f.
func (e *Engine) remoteRelease(ctx context.Context, f *scan.File, docs []*scan.Document, root string, r scan.Release) []checks.Finding {
	rc := *r.Fetch
	if rc.RefKind != "" {
		if why := e.chartRef(docs, root, &rc); why != "" {
			return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: the chartRef %s %s %s, so its chart was not downloaded or checked.", r.Label, rc.RefKind, rc.RefName, why))}
		}
	}
	if rc.Repo == "" && rc.RepoName != "" {
		repo, ok := e.helmRepository(docs, root, rc.RepoName, rc.RepoNamespace)
		if !ok {
			return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: the HelmRepository %s is not among the repository's files, so the chart %s %s was not downloaded or checked.", r.Label, rc.RepoName, rc.Chart, rc.Version))}
		}
		rc.Repo, rc.OCI = repo.URL, repo.OCI
	}
	src := chartfetch.Source{Repo: rc.Repo, OCI: rc.OCI, Chart: rc.Chart, Version: rc.Version, Digest: rc.Digest}
	from, why := e.valuesFrom(docs, root, &r) // gitops_values.go; before the download, which it would waste
	if why != "" {
		return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: %s: the values could not be resolved, so the remote %s was not checked.", r.Label, why, src))}
	}
	// Each request is bounded by the fetcher's timeout (a pull is a few),
	// and the whole download by the run's context (--timeout).
	dir, err := e.fetcher().Fetch(ctx, src)
	if err != nil {
		return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: the remote %s was not checked: %v", r.Label, src, err))}
	}
	opts := e.render.Chart
	opts.ValuesFiles = slices.Clip(opts.ValuesFiles)
	for _, vf := range r.ValuesFiles {
		var p string
		ok := false
		switch {
		case r.ValuesRelChart: // a file of the chart (Argo CD valueFiles, Flux valuesFiles)
			p, ok = insideAbs(dir, filepath.Join(dir, filepath.FromSlash(vf)))
		case r.Base == "file":
			p, ok = inside(root, filepath.Join(filepath.Dir(f.Path), filepath.FromSlash(vf)))
		default:
			p, ok = inside(root, filepath.Join(root, filepath.FromSlash(vf)))
		}
		if fi, err := os.Stat(p); !ok || err != nil || !fi.Mode().IsRegular() || fi.Size() > 5<<20 {
			return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: values file %s is not a regular file of the chart or the repository: the remote %s was not checked.", r.Label, vf, src))}
		}
		opts.ValuesFiles = append(opts.ValuesFiles, p)
	}
	opts.ValuesYAML = append(append(slices.Clip(opts.ValuesYAML), from...), r.ValuesYAML...)
	opts.Set = append(slices.Clip(opts.Set), r.Set...)
	if err := opts.Validate(); err != nil {
		return []checks.Finding{e.notChecked(r, checks.Warning, fmt.Sprintf("%s: %v: the remote %s was not checked.", r.Label, err, src))}
	}

	def, _, _ := e.renderChart(dir, e.render.Chart, false)
	common := map[string]bool{}
	for _, f := range def.findings {
		common[findingKey(f)] = true
	}
	rel, c, _ := e.renderChart(dir, opts, false)
	var gated []scan.GatedAPI
	if c != nil {
		gated = c.GatedAPIs()
	}
	label := fmt.Sprintf("%s (%s:%d)", r.Label, r.File, r.Pos.Line)
	var out []checks.Finding
	for _, fd := range rel.findings {
		fromValues := !common[findingKey(fd)]
		pos := rc.VersionPos
		if fromValues {
			pos = valuesLine(r, dir, fd, gated)
		}
		out = append(out, onGitOpsFile(fd, r, src, dir, pos, fromValues, label))
	}
	if rel.err != nil {
		out = append(out, e.notChecked(r, checks.Warning, fmt.Sprintf("%s: the remote %s was not checked: %s", r.Label, src, strings.ReplaceAll(rel.err.Message, dir, rc.Chart))))
	}
	return out
}

// onGitOpsFile moves a finding of the cached chart to pos in the GitOps
// file: the chart, template and line it came from go in the message and
// the origin; fixes (edits of the cache) are dropped.
func onGitOpsFile(fd checks.Finding, r scan.Release, src chartfetch.Source, dir string, pos scan.Pos, fromValues bool, label string) checks.Finding {
	where := src.String()
	tmpl := ""
	if fd.Rendered != nil {
		tmpl = fd.Rendered.Template
	}
	if rel, err := filepath.Rel(dir, fd.File); err == nil && filepath.IsLocal(rel) {
		where += fmt.Sprintf(", %s line %d", filepath.ToSlash(rel), fd.Line)
	}
	msg := strings.ReplaceAll(fd.Message, dir, src.Chart)
	msg += " In " + where + "."
	o := &scan.Origin{Chart: src.String(), Template: tmpl}
	if fromValues {
		o.Values = label
		msg += " Values: " + label + "."
	}
	fd.Message, fd.Rendered, fd.Fixes = msg, o, nil
	fd.File, fd.Line, fd.Column = r.File, pos.Line, pos.Col
	fd.DocStart, fd.DocEnd = pos.Line, pos.Line
	return fd
}

// valuesRef matches a .Values path in a template line or condition.
var valuesRef = regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`)

// valuesLine is the declared value that turns fd on: a .Values path its
// template line reads, or a condition of the if/with it sits in; else
// where the declared values start; else the version line.
func valuesLine(r scan.Release, dir string, fd checks.Finding, gated []scan.GatedAPI) scan.Pos {
	var refs []string
	for _, g := range gated {
		if g.File == fd.File && g.Pos.Line == fd.Line {
			refs = append(refs, g.Conditions...)
		}
	}
	if rel, err := filepath.Rel(dir, fd.File); err == nil && filepath.IsLocal(rel) {
		if data, err := os.ReadFile(fd.File); err == nil {
			lines := strings.Split(string(data), "\n")
			if fd.Line >= 1 && fd.Line <= len(lines) {
				refs = append([]string{lines[fd.Line-1]}, refs...)
			}
		}
	}
	var paths []string
	if rel, err := filepath.Rel(dir, fd.File); err == nil && filepath.IsLocal(rel) && !strings.HasPrefix(filepath.ToSlash(rel), "templates/") {
		// placed on a values file of the chart (its values.yaml): the key
		// on that line names the value
		if p := valuesKeyAt(fd.File, fd.Line); p != "" {
			paths = append(paths, p)
		}
	}
	for _, text := range refs {
		for _, m := range valuesRef.FindAllStringSubmatch(text, -1) {
			paths = append(paths, strings.TrimPrefix(m[1], "."))
		}
	}
	for _, path := range paths {
		for {
			if p, ok := r.ValuePos[path]; ok {
				return p
			}
			i := strings.LastIndexByte(path, '.')
			if i < 0 {
				break
			}
			path = path[:i]
		}
	}
	if r.ValuesPos.Line > 0 {
		return r.ValuesPos
	}
	return r.Fetch.VersionPos
}

// valuesKeyAt is the dotted path of the key on line of the YAML file p
// (a chart's values.yaml), or "".
func valuesKeyAt(p string, line int) string {
	data, err := os.ReadFile(p)
	if err != nil || len(data) > scan.MaxChartFileSize {
		return ""
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 {
		return ""
	}
	var walk func(n *yaml.Node, prefix string, depth int) string
	walk = func(n *yaml.Node, prefix string, depth int) string {
		if n == nil || n.Kind != yaml.MappingNode || depth > 32 {
			return ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			key := k.Value
			if prefix != "" {
				key = prefix + "." + key
			}
			if k.Line == line {
				return key
			}
			if r := walk(n.Content[i+1], key, depth+1); r != "" {
				return r
			}
		}
		return ""
	}
	return walk(doc.Content[0], "", 0)
}

// helmRepository finds a Flux HelmRepository by name: in the HelmRelease's
// own file, else among the repository's YAML files (read once per run).
func (e *Engine) helmRepository(docs []*scan.Document, root, name, ns string) (scan.HelmRepository, bool) {
	pick := func(repos []scan.HelmRepository) (scan.HelmRepository, bool) {
		var found []scan.HelmRepository
		for _, r := range repos {
			if r.Name == name {
				found = append(found, r)
			}
		}
		for _, r := range found {
			if r.Namespace == ns || r.Namespace == "" || ns == "" {
				return r, true
			}
		}
		return scan.HelmRepository{}, false
	}
	if r, ok := pick(scan.HelmRepositories(docs)); ok {
		return r, true
	}
	return pick(e.repoIndex(root).repos)
}

// repoIndex returns the index of root's YAML files, reading them the first
// time (with the walk's rules, scan.Discover, and the file size limit).
func (e *Engine) repoIndex(root string) *repoIndex {
	e.remote.mu.Lock()
	defer e.remote.mu.Unlock()
	if e.remote.index == nil {
		e.remote.index = map[string]*repoIndex{}
	}
	if idx, ok := e.remote.index[root]; ok {
		return idx
	}
	idx := &repoIndex{values: valuesIndex{}}
	for _, in := range scan.Discover([]string{root}).Inputs {
		if in.Kind != scan.InputFile {
			continue
		}
		f, err := e.readRepoFile(in.Path)
		if err != nil {
			continue
		}
		repos := strings.Contains(string(f.Data), "HelmRepository") || strings.Contains(string(f.Data), "OCIRepository") || strings.Contains(string(f.Data), "HelmChart")
		values := strings.Contains(string(f.Data), "ConfigMap") || strings.Contains(string(f.Data), "Secret")
		if !repos && !values {
			continue
		}
		docs, _ := scan.Parse(f)
		idx.repos = append(idx.repos, scan.HelmRepositories(docs)...)
		oci, charts := scan.FluxChartSources(docs)
		idx.oci, idx.charts = append(idx.oci, oci...), append(idx.charts, charts...)
		for _, d := range docs {
			if d.Sig.APIVersion == "v1" && (d.Sig.Kind == "ConfigMap" || d.Sig.Kind == "Secret") && d.Sig.Name != "" {
				k := d.Sig.Kind + "\x00" + d.Sig.Name
				if l := idx.values[k]; len(l) == 0 || l[len(l)-1] != in.Path {
					idx.values[k] = append(l, in.Path)
				}
			}
		}
	}
	e.remote.index[root] = idx
	return idx
}

// insideAbs is inside for a directory outside the repository (the chart
// cache): p must resolve inside dir; the path is returned as it is.
func insideAbs(dir, p string) (string, bool) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(d, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return p, true
}
