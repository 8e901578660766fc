package scan

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"
)

// ProblemKind names what went wrong while rendering. Each is the ID of the
// rule that reports it.
type ProblemKind string

// Problems rendering reports.
const (
	ProblemDependencyMissing ProblemKind = "helm-dependency-missing"
	ProblemRenderError       ProblemKind = "helm-render-error"
	ProblemBuildError        ProblemKind = "kustomize-build-error"
	ProblemRemoteResource    ProblemKind = "kustomize-remote-resource"
)

// Problem is something rendering found wrong with its input, placed at a
// file line.
type Problem struct {
	Kind    ProblemKind
	File    string
	Pos     Pos
	Message string
	Origin  *Origin
}

// ChartOptions say how charts are rendered, as `helm template` flags do.
type ChartOptions struct {
	// ValuesFiles are --helm-values files, later ones winning.
	ValuesFiles []string
	// Set are --helm-set key=value assignments, applied last.
	Set []string
	// ReleaseName defaults to the chart's name, Namespace to "default".
	ReleaseName, Namespace string
}

// Capabilities describe the cluster a chart is rendered for.
type Capabilities struct {
	// KubeVersion is the version, such as "1.25".
	KubeVersion string
	// APIVersions are the group/versions (and group/version/Kinds) served.
	APIVersions []string
}

// Chart is a Helm chart directory loaded for rendering.
type Chart struct {
	// Dir is the chart directory as the user gave it.
	Dir string
	// Name is the chart's name from Chart.yaml.
	Name string

	opts     ChartOptions
	user     map[string]any // values from --helm-values and --helm-set
	set      map[string]any // values from --helm-set alone
	usesCaps bool
	// sources maps each template file (shared by alias copies of a
	// subchart) to where it is on disk.
	sources map[*chart.File]fileSource
	// charts maps a loaded (sub)chart to its directory on disk, "" when it
	// came from a packaged .tgz.
	charts map[*chart.Metadata]chartSource

	valuesMu    sync.Mutex
	valuesFiles map[string]*valuesFile

	// loaded is the chart as LoadChart read it, used by the first Render
	// (rendering changes the chart, so later renders read it again).
	loaded *chart.Chart
}

// fileSource is where a template is on disk.
type fileSource struct {
	// path is the template file, or the .tgz that holds it.
	path      string
	inArchive bool
}

type chartSource struct {
	dir       string // "" inside an archive
	archive   string // the .tgz, when packaged
	inArchive bool
}

// ChartLoadError is returned by LoadChart when the chart itself does not
// load (a broken Chart.yaml, a corrupt package): a problem with the chart,
// reported as a finding, not a failure of the run.
type ChartLoadError struct {
	Problem Problem
}

func (e *ChartLoadError) Error() string { return e.Problem.File + ": " + e.Problem.Message }

// ErrLibraryChart is returned by LoadChart for a library chart, which has no
// objects of its own to render.
var ErrLibraryChart = errors.New("Helm library chart: renders no objects of its own")

// IsLibraryChart reports whether the chart in dir declares `type: library`.
func IsLibraryChart(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return false
	}
	var md struct {
		Type string `yaml:"type"`
	}
	_ = yaml.Unmarshal(data, &md)
	return strings.EqualFold(md.Type, "library")
}

