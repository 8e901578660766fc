package scan

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Release is a Helm release a GitOps file declares: an Argo CD Application
// (or an ApplicationSet's template) source, a Flux HelmRelease, or a
// helmfile.yaml release.
type Release struct {
	// File and Pos are where it is declared: the chart (or path) line.
	File string
	Pos  Pos
	// Label names it in messages: "Argo CD Application web".
	Label string
	// Chart is the local chart directory, slash-separated, relative to
	// Base; empty for a remote chart.
	Chart string
	// Base says what Chart and ValuesFiles are relative to: "repo" (the
	// repository root: Argo CD paths, Flux GitRepository paths) or "file"
	// (the declaring file's directory: helmfile).
	Base string
	// Remote describes a remote chart ("chart web 1.2.3 from
	// https://charts.example.com"); empty for a local one.
	Remote string
	// ValuesFiles (relative to the chart for Argo CD, to Base otherwise),
	// ValuesYAML (inline values, in order) and Set (key=value) are the
	// declared values, applied in that order.
	ValuesFiles []string
	// ValuesRelChart is set when ValuesFiles are relative to the chart
	// directory (Argo CD's valueFiles).
	ValuesRelChart bool
	ValuesYAML     []string
	Set            []string
}

// IsHelmfile reports whether path names a helmfile (helmfile.yaml,
// helmfile.yml, or a file in helmfile.d/).
func IsHelmfile(p string) bool {
	base := path.Base(filepath.ToSlash(p))
	return base == "helmfile.yaml" || base == "helmfile.yml" ||
		path.Base(path.Dir(filepath.ToSlash(p))) == "helmfile.d" && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"))
}

// MayDeclareReleases is a cheap test before GitOpsReleases parses a file.
func MayDeclareReleases(f *File) bool {
	return IsHelmfile(f.Path) || bytes.Contains(f.Data, []byte("argoproj.io")) || bytes.Contains(f.Data, []byte("helm.toolkit.fluxcd.io"))
}

