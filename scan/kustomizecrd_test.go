package scan

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
	"go.yaml.in/yaml/v3"
)

const testCRD = `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  validation:
    openAPIV3Schema:
      type: object
      properties:
        spec: {type: object}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object}
`

// TestKustomizeCRDSchemas: a build that nothing can make touch a CRD's
// schema gets the CRD without it (and still places the apiVersion on the
// file's line); a patch into the schema keeps it, and builds as before.
func TestKustomizeCRDSchemas(t *testing.T) {
	root := testfs.Repo(t, map[string]string{
		"base/kustomization.yaml": "resources:\n  - crd.yaml\ncommonLabels: {app: w}\n",
		"base/crd.yaml":           testCRD,
		"patched/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - target: {kind: CustomResourceDefinition}\n" +
			"    patch: |-\n      - op: replace\n        path: /spec/validation/openAPIV3Schema/type\n        value: object\n",
		"regex/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - target: {kind: 'Custom.*'}\n    path: p.yaml\n",
		"regex/p.yaml":             "- op: replace\n  path: /spec/validation/openAPIV3Schema/type\n  value: object\n",
		"smp/kustomization.yaml":   "resources:\n  - ../base\npatchesStrategicMerge:\n  - p.yaml\n",
		"smp/p.yaml":               "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  validation: {openAPIV3Schema: {description: x}}\n",
		"other/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - target: {kind: Deployment}\n    patch: '[]'\n",
		// kubebuilder's crd/ layout: a conversion patch and a name
		// reference into spec.conversion reach no schema
		"conversion/kustomization.yaml": "resources:\n  - ../base\npatchesStrategicMerge:\n  - p.yaml\nconfigurations:\n  - c.yaml\n" +
			"patches:\n  - target: {kind: CustomResourceDefinition}\n    patch: '[{\"op\": \"add\", \"path\": \"/spec/preserveUnknownFields\", \"value\": false}]'\n",
		"conversion/p.yaml": "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n" +
			"spec:\n  conversion:\n    strategy: Webhook\n    conversionReviewVersions: [v1]\n",
		"conversion/c.yaml":         "nameReference:\n- kind: Service\n  fieldSpecs:\n  - kind: CustomResourceDefinition\n    path: spec/conversion/webhookClientConfig/service/name\n",
		"config/kustomization.yaml": "resources:\n  - ../base\nconfigurations:\n  - c.yaml\n",
		"config/c.yaml":             "commonLabels:\n- path: spec/versions/schema/x\n  create: false\n",
	})
	for _, tc := range []struct {
		dir    string
		schema bool
	}{{"base", false}, {"other", false}, {"patched", true}, {"regex", true}, {"smp", true},
		{"conversion", false}, {"config", true}} {
		b := BuildKustomization(filepath.Join(root, tc.dir))
		if len(b.Problems) > 0 || len(b.Files) != 1 {
			t.Errorf("%s: problems %+v, %d objects", tc.dir, b.Problems, len(b.Files))
			continue
		}
		out := string(b.Files[0].File.Data)
		if got := strings.Contains(out, "openAPIV3Schema"); got != tc.schema {
			t.Errorf("%s: schema in the output %v, want %v:\n%s", tc.dir, got, tc.schema, out)
		}
		if strings.Contains(out, sourceKey) || !strings.Contains(out, "app: w") {
			t.Errorf("%s: output:\n%s", tc.dir, out)
		}
		docs, _ := Parse(b.Files[0].File)
		loc := b.Files[0].Locate(docs[0], Query{Pos: docs[0].Sig.APIVersionPos})
		if filepath.Base(loc.File) != "crd.yaml" || loc.Pos.Line != 1 {
			t.Errorf("%s: apiVersion placed at %s:%d", tc.dir, loc.File, loc.Pos.Line)
		}
	}
}

// TestReachesSchema: what a patch, configuration or vars text may reach.
func TestReachesSchema(t *testing.T) {
	for text, want := range map[string]bool{
		"spec:\n  conversion: {strategy: None}\n":                                false,
		"spec:\n  conversion: {conversionReviewVersions: [v1]}\n":                false,
		"spec:\n  versions: []\n":                                                true,
		"spec:\n  validation: {}\n":                                              true,
		"- {op: remove, path: /spec/versions/0/schema}\n":                        true,
		"- {op: replace, path: /spec, value: {}}\n":                              true,
		"- {op: move, from: /, path: /x}\n":                                      true,
		"- {op: add, path: /spec/names/shortNames/-, value: w}\n":                false,
		"[{\"op\": \"copy\", \"from\": \"/spec/validation\", \"path\": \"/x\"}]": true,
		"a: &x {b: 1}\nc: *x\n":                                                  true,
		"livenessProbe: {httpGet: {path: /}}\n":                                  false,
		"- name: V\n  objref: {kind: CustomResourceDefinition, name: w}\n  fieldref: {fieldpath: spec.versions[0].name}\n": true,
		"a: [unclosed\n": true,
		"":               false,
	} {
		if got := reachesSchema(text); got != want {
			t.Errorf("reachesSchema(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestTouchesCRDsFIFO: a patch that is a named pipe is not read to decide
// (it would block); the build keeps its CRD schemas.
func TestTouchesCRDsFIFO(t *testing.T) {
	root := testfs.Repo(t, map[string]string{
		"k/kustomization.yaml": "resources:\n  - crd.yaml\npatchesStrategicMerge:\n  - fifo.yaml\n",
		"k/crd.yaml":           testCRD,
	})
	if err := syscall.Mkfifo(filepath.Join(root, "k", "fifo.yaml"), 0o644); err != nil {
		t.Skip(err)
	}
	k := &kustomizeFS{boundary: root}
	root2, dir := parseNode(t, "patchesStrategicMerge:\n  - fifo.yaml\n"), filepath.Join(root, "k")
	done := make(chan bool)
	go func() { done <- k.touchesCRDs(root2, dir) }()
	select {
	case got := <-done:
		if !got {
			t.Error("a FIFO patch counted as not touching CRDs")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("touchesCRDs blocked on a FIFO")
	}
}

func parseNode(t *testing.T, src string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// TestKustomizeFIFOResource: a resource that is a named pipe fails the
// build at once (kustomize would wait on it for ever).
func TestKustomizeFIFOResource(t *testing.T) {
	root := testfs.Repo(t, map[string]string{"k/kustomization.yaml": "resources:\n  - fifo.yaml\n"})
	if err := syscall.Mkfifo(filepath.Join(root, "k", "fifo.yaml"), 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan *KustomizeBuild)
	go func() { done <- BuildKustomization(filepath.Join(root, "k")) }()
	select {
	case b := <-done:
		if !b.Failed || !strings.Contains(b.Problems[len(b.Problems)-1].Message, "not a regular file") {
			t.Errorf("problems %+v", b.Problems)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the build blocked on a FIFO")
	}
}