// LoadChart reads the chart in dir (with the subcharts vendored under
// charts/) and the values the options name. It reads only local files.
func LoadChart(dir string, opts ChartOptions) (*Chart, error) {
	c := &Chart{Dir: dir, opts: opts, valuesFiles: map[string]*valuesFile{}}
	if link := linkOutside(dir); link != "" {
		return nil, &ChartLoadError{Problem{Kind: ProblemRenderError, File: filepath.Join(dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: "chart not rendered: the symbolic link " + link + " points out of the chart, and kubeready reads nothing outside the tree it scans",
			Origin:  &Origin{Chart: dir}}}
	}
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, &ChartLoadError{Problem{Kind: ProblemRenderError, File: filepath.Join(dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: "chart does not load: " + err.Error(), Origin: &Origin{Chart: dir}}}
	}
	if strings.EqualFold(ch.Metadata.Type, "library") {
		return nil, ErrLibraryChart
	}
	c.Name = ch.Name()
	c.sources = map[*chart.File]fileSource{}
	c.charts = map[*chart.Metadata]chartSource{}
	c.mapSources(ch, chartSource{dir: dir})
	c.usesCaps = usesCapabilities(ch)
	c.loaded = ch

	c.user, c.set, err = opts.values()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks that the --helm-set assignments parse, so that a typo
// stops the run up front. Values files are read when a chart is rendered
// (a run that renders no chart does not need them): a missing one then
// fails that chart.
func (o ChartOptions) Validate() error {
	for _, s := range o.Set {
		if err := strvals.ParseInto(s, map[string]any{}); err != nil {
			return fmt.Errorf("--helm-set %s: %w", s, err)
		}
	}
	return nil
}

// values reads the values files and applies the --helm-set assignments, as
// `helm template` does; set holds the --helm-set values alone.
func (o ChartOptions) values() (user, set map[string]any, err error) {
	user = map[string]any{}
	for _, vf := range o.ValuesFiles {
		data, err := os.ReadFile(vf)
		if err != nil {
			return nil, nil, fmt.Errorf("--helm-values %s: %w", vf, err)
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(data, &m); err != nil {
			return nil, nil, fmt.Errorf("--helm-values %s: %w", vf, err)
		}
		user = mergeMaps(user, m)
	}
	set = map[string]any{}
	for _, s := range o.Set {
		if err := strvals.ParseInto(s, user); err != nil {
			return nil, nil, fmt.Errorf("--helm-set %s: %w", s, err)
		}
		if err := strvals.ParseInto(s, set); err != nil {
			return nil, nil, fmt.Errorf("--helm-set %s: %w", s, err)
		}
	}
	return user, set, nil
}

// linkOutside returns the first symbolic link under dir that resolves to a
// place outside dir (Helm's loader follows links), or "".
func linkOutside(dir string) string {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	if root, err = filepath.Abs(root); err != nil {
		return ""
	}
	found := ""
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return nil
		}
		if e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err == nil {
			target, err = filepath.Abs(target)
		}
		rel, rerr := filepath.Rel(root, target)
		if err != nil || rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			found = p
		}
		return nil
	})
	return found
}

// mergeMaps merges b into a, recursively, b winning (as helm does for
// several --values files).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]any); ok {
			if av, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// mapSources records where each template of ch and its subcharts is on
// disk: in dir, or inside a packaged .tgz under a charts/ directory.
func (c *Chart) mapSources(ch *chart.Chart, src chartSource) {
	c.charts[ch.Metadata] = src
	for _, t := range ch.Templates {
		if src.inArchive {
			c.sources[t] = fileSource{path: src.archive, inArchive: true}
		} else {
			c.sources[t] = fileSource{path: filepath.Join(src.dir, filepath.FromSlash(t.Name))}
		}
	}
	var vendored map[string][]chartSource
	if !src.inArchive {
		vendored = vendoredCharts(filepath.Join(src.dir, "charts"))
	}
	for _, sub := range ch.Dependencies() {
		ss := chartSource{archive: src.archive, inArchive: true}
		if cands := vendored[sub.Name()]; len(cands) > 0 {
			ss = cands[0]
			vendored[sub.Name()] = cands[1:]
		}
		c.mapSources(sub, ss)
	}
}

// vendoredCharts lists the subcharts in a charts/ directory by chart name:
// directories (named in their Chart.yaml) and .tgz packages (named by their
// top directory).
func vendoredCharts(dir string) map[string][]chartSource {
	out := map[string][]chartSource{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case strings.IndexAny(e.Name(), "_.") == 0:
		case e.IsDir():
			data, err := os.ReadFile(filepath.Join(p, "Chart.yaml"))
			if err != nil {
				continue
			}
			var md struct {
				Name string `yaml:"name"`
			}
			if yaml.Unmarshal(data, &md) == nil && md.Name != "" {
				out[md.Name] = append(out[md.Name], chartSource{dir: p})
			}
		case strings.HasSuffix(e.Name(), ".tgz"):
			if name := archiveChartName(p); name != "" {
				out[name] = append(out[name], chartSource{archive: p, inArchive: true})
			}
		}
	}
	return out
}

