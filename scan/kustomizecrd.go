package scan

import (
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CustomResourceDefinition schemas are most of the bytes of real
// kustomize trees (23 of the 25 MiB of kubeflow/manifests), and no rule
// reads them: the rules that see a CustomResourceDefinition read its
// signature and metadata only. So when nothing in a build can touch a
// CRD's schema, resource files are served to kustomize with
// spec.versions[*].schema and spec.validation left out
// (stripCRDSchemas): kustomize then parses, copies and transforms a tenth
// of the nodes. The source files on disk are what findings are placed on.
//
// Whether a build can touch a schema is decided from the kustomizations
// read so far (kustomize reads a kustomization before the resources it
// names, so the ancestors of every resource file are known when it is
// read; patches of other branches never apply to it): touchesCRDs.

const crdKind = "CustomResourceDefinition"

// touchesCRDs reports whether a kustomization (its root node; dir is its
// directory) may change something inside a CustomResourceDefinition other
// than its metadata: a patch that targets one or may (a target without a
// kind, a patch whose text names the kind), replacements, components
// (read after the resources), transformers, configurations or files it
// cannot read. It errs towards yes.
func (k *kustomizeFS) touchesCRDs(root *yaml.Node, dir string) bool {
	for _, key := range []string{"replacements", "components", "transformers", "generators", "crds", "openapi", "helmCharts", "validators"} {
		if MapGet(root, key) != nil {
			return true
		}
	}
	mentions := func(text string) bool { return strings.Contains(text, crdKind) }
	fileMentions := func(p string) bool {
		if p == "" {
			return true
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if !k.inside(full) {
			return true
		}
		// a regular file of a sane size only (a FIFO would block)
		if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() || st.Size() > maxKustomizationRead {
			return true
		}
		data, err := os.ReadFile(full)
		return err != nil || mentions(string(data))
	}
	for _, c := range Items(MapGet(root, "configurations")) {
		if fileMentions(c.Value) {
			return true
		}
	}
	targetTouches := func(t *yaml.Node) bool {
		// kustomize matches a target's kind as a regular expression
		kind := StringValue(MapGet(t, "kind"))
		return kind == "" || kind == crdKind || strings.ContainsAny(kind, `.*+?[](){}|^$\`)
	}
	for _, p := range Items(MapGet(root, "patchesJson6902")) {
		if t := MapGet(p, "target"); t == nil || targetTouches(t) {
			return true
		}
	}
	for _, p := range Items(MapGet(root, "patches")) {
		if t := MapGet(p, "target"); t != nil {
			if targetTouches(t) {
				return true
			}
			continue
		}
		if inline := MapGet(p, "patch"); inline != nil {
			if mentions(inline.Value) {
				return true
			}
			continue
		}
		if fileMentions(StringValue(MapGet(p, "path"))) {
			return true
		}
	}
	for _, p := range Items(MapGet(root, "patchesStrategicMerge")) {
		if strings.Contains(p.Value, "\n") || strings.Contains(p.Value, ":") && !strings.HasSuffix(p.Value, ".yaml") && !strings.HasSuffix(p.Value, ".yml") {
			if mentions(p.Value) {
				return true
			}
			continue
		}
		if fileMentions(p.Value) {
			return true
		}
	}
	return false
}

// stripCRDSchema leaves out the schemas of a CustomResourceDefinition
// object (apiextensions.k8s.io): spec.validation (v1beta1) and each
// spec.versions[*].schema.
func stripCRDSchema(obj *yaml.Node) {
	if StringValue(MapGet(obj, "kind")) != crdKind || !strings.HasPrefix(StringValue(MapGet(obj, "apiVersion")), "apiextensions.k8s.io/") {
		return
	}
	spec := MapGet(obj, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		return
	}
	deleteKey(spec, "validation")
	for _, v := range Items(MapGet(spec, "versions")) {
		if v.Kind == yaml.MappingNode {
			deleteKey(v, "schema")
		}
	}
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
