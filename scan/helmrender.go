package scan

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartdeps "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
)

// ChartRender is what one rendering of a chart produced.
type ChartRender struct {
	// Files holds one entry per template with output, in name order.
	Files []*Rendered
	// Problems are missing dependencies and template errors.
	Problems []Problem
}

// maxRenderRetries bounds how many failing templates are set aside to
// render the rest of a chart.
const maxRenderRetries = 10

// Render renders the chart as `helm template` would for a cluster with
// caps: no cluster access (lookup returns nothing), no DNS, no plugins or
// post-renderers, no values schema fetched. A template that fails is
// reported and set aside, and the rest of the chart is rendered. Render
// executes the templates in this process, with no budget; RenderWithin
// runs them in a child process with one. Render is not safe for concurrent
// use on one Chart.
func (c *Chart) Render(caps Capabilities) *ChartRender {
	res, _ := c.render(caps, func(p *prepared) (map[string]string, []Problem, bool) {
		out, problems := c.execute(p)
		return out, problems, true
	})
	return res
}

// prepared is a chart made ready to execute: dependencies processed, the
// values to render with, and every template by Helm's name.
type prepared struct {
	ch        *chart.Chart
	rv        common.Values
	templates map[string]*common.File
	tree      map[string]*chart.Chart
	origin    *Origin
}

// render prepares the chart, has exec run its templates, and reads what
// they wrote; ok is false when exec gave up (a budget), and then res holds
// only problems.
func (c *Chart) render(caps Capabilities, exec func(*prepared) (map[string]string, []Problem, bool)) (res *ChartRender, ok bool) {
	res = &ChartRender{}
	p := c.prepare(caps, res)
	if p == nil {
		return res, true
	}
	out, problems, ok := exec(p)
	res.Problems = append(res.Problems, problems...)
	if !ok {
		return res, false
	}
	c.readOutput(p, out, res)
	return res, true
}

// prepare loads the chart (again, after the first render), processes its
// dependencies and computes the values, as `helm template` does before it
// executes anything. Problems go to res; nil means nothing can render.
func (c *Chart) prepare(caps Capabilities, res *ChartRender) *prepared {
	origin := &Origin{Chart: c.Dir}
	chartFile := filepath.Join(c.Dir, "Chart.yaml")
	ch := c.loaded
	c.loaded = nil
	if ch == nil {
		var err error
		if ch, err = loadChartDir(c.Dir); err != nil {
			res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: "chart does not load: " + err.Error(), Origin: origin})
			return nil
		}
		c.remap(ch)
	}
	vals := mergeMaps(map[string]any{}, c.user)
	if err := chartdeps.ProcessDependencies(ch, vals); err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: "chart dependencies: " + err.Error(), Origin: origin})
		return nil
	}
	res.Problems = append(res.Problems, c.missingDependencies(ch, origin)...)
	if p, ok := c.kubeVersionProblem(ch, caps, origin); ok {
		res.Problems = append(res.Problems, p)
	}

	kv, err := common.ParseKubeVersion(caps.KubeVersion)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: chartFile, Pos: Pos{Line: 1, Col: 1}, Message: err.Error(), Origin: origin})
		return nil
	}
	hcaps := &common.Capabilities{
		KubeVersion: *kv,
		APIVersions: common.VersionSet(caps.APIVersions),
		HelmVersion: common.DefaultCapabilities.HelmVersion,
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
		common.ReleaseOptions{Name: name, Namespace: ns, Revision: 1, IsInstall: true}, hcaps, true)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "values.yaml"), Pos: Pos{Line: 1, Col: 1}, Message: "values: " + err.Error(), Origin: origin})
		return nil
	}
	p := &prepared{ch: ch, rv: rv, templates: map[string]*common.File{}, tree: map[string]*chart.Chart{}, origin: origin}
	collectTemplates(ch, p.templates, p.tree)
	return p
}

// execute runs the chart's templates in this process. A template that
// fails is reported and set aside, and the rest are run again.
func (c *Chart) execute(p *prepared) (map[string]string, []Problem) {
	var problems []Problem
	definedBy := map[string]string{} // define → the set-aside template that held it
	for attempt := 0; ; attempt++ {
		out, err := engine.Engine{}.Render(p.ch, p.rv)
		if err == nil {
			return out, problems
		}
		prob, failed, line := c.renderProblem(err, p.templates, p.origin)
		if m := noTemplate.FindStringSubmatch(prob.Message); m != nil && definedBy[m[1]] != "" {
			// Only a consequence of an error already reported.
			prob.Message += fmt.Sprintf(" (a consequence of the error reported in %s, which defines %q and was set aside)", definedBy[m[1]], m[1])
		}
		if attempt >= maxRenderRetries || failed == "" {
			return nil, append(problems, prob)
		}
		set := []string{failed}
		if strings.HasPrefix(path.Base(failed), "_") {
			// A helper failed: set aside the templates that call it.
			set = callersOf(p.templates, failed, line)
			if len(set) == 0 {
				return nil, append(problems, prob)
			}
			prob.Message += " (called from " + strings.Join(set, ", ") + ", set aside; the rest of the chart is checked)"
		}
		problems = append(problems, prob)
		for _, name := range set {
			t := p.templates[name]
			if !dropTemplate(p.ch, t) {
				return nil, problems
			}
			for _, d := range definesIn(name, t.Data) {
				definedBy[d] = name
			}
			delete(p.templates, name)
		}
	}
}