// GitOpsReleases lists the Helm releases file f declares, in file order.
// docs are f's documents (nil for a helmfile, which is not an object).
func GitOpsReleases(f *File, docs []*Document) []Release {
	if IsHelmfile(f.Path) {
		return helmfileReleases(f)
	}
	var out []Release
	for _, d := range docs {
		group, _, _ := strings.Cut(d.Sig.APIVersion, "/")
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		switch {
		case group == "argoproj.io" && d.Sig.Kind == "Application":
			out = append(out, argoReleases(f, "Argo CD Application "+d.Sig.Name, MapGet(root, "spec"))...)
		case group == "argoproj.io" && d.Sig.Kind == "ApplicationSet":
			out = append(out, argoReleases(f, "Argo CD ApplicationSet "+d.Sig.Name, MapPath(root, "spec", "template", "spec"))...)
		case group == "helm.toolkit.fluxcd.io" && d.Sig.Kind == "HelmRelease":
			if r, ok := fluxRelease(f, d, root); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

func argoReleases(f *File, label string, spec *yaml.Node) []Release {
	sources := Items(MapGet(spec, "sources"))
	if s := MapGet(spec, "source"); s != nil {
		sources = append([]*yaml.Node{s}, sources...)
	}
	var out []Release
	for _, s := range sources {
		h := MapGet(s, "helm")
		chart, p := MapGet(s, "chart"), MapGet(s, "path")
		r := Release{File: f.Path, Label: label, Base: "repo", ValuesRelChart: true}
		switch {
		case StringValue(chart) != "":
			r.Pos = PosOf(Deref(chart))
			r.Remote = fmt.Sprintf("chart %s %s from %s", StringValue(chart), ScalarValue(MapGet(s, "targetRevision")), StringValue(MapGet(s, "repoURL")))
		case StringValue(p) != "": // a chart when the directory holds a Chart.yaml (the engine looks)
			r.Pos = PosOf(Deref(p))
			r.Chart = path.Clean(StringValue(p))
		default:
			continue
		}
		for _, v := range Items(MapGet(h, "valueFiles")) {
			if s := StringValue(v); s != "" {
				r.ValuesFiles = append(r.ValuesFiles, s)
			}
		}
		if v := StringValue(MapGet(h, "values")); v != "" {
			r.ValuesYAML = append(r.ValuesYAML, v)
		}
		if v := MappingOrNil(Deref(MapGet(h, "valuesObject"))); v != nil {
			r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
		}
		for _, p := range Items(MapGet(h, "parameters")) {
			if n := StringValue(MapGet(p, "name")); n != "" {
				r.Set = append(r.Set, n+"="+ScalarValue(MapGet(p, "value")))
			}
		}
		out = append(out, r)
	}
	return out
}

func fluxRelease(f *File, d *Document, root *yaml.Node) (Release, bool) {
	spec := MapGet(root, "spec")
	r := Release{File: f.Path, Label: "Flux HelmRelease " + d.Sig.Name, Base: "repo"}
	cs := MapPath(spec, "chart", "spec")
	chart := MapGet(cs, "chart")
	switch kind := StringValue(MapPath(cs, "sourceRef", "kind")); {
	case chart != nil && (kind == "GitRepository" || kind == "Bucket"):
		r.Pos = PosOf(Deref(chart))
		r.Chart = path.Clean(StringValue(chart))
		for _, v := range Items(MapGet(cs, "valuesFiles")) {
			if s := StringValue(v); s != "" {
				r.ValuesFiles = append(r.ValuesFiles, s)
			}
		}
	case chart != nil:
		r.Pos = PosOf(Deref(chart))
		r.Remote = fmt.Sprintf("chart %s %s from %s %s", StringValue(chart), ScalarValue(MapGet(cs, "version")), kind, StringValue(MapPath(cs, "sourceRef", "name")))
	case MapGet(spec, "chartRef") != nil:
		ref := MapGet(spec, "chartRef")
		r.Pos = PosOf(ref)
		r.Remote = fmt.Sprintf("chart from %s %s", StringValue(MapGet(ref, "kind")), StringValue(MapGet(ref, "name")))
	default:
		return r, false
	}
	if v := MappingOrNil(Deref(MapGet(spec, "values"))); v != nil {
		r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
	}
	return r, true
}

func helmfileReleases(f *File) []Release {
	var doc yaml.Node
	// A helmfile is often a Go template itself ({{ .Environment }}); one
	// that is not plain YAML is not read.
	if yaml.Unmarshal(f.Text(), &doc) != nil {
		return nil
	}
	root := Deref(&doc)
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	var out []Release
	for _, rel := range Items(MapGet(root, "releases")) {
		chart := MapGet(rel, "chart")
		c := StringValue(chart)
		if c == "" {
			continue
		}
		r := Release{File: f.Path, Pos: PosOf(Deref(chart)), Label: "helmfile release " + StringValue(MapGet(rel, "name")), Base: "file"}
		if strings.HasPrefix(c, "./") || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "/") {
			r.Chart = path.Clean(c)
		} else {
			r.Remote = fmt.Sprintf("chart %s %s", c, ScalarValue(MapGet(rel, "version")))
		}
		for _, v := range Items(MapGet(rel, "values")) {
			switch v = Deref(v); {
			case v.Kind == yaml.MappingNode:
				r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
			case StringValue(v) != "" && !strings.HasSuffix(StringValue(v), ".gotmpl"):
				r.ValuesFiles = append(r.ValuesFiles, StringValue(v))
			}
		}
		for _, s := range Items(MapGet(rel, "set")) {
			if n := StringValue(MapGet(s, "name")); n != "" {
				r.Set = append(r.Set, n+"="+ScalarValue(MapGet(s, "value")))
			}
		}
		out = append(out, r)
	}
	// Line numbers: yaml.Unmarshal of f.Text() counts from the text's
	// first line, which is the file's (a BOM is not a line).
	return out
}

// nodeYAML writes a mapping node back as YAML text (inline values).
func nodeYAML(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		return ""
	}
	return string(b)
}