// archiveChartName reads the name of the top directory of a chart package.
func archiveChartName(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return ""
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return ""
		}
		name := strings.TrimPrefix(path.Clean(filepath.ToSlash(h.Name)), "/")
		if i := strings.IndexByte(name, '/'); i > 0 {
			return name[:i]
		}
	}
}

// usesCapabilities reports whether any template of the chart or its
// subcharts reads .Capabilities.
func usesCapabilities(ch *chart.Chart) bool {
	for _, t := range ch.Templates {
		if bytes.Contains(t.Data, []byte(".Capabilities")) {
			return true
		}
	}
	for _, sub := range ch.Dependencies() {
		if usesCapabilities(sub) {
			return true
		}
	}
	return false
}

// UsesCapabilities reports whether any template of the chart reads
// .Capabilities, so that rendering it for another version may differ.
func (c *Chart) UsesCapabilities() bool { return c.usesCaps }

// ChartRender is what one rendering of a chart produced.
type ChartRender struct {
	// Files holds one entry per template with output, in name order.
	Files []*Rendered
	// Problems are missing dependencies and template errors.
	Problems []Problem
}

// RenderWithin is Render bounded in time. Helm's template engine takes no
// context, so a render past the deadline is abandoned (it ends with the
// process) and reported as one render error on Chart.yaml; ok is false then,
// and the Chart must not be used again.
func (c *Chart) RenderWithin(caps Capabilities, limit time.Duration) (r *ChartRender, ok bool) {
	if limit <= 0 {
		return c.Render(caps), true
	}
	done := make(chan *ChartRender, 1)
	go func() { done <- c.Render(caps) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r, true
	case <-timer.C:
		return &ChartRender{Problems: []Problem{{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1},
			Message: fmt.Sprintf("rendering timed out after %s (--helm-timeout): the chart was not checked", limit), Origin: &Origin{Chart: c.Dir}}}}, false
	}
}

// maxRenderRetries bounds how many failing templates are set aside to
// render the rest of a chart.
const maxRenderRetries = 10

// Render renders the chart as `helm template` would for a cluster with
// caps: no cluster access (lookup returns nothing), no DNS, no plugins or
// post-renderers, no values schema fetched. A template that fails is
// reported and set aside, and the rest of the chart is rendered. Render is
// not safe for concurrent use on one Chart.
func (c *Chart) Render(caps Capabilities) *ChartRender {
	res := &ChartRender{}
	origin := &Origin{Chart: c.Dir}
	chartFile := filepath.Join(c.Dir, "Chart.yaml")
	ch := c.loaded
	c.loaded = nil
	if ch == nil {
		var err error
		if ch, err = loader.LoadDir(c.Dir); err != nil {
			res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: "chart does not load: " + err.Error(), Origin: origin})
			return res
		}
		c.remap(ch)
	}
	vals := mergeMaps(map[string]any{}, c.user)
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: "chart dependencies: " + err.Error(), Origin: origin})
		return res
	}
	res.Problems = append(res.Problems, c.missingDependencies(ch, origin)...)

	kv, err := chartutil.ParseKubeVersion(caps.KubeVersion)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: err.Error(), Origin: origin})
		return res
	}
	hcaps := &chartutil.Capabilities{
		KubeVersion: *kv,
		APIVersions: chartutil.VersionSet(caps.APIVersions),
		HelmVersion: chartutil.DefaultCapabilities.HelmVersion,
	}
	name := c.opts.ReleaseName
	if name == "" {
		name = c.Name
	}
	ns := c.opts.Namespace
	if ns == "" {
		ns = "default"
	}
	rv, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals,
		chartutil.ReleaseOptions{Name: name, Namespace: ns, Revision: 1, IsInstall: true}, hcaps, true)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "values.yaml"), Pos: Pos{Line: 1, Col: 1}, Message: "values: " + err.Error(), Origin: origin})
		return res
	}

	templates := map[string]*chart.File{}
	tree := map[string]*chart.Chart{}
	collectTemplates(ch, templates, tree)

	var out map[string]string
	for attempt := 0; ; attempt++ {
		out, err = engine.Engine{}.Render(ch, rv)
		if err == nil {
			break
		}
		p, failed := c.renderProblem(err, templates, origin)
		res.Problems = append(res.Problems, p)
		if failed == "" || strings.HasPrefix(path.Base(failed), "_") || attempt >= maxRenderRetries {
			return res
		}
		if !dropTemplate(ch, templates[failed]) {
			return res
		}
		delete(templates, failed)
	}

	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		text := out[n]
		if strings.HasPrefix(path.Base(n), "_") || strings.HasSuffix(n, "NOTES.txt") || strings.TrimSpace(text) == "" {
			continue
		}
		t := templates[n]
		if t == nil {
			continue
		}
		src := c.sources[t]
		f := NewFile(src.path, []byte(text))
		f.Origin = &Origin{Chart: c.Dir, Template: n}
		scope, _ := valueAt(rv["Values"], subchartChain(tree[n]))
		loc := &helmLocator{chart: c, name: n, tmpl: t, src: src, out: f, chartPath: tree[n], vals: scope}
		res.Files = append(res.Files, newRendered(f, loc))
	}
	return res
}

