package scan

import (
	"errors"
	"io"
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
// directory) may change or read something inside a
// CustomResourceDefinition's schema: a patch that may apply to one (a
// target that may match the kind, or a patch whose text names the kind)
// and whose text reaches a schema (reachesSchema), configurations or vars
// whose text does, replacements, components (read after the resources),
// transformers, or files it cannot read. It errs towards yes.
func (k *kustomizeFS) touchesCRDs(root *yaml.Node, dir string) bool {
	for _, key := range []string{"replacements", "components", "transformers", "generators", "crds", "openapi", "helmCharts", "validators"} {
		if MapGet(root, key) != nil {
			return true
		}
	}
	if vars := MapGet(root, "vars"); vars != nil && reachesSchemaNode(vars) {
		return true
	}
	mentions := func(text string) bool { return strings.Contains(text, crdKind) }
	// readPatch reads a file the kustomization names; ok is false when it
	// cannot be read (then it may touch anything).
	readPatch := func(p string) (string, bool) {
		if p == "" {
			return "", false
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if !k.inside(full) {
			return "", false
		}
		// a regular file of a sane size only (a FIFO would block)
		if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() || st.Size() > maxKustomizationRead {
			return "", false
		}
		data, err := os.ReadFile(full)
		return string(data), err == nil
	}
	// patchText is an entry's inline patch, else its file's text.
	patchText := func(p *yaml.Node) (string, bool) {
		if inline := MapGet(p, "patch"); inline != nil {
			return inline.Value, true
		}
		return readPatch(StringValue(MapGet(p, "path")))
	}
	for _, c := range Items(MapGet(root, "configurations")) {
		if text, ok := readPatch(c.Value); !ok || reachesSchema(text) {
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
			if text, ok := patchText(p); !ok || reachesSchema(text) {
				return true
			}
		}
	}
	for _, p := range Items(MapGet(root, "patches")) {
		text, ok := patchText(p)
		if t := MapGet(p, "target"); t != nil {
			if targetTouches(t) && (!ok || reachesSchema(text)) {
				return true
			}
			continue
		}
		if !ok || mentions(text) && reachesSchema(text) {
			return true
		}
	}
	for _, p := range Items(MapGet(root, "patchesStrategicMerge")) {
		text, ok := p.Value, true
		if !strings.Contains(p.Value, "\n") && !(strings.Contains(p.Value, ":") && !strings.HasSuffix(p.Value, ".yaml") && !strings.HasSuffix(p.Value, ".yml")) {
			text, ok = readPatch(p.Value)
		}
		if !ok || mentions(text) && reachesSchema(text) {
			return true
		}
	}
	return false
}

// schemaWords are the words of a key or value that may name a CRD's schema
// or the lists holding it (spec.versions[*].schema.openAPIV3Schema,
// spec.validation), case-sensitive as kustomize's paths are: "chema"
// covers schema and openAPIV3Schema.
var schemaWords = []string{"versions", "validation", "chema"}

// reachesSchema reports whether the text of a patch, a configuration or
// vars (YAML or JSON, any number of documents) may reach a CRD's schema:
// a key or a scalar holding one of schemaWords, a JSON patch operation
// whose path or from is the document or its spec (it replaces, moves or
// tests the whole), or an alias. Text that does not parse may. A patch
// that reaches none of these changes other fields only, so leaving the
// schemas out before it applies gives what leaving them out after would.
func reachesSchema(text string) bool {
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil || reachesSchemaNode(&doc) {
			return true
		}
	}
}

func reachesSchemaNode(n *yaml.Node) bool {
	hasWord := func(s string) bool {
		for _, w := range schemaWords {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		if n == nil {
			return false
		}
		if depth > 100 {
			return true
		}
		switch n.Kind {
		case yaml.AliasNode:
			return true
		case yaml.ScalarNode:
			return hasWord(n.Value)
		case yaml.MappingNode:
			op := MapGet(n, "op") != nil
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, val := n.Content[i], n.Content[i+1]
				if walk(key, depth+1) || walk(val, depth+1) {
					return true
				}
				if op && (key.Value == "path" || key.Value == "from") && val.Kind == yaml.ScalarNode {
					if v := strings.Trim(val.Value, "/"); v == "" || v == "spec" {
						return true
					}
				}
			}
			return false
		}
		for _, c := range n.Content {
			if walk(c, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(n, 0)
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
