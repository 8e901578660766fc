package scan

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

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
		if d, ok := c.depDirs[sub]; ok {
			ss = chartSource{dir: d}
		} else if cands := vendored[sub.Name()]; len(cands) > 0 {
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

// remap records the disk sources of a fresh load of the chart (each render
// loads the chart again, since processing dependencies changes it).
func (c *Chart) remap(ch *chart.Chart) {
	c.addFileDependencies(ch, c.Dir)
	c.sources = map[*common.File]fileSource{}
	c.charts = map[*chart.Metadata]chartSource{}
	c.mapSources(ch, chartSource{dir: c.Dir})
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
		if strings.HasPrefix(req.Repository, "file://") {
			msg = fmt.Sprintf("chart dependency %s is not a chart inside the repository (kubeready reads nothing outside it); "+
				"the chart was rendered without it, so the objects it deploys were not checked", what)
		}
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
		root := rootNode(data)
		if root == nil {
			continue
		}
		deps := MapGet(root, "dependencies")
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