// remap records the disk sources of a fresh load of the chart (each render
// loads the chart again, since processing dependencies changes it).
func (c *Chart) remap(ch *chart.Chart) {
	c.sources = map[*chart.File]fileSource{}
	c.charts = map[*chart.Metadata]chartSource{}
	c.mapSources(ch, chartSource{dir: c.Dir})
}

// collectTemplates lists every template of ch and its subcharts by the
// name Helm gives it (chart/templates/x.yaml, chart/charts/sub/templates/y.yaml),
// and the chain of subchart names each belongs to.
func collectTemplates(ch *chart.Chart, out map[string]*chart.File, tree map[string]*chart.Chart) {
	for _, t := range ch.Templates {
		n := path.Join(ch.ChartFullPath(), t.Name)
		out[n] = t
		tree[n] = ch
	}
	for _, sub := range ch.Dependencies() {
		collectTemplates(sub, out, tree)
	}
}

// dropTemplate removes template t from whichever chart of the tree holds it.
func dropTemplate(ch *chart.Chart, t *chart.File) bool {
	if t == nil {
		return false
	}
	for i, x := range ch.Templates {
		if x == t {
			ch.Templates = append(ch.Templates[:i:i], ch.Templates[i+1:]...)
			return true
		}
	}
	for _, sub := range ch.Dependencies() {
		if dropTemplate(sub, t) {
			return true
		}
	}
	return false
}

// missingDependencies reports each enabled dependency of ch (and of its
// vendored subcharts) that is not vendored.
func (c *Chart) missingDependencies(ch *chart.Chart, origin *Origin) []Problem {
	return c.missingDeps(ch, chartSource{dir: c.Dir}, origin)
}

