package engine

import (
	"fmt"
	"os"
	"strings"

	"github.com/kubeready/kubeready/scan"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"
)

// Flux HelmRelease valuesFrom: each entry names a ConfigMap or Secret
// (kind, name, valuesKey "values.yaml" by default, targetPath, optional).
// kubeready looks it up among the manifests of the repository being
// scanned, never in a cluster: first in the HelmRelease's own file, else in
// the repository's YAML files (indexed once per run, by kind and name; the
// file is read again when a release names it). An object matches when its
// namespace is the HelmRelease's, or when either has none (a kustomization
// sets it later). Values merge in Flux's order: the chart's valuesFiles,
// valuesFrom in order (a targetPath sets one value, through Helm's strvals
// as Flux does), spec.values last.
//
// An entry that does not resolve (no such object, no such key, a SOPS
// encrypted Secret, data that does not decode or is not a YAML mapping) and
// is not optional stops Flux's reconcile: the release is then not rendered
// with guessed values. For a local chart it is one note in the run's
// skipped list, as a values file that is not there; for a remote chart
// (--fetch-charts) one helm-remote-chart warning.

// valuesIndex maps "Kind\x00name" to the repository files that define
// such an object.
type valuesIndex map[string][]string

// valuesFrom resolves r.ValuesFrom and returns the values as YAML texts, in
// order; why says which entry did not resolve ("" when all did). Resolved
// top-level keys get the entry's line in r.ValuePos when spec.values does
// not set them, so a finding they turn on is placed there.
func (e *Engine) valuesFrom(docs []*scan.Document, root string, r *scan.Release) (out []string, why string) {
	if len(r.ValuesFrom) == 0 {
		return nil, ""
	}
	own := scan.ValuesSources(docs)
	for _, ref := range r.ValuesFrom {
		desc := fmt.Sprintf("valuesFrom %s %s (key %s)", ref.Kind, ref.Name, ref.ValuesKey)
		if ref.Kind != "ConfigMap" && ref.Kind != "Secret" {
			return nil, fmt.Sprintf("%s: kind %q is neither ConfigMap nor Secret", desc, ref.Kind)
		}
		src, ok := pickSource(own, ref, r.Namespace)
		if !ok {
			src, ok = pickSource(e.repoValuesSources(root, ref), ref, r.Namespace)
		}
		var text string
		switch {
		case !ok:
			why = desc + ": no such object among the repository's files"
		case src.Encrypted:
			why = desc + ": the object is encrypted (SOPS)"
		default:
			var has bool
			text, has = src.Data[ref.ValuesKey]
			switch {
			case !has && src.Bad == ref.ValuesKey:
				why = desc + ": its base64 data does not decode"
			case !has:
				why = desc + ": the object has no such key"
			}
		}
		if why != "" {
			if ref.Optional {
				why = ""
				continue
			}
			return nil, why
		}
		var m map[string]any
		if ref.TargetPath != "" {
			m = map[string]any{}
			v := strings.NewReplacer(`\`, `\\`, ",", `\,`).Replace(strings.TrimSpace(text))
			if err := strvals.ParseInto(ref.TargetPath+"="+v, m); err != nil || len(m) == 0 {
				return nil, fmt.Sprintf("%s: targetPath %s does not set a value", desc, ref.TargetPath)
			}
		} else if err := sigsyaml.Unmarshal([]byte(text), &m); err != nil {
			return nil, desc + ": its values are not a YAML mapping"
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			return nil, desc + ": its values do not read"
		}
		out = append(out, string(b))
		if r.ValuePos == nil {
			r.ValuePos = map[string]scan.Pos{}
		}
		keys := []string{ref.TargetPath}
		for k := range m {
			keys = append(keys, k)
		}
		for _, k := range keys {
			if _, set := r.ValuePos[k]; !set && k != "" {
				r.ValuePos[k] = ref.Pos
			}
		}
		if r.ValuesPos.Line == 0 || ref.Pos.Line < r.ValuesPos.Line {
			r.ValuesPos = ref.Pos
		}
	}
	return out, ""
}

// pickSource finds ref's object among srcs: its namespace ns, or either
// without one.
func pickSource(srcs []scan.ValuesSource, ref scan.ValuesRef, ns string) (scan.ValuesSource, bool) {
	for _, s := range srcs {
		if s.Kind == ref.Kind && s.Name == ref.Name && (s.Namespace == ns || s.Namespace == "" || ns == "") {
			return s, true
		}
	}
	return scan.ValuesSource{}, false
}

// repoValuesSources reads the repository files that define an object of
// ref's kind and name (the index is built once per run and root).
func (e *Engine) repoValuesSources(root string, ref scan.ValuesRef) []scan.ValuesSource {
	idx := e.repoIndex(root).values
	var out []scan.ValuesSource
	for _, p := range idx[ref.Kind+"\x00"+ref.Name] {
		f, err := e.readRepoFile(p)
		if err != nil {
			continue
		}
		docs, _ := scan.Parse(f)
		out = append(out, scan.ValuesSources(docs)...)
	}
	return out
}

// readRepoFile reads a regular repository file of a sane size with the
// run's reader.
func (e *Engine) readRepoFile(p string) (*scan.File, error) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 5<<20 {
		return nil, fmt.Errorf("not a regular file of a sane size")
	}
	f, problem, err := e.read(scan.Input{Kind: scan.InputFile, Path: p})
	if err != nil || problem != nil {
		return nil, fmt.Errorf("does not read")
	}
	return f, nil
}
