package scan

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// decodeAll decodes each document of data into Go values.
func decodeAll(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// crdCut compares what annotateSources serves for data with the text cut
// and without it: the cut may only be taken when the whole file parses,
// and must give the same objects. cut reports whether it was taken.
func crdCut(t testing.TB, data []byte) (cut bool) {
	t.Helper()
	text := stripCRDSchemasText(data)
	if text == nil {
		return false
	}
	fast, ok := annotateDocs(text, "r:f.yaml", true)
	if !ok {
		return false // annotateSources then serves the original, parsed whole
	}
	slow, ok := annotateDocs(data, "r:f.yaml", true)
	if !ok {
		t.Fatalf("the text cut made a file that does not parse parse:\n%s\ncut to:\n%s", data, text)
	}
	a, errA := decodeAll(slow)
	b, errB := decodeAll(fast)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("the text cut changed the objects (%v, %v):\n%s\nwhole parse gives:\n%s\ntext cut gives:\n%s", errA, errB, data, slow, fast)
	}
	return true
}

const crdHead = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations:
    controller-gen.kubebuilder.io/version: v0.11.3
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
`

// The shapes generators write are cut; the result is the same objects.
func TestStripCRDSchemaTextCuts(t *testing.T) {
	tests := map[string]string{
		"controller-gen, multi-line quoted descriptions": crdHead + `  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: 'Widget is a widget. It has a very long description
          that goes on: over two lines, with ''quotes'' inside'
        properties:
          spec:
            description: "An escaped \"word\" and a
              second line"
            type: object
            x-kubernetes-preserve-unknown-fields: true
          items:
            type: array
            items: {type: string}
        required: [spec]
        type: object
    served: true
    storage: true
    subresources:
      status: {}
`,
		"block scalars and a sequence at its key's indentation": crdHead + `  versions:
    - name: v1beta1
      schema:
        openAPIV3Schema:
          description: |-
            Widget is a widget.

            spec: not a key, the content of a block scalar
          enum:
          - a
          - b
      served: true
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
`,
		"v1beta1 validation": `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: old.example.com
spec:
  group: example.com
  validation:
    openAPIV3Schema:
      properties:
        spec:
          type: object
  version: v1
`,
		"two documents, one of them no CRD": crdHead + `  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
    served: true
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: schema
data:
  schema: |
    versions:
    - schema: x
`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if !crdCut(t, []byte(doc)) {
				t.Fatal("not cut as text")
			}
			out := stripCRDSchemasText([]byte(doc))
			if bytes.Contains(out, []byte("openAPIV3Schema")) {
				t.Errorf("a schema is left:\n%s", out)
			}
		})
	}
}

// Documents the line walk cannot be sure of are left to the parser.
func TestStripCRDSchemaTextGivesUp(t *testing.T) {
	body := `  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
`
	tests := map[string]string{
		"an anchor":                      crdHead + body + "    served: &s true\n",
		"a tab":                          crdHead + body + "    served:\ttrue\n",
		"a quoted key":                   crdHead + body + "    \"served\": true\n",
		"a flow mapping over two lines":  crdHead + body + "    subresources: {status:\n      {}}\n",
		"a duplicate schema":             crdHead + body + "    schema: {}\n",
		"schema on its item's line":      crdHead + "  versions:\n  - schema:\n      type: object\n    name: v1\n",
		"bad indentation":                crdHead + body + "   served: true\n",
		"an unknown escape":              crdHead + body + "    served: \"\\q\"\n",
		"an unclosed quote":              crdHead + body + "    served: 'true\n",
		"carriage returns":               strings.ReplaceAll(crdHead+body, "\n", "\r\n"),
		"a plain scalar after a comment": crdHead + body + "    served: true # c\n      false\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, ok := stripCRDSchemaText([]byte(doc)); ok {
				t.Errorf("cut as text:\n%s", doc)
			}
		})
	}
}

// Real CRDs (testdata/crds, copied unmodified, see PROVENANCE.md there) are
// cut as text, to the same objects as a whole parse gives.
func TestStripCRDSchemaTextRealCRDs(t *testing.T) {
	files, _ := filepath.Glob("testdata/crds/*.yaml")
	if len(files) == 0 {
		t.Fatal("no CRDs in testdata/crds")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !crdCut(t, data) {
			t.Errorf("%s: not cut as text", f)
		}
	}
}

func FuzzStripCRDSchemaText(f *testing.F) {
	f.Add([]byte(crdHead + "  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n    served: true\n"))
	f.Add([]byte(crdHead + "  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          description: 'a\n            b'\n      served: true\n"))
	f.Add([]byte(crdHead + "  validation:\n    openAPIV3Schema:\n      description: |\n        x: y\n  version: v1\n"))
	files, _ := filepath.Glob("testdata/crds/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		crdCut(t, data)
	})
}
