package scan

import (
	"bytes"
	"encoding/base64"
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
	// Fetch describes a remote chart for --fetch-charts; nil for a local
	// one (and for remote ones kubeready cannot name: a Flux chartRef).
	Fetch *RemoteChart
	// ValuePos gives, for each declared inline value (dotted path:
	// "ingress.enabled", "enableEndpointSlices"), its position in the file
	// (the value's scalar, or the key of a mapping); ValuesPos is where the
	// declared values start (zero when there are none).
	ValuePos  map[string]Pos
	ValuesPos Pos
	// ValuesFrom are a Flux HelmRelease's valuesFrom references, in order;
	// the engine resolves them among the repository's ConfigMaps and
	// Secrets and applies them after ValuesFiles and before ValuesYAML
	// (spec.values), as Flux merges them. Namespace is the HelmRelease's
	// (where Flux looks the objects up).
	ValuesFrom []ValuesRef
	Namespace  string
}

// ValuesRef is one entry of a Flux HelmRelease's spec.valuesFrom.
type ValuesRef struct {
	// Kind is ConfigMap or Secret; Name the object's name.
	Kind, Name string
	// ValuesKey is the data key holding the values ("values.yaml" when
	// not given); TargetPath, when set, is the dotted path the key's
	// content is set at (a single value), instead of merging it at the
	// root.
	ValuesKey, TargetPath string
	// Optional: a missing object or key is passed over, as Flux does.
	Optional bool
	// Pos is the entry's line.
	Pos Pos
}

// ValuesSource is a ConfigMap or Secret a valuesFrom entry can name, with
// its data decoded (a Secret's data is base64; stringData wins over data,
// as the API server merges them).
type ValuesSource struct {
	Kind, Name, Namespace string
	Data                  map[string]string
	// Encrypted: the object carries SOPS metadata, so its data is
	// ciphertext kubeready cannot read.
	Encrypted bool
	// Bad names a data key whose base64 does not decode.
	Bad string
}

// ValuesSources lists the ConfigMaps and Secrets among docs.
func ValuesSources(docs []*Document) []ValuesSource {
	var out []ValuesSource
	for _, d := range docs {
		if d.Sig.APIVersion != "v1" || d.Sig.Kind != "ConfigMap" && d.Sig.Kind != "Secret" || d.Sig.Name == "" {
			continue
		}
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		vs := ValuesSource{Kind: d.Sig.Kind, Name: d.Sig.Name, Namespace: d.Sig.Namespace, Data: map[string]string{},
			Encrypted: MapGet(root, "sops") != nil}
		each := func(n *yaml.Node, decode bool) {
			n = Deref(n)
			if n == nil || n.Kind != yaml.MappingNode {
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, ScalarValue(n.Content[i+1])
				if decode {
					b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
					if err != nil {
						if vs.Bad == "" {
							vs.Bad = k
						}
						continue
					}
					v = string(b)
				}
				vs.Data[k] = v
			}
		}
		each(MapGet(root, "data"), d.Sig.Kind == "Secret")
		if d.Sig.Kind == "Secret" {
			each(MapGet(root, "stringData"), false)
		}
		out = append(out, vs)
	}
	return out
}

// RemoteChart is a chart in an HTTP chart repository or an OCI registry,
// as a GitOps file names it.
type RemoteChart struct {
	// Repo is the repository URL (https://…, oci://…, or an OCI host/path
	// when OCI is set); empty for a Flux HelmRelease until its
	// HelmRepository (RepoName in RepoNamespace) is found.
	Repo string
	OCI  bool
	// RepoName and RepoNamespace name a Flux HelmRepository.
	RepoName, RepoNamespace string
	Chart, Version          string
	// Digest is an OCI manifest digest the source pins (sha256:…).
	Digest string
	// VersionPos is the version line (targetRevision, version); the chart
	// line when there is none.
	VersionPos Pos
	// RefKind (OCIRepository or HelmChart), RefName and RefNamespace are a
	// Flux HelmRelease's spec.chartRef: the engine finds that object among
	// the repository's files and fills Repo, Chart, Version and Digest.
	RefKind, RefName, RefNamespace string
}