// noTemplate is Go's error for a call of a template nobody defines.
var noTemplate = regexp.MustCompile(`no template "([^"]+)" associated with template`)

// definesIn lists the names a template file defines.
func definesIn(name string, src []byte) []string {
	pt := parse.New(name)
	pt.Mode = parse.SkipFuncCheck
	set := map[string]*parse.Tree{}
	if _, err := pt.Parse(string(src), "", "", set); err != nil {
		return nil
	}
	var out []string
	for n := range set {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}

// readOutput turns what the templates wrote into rendered files, each with
// the locator that traces its lines back to the template.
func (c *Chart) readOutput(p *prepared, out map[string]string, res *ChartRender) {
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	res.Files = append(res.Files, c.archivedCRDs(p.ch, chartSource{dir: c.Dir})...)
	defines := newDefineIndex(c.sources)
	for _, n := range names {
		text := out[n]
		if strings.HasPrefix(path.Base(n), "_") || strings.HasSuffix(n, "NOTES.txt") || strings.TrimSpace(text) == "" {
			continue
		}
		t := p.templates[n]
		if t == nil {
			continue
		}
		src := c.sources[t]
		f := NewFile(src.path, []byte(text))
		f.Origin = &Origin{Chart: c.Dir, Template: n}
		scope, _ := valueAt(p.rv["Values"], subchartChain(p.tree[n]))
		loc := &helmLocator{chart: c, name: n, tmpl: t, src: src, out: f, chartPath: p.tree[n], vals: scope, defines: defines}
		res.Files = append(res.Files, newRendered(f, loc))
	}
}

// collectTemplates lists every template of ch and its subcharts by the
// name Helm gives it (chart/templates/x.yaml, chart/charts/sub/templates/y.yaml),
// and the chain of subchart names each belongs to.
func collectTemplates(ch *chart.Chart, out map[string]*common.File, tree map[string]*chart.Chart) {
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
func dropTemplate(ch *chart.Chart, t *common.File) bool {
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

// errLocation matches a template location in Helm's error messages:
// "name:line" or "name:line:col".
var errLocation = regexp.MustCompile(`([^\s():"]+):(\d+)(?::(\d+))?`)

// renderProblem turns a Helm engine error into a problem at the template
// line it names, and returns the name of the top-level template that
// failed ("" when unknown).
func (c *Chart) renderProblem(err error, templates map[string]*common.File, origin *Origin) (p Problem, failed string, failedLine int) {
	msg := err.Error()
	p = Problem{Kind: ProblemRenderError, File: filepath.Join(c.Dir, "Chart.yaml"), Pos: Pos{Line: 1, Col: 1}, Origin: origin}
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
		failed, failedLine = name, line
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
	return p, failed, failedLine
}

// kubeVersionProblem reports a chart whose kubeVersion constraint excludes
// the version it is rendered for: `helm install` and `helm upgrade` refuse
// it there ("chart requires kubeVersion ... which is incompatible"), as
// Helm checks the top chart's constraint against the cluster's version. The
// chart is still rendered and checked.
func (c *Chart) kubeVersionProblem(ch *chart.Chart, caps Capabilities, origin *Origin) (Problem, bool) {
	constraint := strings.TrimSpace(ch.Metadata.KubeVersion)
	if constraint == "" {
		return Problem{}, false
	}
	kv, err := common.ParseKubeVersion(caps.KubeVersion)
	if err != nil || chartdeps.IsCompatibleRange(constraint, kv.String()) {
		return Problem{}, false
	}
	file := filepath.Join(c.Dir, "Chart.yaml")
	pos := Pos{Line: 1, Col: 1}
	if data, err := readRegular(file, MaxChartFileSize); err == nil {
		if k, _ := MapEntry(rootNode(data), "kubeVersion"); k != nil {
			pos = Pos{Line: k.Line, Col: k.Column}
		}
	}
	return Problem{Kind: ProblemRenderError, File: file, Pos: pos, Origin: origin,
		Message: fmt.Sprintf("the chart requires kubeVersion %q, which Kubernetes %s does not satisfy: helm install and helm upgrade refuse the chart there. "+
			"Use a chart version made for %s, or widen the constraint once the chart works there (the templates were still rendered and checked)", constraint, caps.KubeVersion, caps.KubeVersion)}, true
}