// missingDeps is missingDependencies for a chart whose parent's source is
// parent. A chart that processing dependencies replaced (so it is not in
// c.charts) is located from its parent: charts/NAME on disk, else the
// parent's archive.
func (c *Chart) missingDeps(ch *chart.Chart, parent chartSource, origin *Origin) []Problem {
	var out []Problem
	have := map[string]bool{}
	for _, sub := range ch.Dependencies() {
		have[sub.Name()] = true
	}
	src, ok := c.charts[ch.Metadata]
	if !ok {
		src = parent
		if !parent.inArchive {
			if dir := filepath.Join(parent.dir, "charts", ch.Name()); fileExists(filepath.Join(dir, "Chart.yaml")) {
				src = chartSource{dir: dir}
			}
		}
	}
	for _, req := range ch.Metadata.Dependencies {
		if req == nil || have[req.Name] {
			continue
		}
		file, pos := dependencyPos(src, req.Name)
		what := req.Name
		if req.Version != "" {
			what += " " + req.Version
		}
		if req.Repository != "" {
			what += " from " + req.Repository
		}
		msg := fmt.Sprintf("chart dependency %s is not vendored under charts/ (run `helm dependency build`); "+
			"the chart was rendered without it, so the objects it deploys were not checked", what)
		if src.inArchive {
			msg += fmt.Sprintf(" (in the packaged subchart %s)", ch.ChartFullPath())
		}
		out = append(out, Problem{Kind: ProblemDependencyMissing, File: file, Pos: pos, Message: msg, Origin: origin})
	}
	for _, sub := range ch.Dependencies() {
		out = append(out, c.missingDeps(sub, src, origin)...)
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// dependencyPos finds the entry of dependency name (or alias) in a chart's
// Chart.yaml, or requirements.yaml for apiVersion v1 charts.
func dependencyPos(src chartSource, name string) (string, Pos) {
	if src.inArchive {
		return src.archive, Pos{Line: 1, Col: 1}
	}
	first := ""
	for _, f := range []string{"Chart.yaml", "requirements.yaml"} {
		p := filepath.Join(src.dir, f)
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if first == "" {
			first = p
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		deps := MapGet(doc.Content[0], "dependencies")
		if deps == nil || deps.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range deps.Content {
			alias := MapGet(it, "alias")
			k, n := MapEntry(it, "name")
			if (alias != nil && alias.Value == name) || (n != nil && n.Value == name && (alias == nil || alias.Value == "")) {
				if k != nil {
					return p, Pos{Line: k.Line, Col: k.Column}
				}
				return p, Pos{Line: it.Line, Col: it.Column}
			}
		}
	}
	if first == "" {
		first = filepath.Join(src.dir, "Chart.yaml")
	}
	return first, Pos{Line: 1, Col: 1}
}

// errLocation matches a template location in Helm's error messages:
// "name:line" or "name:line:col".
var errLocation = regexp.MustCompile(`([^\s():"]+):(\d+)(?::(\d+))?`)

// renderProblem turns a Helm engine error into a problem at the template
// line it names, and returns the name of the top-level template that
// failed ("" when unknown).
func (c *Chart) renderProblem(err error, templates map[string]*chart.File, origin *Origin) (Problem, string) {
	msg := err.Error()
	p := Problem{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1}, Origin: origin}
	failed := ""
	for _, m := range errLocation.FindAllStringSubmatchIndex(msg, -1) {
		name := msg[m[2]:m[3]]
		t, ok := templates[name]
		if !ok {
			continue
		}
		line, _ := strconv.Atoi(msg[m[4]:m[5]])
		col := 1
		if m[6] >= 0 {
			col, _ = strconv.Atoi(msg[m[6]:m[7]])
		}
		src := c.sources[t]
		p.File = src.path
		p.Pos = Pos{Line: line, Col: max(col, 1)}
		p.Origin = &Origin{Chart: c.Dir, Template: name}
		if src.inArchive {
			p.Pos = Pos{Line: 1, Col: 1}
			msg += fmt.Sprintf(" (in the packaged subchart: %s line %d)", name, line)
		}
		failed = name
		break
	}
	// The first location names the template being executed when the error
	// is in an include; prefer the top-level template named in `executing`.
	if i := strings.Index(msg, `executing "`); i >= 0 {
		rest := msg[i+len(`executing "`):]
		if j := strings.IndexByte(rest, '"'); j > 0 {
			if _, ok := templates[rest[:j]]; ok && !strings.HasPrefix(path.Base(rest[:j]), "_") {
				failed = rest[:j]
			}
		}
	}
	p.Message = "template does not render: " + msg
	return p, failed
}

// valuesSource is a values file in the order Helm applies them.
type valuesSource struct {
	path string
	// chain is the subchart path the file applies to ([] for the top chart).
	chain []string
}

// valuesLocation finds the values file line that set a value read by a
// template of chart ch at values path vp: --helm-values files (last first),
// then the values.yaml of each chart from the top down to ch. A value set
// by --helm-set has no file.
func (c *Chart) valuesLocation(ch *chart.Chart, vp []string) (valuesHit, bool) {
	chain := subchartChain(ch)
	full := append(append([]string{}, chain...), vp...)
	global := len(vp) > 0 && vp[0] == "global"
	if lookupMap(c.set, full) || (global && lookupMap(c.set, vp)) {
		return valuesHit{}, false
	}
	var sources []valuesSource
	for i := len(c.opts.ValuesFiles) - 1; i >= 0; i-- {
		sources = append(sources, valuesSource{path: c.opts.ValuesFiles[i], chain: []string{}})
	}
	var charts []*chart.Chart
	for cur := ch; cur != nil; cur = cur.Parent() {
		charts = append([]*chart.Chart{cur}, charts...)
	}
	for _, cur := range charts {
		src := c.charts[cur.Metadata]
		if src.inArchive || src.dir == "" {
			continue
		}
		sources = append(sources, valuesSource{path: filepath.Join(src.dir, "values.yaml"), chain: subchartChain(cur)})
	}
	for _, s := range sources {
		vf := c.valuesNode(s.path)
		root := vf.root
		if root == nil {
			continue
		}
		var keys []string
		switch {
		case global:
			keys = vp
		case len(s.chain) <= len(full) && hasPrefix(full, s.chain):
			keys = full[len(s.chain):]
		default:
			continue
		}
		if n := lookupPath(root, keys); n != nil {
			return valuesHit{loc: Location{File: s.path, Pos: Pos{Line: n.Line, Col: n.Column}}, value: valueOf(root, keys), file: vf.file}, true
		}
	}
	return valuesHit{}, false
}

// valuesHit is where a values path is set: the location of its key, its
// value node and the file.
type valuesHit struct {
	loc   Location
	value *yaml.Node
	file  *File
}

func hasPrefix(a, prefix []string) bool {
	if len(prefix) > len(a) {
		return false
	}
	for i := range prefix {
		if a[i] != prefix[i] {
			return false
		}
	}
	return true
}

// subchartChain is the list of subchart names (aliases) from the top chart
// down to ch, [] for the top chart.
func subchartChain(ch *chart.Chart) []string {
	var chain []string
	for cur := ch; cur != nil && cur.Parent() != nil; cur = cur.Parent() {
		chain = append([]string{cur.Name()}, chain...)
	}
	if chain == nil {
		chain = []string{}
	}
	return chain
}

// lookupMap reports whether a path is set in a values map.
func lookupMap(m map[string]any, keys []string) bool {
	var cur any = m
	for _, k := range keys {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[k]
			if !ok {
				return false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(v) {
				return false
			}
			cur = v[i]
		default:
			return false
		}
	}
	return len(keys) > 0
}

// valuesFile is a values file read for placing findings.
type valuesFile struct {
	file *File
	root *yaml.Node // nil when it does not parse
}

// valuesNode reads and parses a values file once.
func (c *Chart) valuesNode(p string) *valuesFile {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	if v, ok := c.valuesFiles[p]; ok {
		return v
	}
	v := &valuesFile{}
	if data, err := os.ReadFile(p); err == nil {
		v.file = NewFile(p, data)
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) > 0 {
			v.root = doc.Content[0]
		}
	}
	c.valuesFiles[p] = v
	return v
}

// helmLocator places positions of one rendered template.
type helmLocator struct {
	chart     *Chart
	name      string
	tmpl      *chart.File
	src       fileSource
	out       *File
	chartPath *chart.Chart
	vals      any // the values the template saw

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
	})
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
	values func([]string) (valuesHit, bool)) Location {
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
	bom := 0
	if bytes.HasPrefix(disk, []byte{0xEF, 0xBB, 0xBF}) {
		bom = 3
	}
	if !bytes.Equal(disk[bom:], tmpl) {
		return "", 0, 0, false
	}
	return file, s + bom, e + bom, true
}