// OCIRepository is a Flux OCIRepository: an OCI artifact (here a chart) at
// spec.url, pinned by spec.ref (tag, digest; a semver range is no pin).
type OCIRepository struct {
	Name, Namespace, URL string
	Tag, Digest, SemVer  string
}

// HelmChartSource is a Flux HelmChart: a chart and version from a
// HelmRepository (sourceRef).
type HelmChartSource struct {
	Name, Namespace    string
	Chart, Version     string
	RepoKind, RepoName string
}

// FluxChartSources lists the Flux OCIRepositories and HelmCharts among
// docs (what a HelmRelease's chartRef names).
func FluxChartSources(docs []*Document) (oci []OCIRepository, charts []HelmChartSource) {
	for _, d := range docs {
		group, _, _ := strings.Cut(d.Sig.APIVersion, "/")
		if group != "source.toolkit.fluxcd.io" || d.Sig.Kind != "OCIRepository" && d.Sig.Kind != "HelmChart" {
			continue
		}
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		spec := MapGet(root, "spec")
		if d.Sig.Kind == "OCIRepository" {
			ref := MapGet(spec, "ref")
			oci = append(oci, OCIRepository{Name: d.Sig.Name, Namespace: d.Sig.Namespace, URL: StringValue(MapGet(spec, "url")),
				Tag: ScalarValue(MapGet(ref, "tag")), Digest: StringValue(MapGet(ref, "digest")), SemVer: StringValue(MapGet(ref, "semver"))})
			continue
		}
		charts = append(charts, HelmChartSource{Name: d.Sig.Name, Namespace: d.Sig.Namespace, Chart: StringValue(MapGet(spec, "chart")),
			Version: ScalarValue(MapGet(spec, "version")), RepoKind: StringValue(MapPath(spec, "sourceRef", "kind")), RepoName: StringValue(MapPath(spec, "sourceRef", "name"))})
	}
	return oci, charts
}

// SplitDigest splits an OCI chart reference's version as GitOps files pin
// it: "1.2.3@sha256:…" (helmfile), "sha256:…" (an Argo CD targetRevision
// that is a digest) or "1.2.3" (no digest).
func SplitDigest(v string) (version, digest string) {
	if strings.HasPrefix(v, "sha256:") {
		return "", v
	}
	if i := strings.Index(v, "@sha256:"); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, ""
}

// HelmRepository is a Flux HelmRepository: where a HelmRelease's chart
// comes from.
type HelmRepository struct {
	Name, Namespace, URL string
	OCI                  bool
}

// HelmRepositories lists the Flux HelmRepositories among docs.
func HelmRepositories(docs []*Document) []HelmRepository {
	var out []HelmRepository
	for _, d := range docs {
		group, _, _ := strings.Cut(d.Sig.APIVersion, "/")
		if group != "source.toolkit.fluxcd.io" || d.Sig.Kind != "HelmRepository" {
			continue
		}
		root, err := d.Node()
		if err != nil || root == nil {
			continue
		}
		u := StringValue(MapPath(root, "spec", "url"))
		if u == "" {
			continue
		}
		out = append(out, HelmRepository{Name: d.Sig.Name, Namespace: d.Sig.Namespace, URL: u,
			OCI: StringValue(MapPath(root, "spec", "type")) == "oci" || strings.HasPrefix(u, "oci://")})
	}
	return out
}

// addValuePos records the positions of the values under n (a mapping),
// shifted by shift (nil: none).
func (r *Release) addValuePos(n *yaml.Node, prefix string, shift func(Pos) Pos) {
	n = Deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	if r.ValuePos == nil {
		r.ValuePos = map[string]Pos{}
	}
	at := func(x *yaml.Node) Pos {
		p := PosOf(x)
		if shift != nil {
			p = shift(p)
		}
		return p
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], Deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || v == nil {
			continue
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		if _, ok := r.ValuePos[key]; ok {
			continue // an earlier source of values; a later one wins in Helm, but either line turns it on
		}
		if v.Kind == yaml.MappingNode {
			r.ValuePos[key] = at(k)
			r.addValuePos(v, key, shift)
			continue
		}
		r.ValuePos[key] = at(v)
	}
}

// valuesStart notes where the declared values start.
func (r *Release) valuesStart(p Pos) {
	if r.ValuesPos.Line == 0 || p.Line < r.ValuesPos.Line {
		r.ValuesPos = p
	}
}

// addSetPos records a key=value parameter's position.
func (r *Release) addSetPos(name string, p Pos) {
	if r.ValuePos == nil {
		r.ValuePos = map[string]Pos{}
	}
	if _, ok := r.ValuePos[name]; !ok {
		r.ValuePos[name] = p
	}
	r.valuesStart(p)
}

// blockShift maps positions in the YAML text of a block scalar (Argo CD's
// helm.values: |) to the file: its content starts on the line after the
// key, indented as its first non-blank line. Other styles give nil (the
// value's own line is used).
func blockShift(f *File, v *yaml.Node) func(Pos) Pos {
	if v.Style != yaml.LiteralStyle && v.Style != yaml.FoldedStyle {
		return nil
	}
	indent := 0
	for l := v.Line + 1; l < v.Line+1000; l++ {
		line := f.Line(l)
		if line == nil {
			break
		}
		if t := bytes.TrimLeft(line, " "); len(bytes.TrimSpace(t)) > 0 {
			indent = len(line) - len(t)
			break
		}
	}
	return func(p Pos) Pos { return Pos{Line: v.Line + p.Line, Col: indent + p.Col} }
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
		// Only the documents that declare releases are parsed (a CRD of
		// argoproj.io is most of its file).
		node := func() *yaml.Node {
			root, err := d.Node()
			if err != nil {
				return nil
			}
			return root
		}
		switch {
		case group == "argoproj.io" && d.Sig.Kind == "Application":
			if root := node(); root != nil {
				out = append(out, argoReleases(f, "Argo CD Application "+d.Sig.Name, MapGet(root, "spec"))...)
			}
		case group == "argoproj.io" && d.Sig.Kind == "ApplicationSet":
			if root := node(); root != nil {
				out = append(out, argoReleases(f, "Argo CD ApplicationSet "+d.Sig.Name, MapPath(root, "spec", "template", "spec"))...)
			}
		case group == "helm.toolkit.fluxcd.io" && d.Sig.Kind == "HelmRelease":
			if root := node(); root != nil {
				if r, ok := fluxRelease(f, d, root); ok {
					out = append(out, r)
				}
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
			repo := StringValue(MapGet(s, "repoURL"))
			rc := &RemoteChart{Repo: repo, Chart: StringValue(chart), Version: ScalarValue(MapGet(s, "targetRevision")), VersionPos: r.Pos,
				// Argo CD reads a repoURL without a scheme as an OCI registry.
				OCI: strings.HasPrefix(repo, "oci://") || !strings.Contains(repo, "://")}
			if v := MapGet(s, "targetRevision"); v != nil {
				rc.VersionPos = PosOf(Deref(v))
			}
			if rc.OCI {
				rc.Version, rc.Digest = SplitDigest(rc.Version)
			}
			r.Fetch = rc
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
			vn := Deref(MapGet(h, "values"))
			r.valuesStart(PosOf(vn))
			var doc yaml.Node
			if yaml.Unmarshal([]byte(v), &doc) == nil && len(doc.Content) == 1 {
				r.addValuePos(doc.Content[0], "", blockShift(f, vn))
			}
		}
		if v := MappingOrNil(Deref(MapGet(h, "valuesObject"))); v != nil {
			r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
			r.valuesStart(PosOf(v))
			r.addValuePos(v, "", nil)
		}
		for _, p := range Items(MapGet(h, "parameters")) {
			if n := StringValue(MapGet(p, "name")); n != "" {
				r.Set = append(r.Set, n+"="+ScalarValue(MapGet(p, "value")))
				if v := MapGet(p, "value"); v != nil {
					r.addSetPos(n, PosOf(Deref(v)))
				}
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
		if kind == "HelmRepository" {
			ns := StringValue(MapPath(cs, "sourceRef", "namespace"))
			if ns == "" {
				ns = d.Sig.Namespace
			}
			rc := &RemoteChart{RepoName: StringValue(MapPath(cs, "sourceRef", "name")), RepoNamespace: ns,
				Chart: StringValue(chart), Version: ScalarValue(MapGet(cs, "version")), VersionPos: r.Pos}
			if v := MapGet(cs, "version"); v != nil {
				rc.VersionPos = PosOf(Deref(v))
			}
			r.Fetch = rc
		}
	case MapGet(spec, "chartRef") != nil:
		ref := MapGet(spec, "chartRef")
		r.Pos = PosOf(ref)
		r.Remote = fmt.Sprintf("chart from %s %s", StringValue(MapGet(ref, "kind")), StringValue(MapGet(ref, "name")))
		if k := StringValue(MapGet(ref, "kind")); (k == "OCIRepository" || k == "HelmChart") && StringValue(MapGet(ref, "name")) != "" {
			ns := StringValue(MapGet(ref, "namespace"))
			if ns == "" {
				ns = d.Sig.Namespace
			}
			r.Fetch = &RemoteChart{RefKind: k, RefName: StringValue(MapGet(ref, "name")), RefNamespace: ns, VersionPos: r.Pos}
		}
	default:
		return r, false
	}
	if v := MappingOrNil(Deref(MapGet(spec, "values"))); v != nil {
		r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
		r.valuesStart(PosOf(v))
		r.addValuePos(v, "", nil)
	}
	r.Namespace = d.Sig.Namespace
	for _, it := range Items(MapGet(spec, "valuesFrom")) {
		ref := ValuesRef{Kind: StringValue(MapGet(it, "kind")), Name: StringValue(MapGet(it, "name")),
			ValuesKey: StringValue(MapGet(it, "valuesKey")), TargetPath: StringValue(MapGet(it, "targetPath")),
			Optional: ScalarValue(MapGet(it, "optional")) == "true", Pos: PosOf(Deref(it))}
		if n := MapGet(it, "name"); n != nil {
			ref.Pos = PosOf(Deref(n))
		}
		if ref.ValuesKey == "" {
			ref.ValuesKey = "values.yaml"
		}
		r.ValuesFrom = append(r.ValuesFrom, ref)
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
	type hrepo struct {
		url string
		oci bool
	}
	repos := map[string]hrepo{}
	for _, rp := range Items(MapGet(root, "repositories")) {
		if n := StringValue(MapGet(rp, "name")); n != "" {
			repos[n] = hrepo{StringValue(MapGet(rp, "url")), ScalarValue(MapGet(rp, "oci")) == "true"}
		}
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
			rc := &RemoteChart{Version: ScalarValue(MapGet(rel, "version")), VersionPos: r.Pos}
			if v := MapGet(rel, "version"); v != nil {
				rc.VersionPos = PosOf(Deref(v))
			}
			if rest, ok := strings.CutPrefix(c, "oci://"); ok {
				if i := strings.LastIndexByte(rest, '/'); i > 0 {
					rc.Repo, rc.OCI, rc.Chart = "oci://"+rest[:i], true, rest[i+1:]
				}
			} else if name, chartName, ok := strings.Cut(c, "/"); ok {
				if rp, ok := repos[name]; ok && rp.url != "" {
					rc.Repo, rc.OCI, rc.Chart = rp.url, rp.oci || strings.HasPrefix(rp.url, "oci://"), chartName
				}
			}
			if rc.OCI {
				rc.Version, rc.Digest = SplitDigest(rc.Version)
			}
			if rc.Chart != "" {
				r.Fetch = rc
			}
		}
		for _, v := range Items(MapGet(rel, "values")) {
			switch v = Deref(v); {
			case v.Kind == yaml.MappingNode:
				r.ValuesYAML = append(r.ValuesYAML, nodeYAML(v))
				r.valuesStart(PosOf(v))
				r.addValuePos(v, "", nil)
			case StringValue(v) != "" && !strings.HasSuffix(StringValue(v), ".gotmpl"):
				r.ValuesFiles = append(r.ValuesFiles, StringValue(v))
			}
		}
		for _, s := range Items(MapGet(rel, "set")) {
			if n := StringValue(MapGet(s, "name")); n != "" {
				r.Set = append(r.Set, n+"="+ScalarValue(MapGet(s, "value")))
				if v := MapGet(s, "value"); v != nil {
					r.addSetPos(n, PosOf(Deref(v)))
				}
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
