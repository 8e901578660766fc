package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// textAnnotated compares what annotateText serves for data with what
// annotateDocs (the parsed file, written again) serves: the text path may
// only be taken when the file parses, and must give the same objects.
// taken reports whether it was.
func textAnnotated(t testing.TB, data []byte, strip bool) (taken bool) {
	t.Helper()
	fast, ok := annotateText(data, "r:dir/f.yaml", strip)
	if !ok {
		return false
	}
	slow, ok := annotateDocs(data, "r:dir/f.yaml", strip)
	if !ok {
		// annotateSources serves such a file as it is: so may the text
		// path (a file of comments), and it may change nothing.
		if !bytes.Equal(fast, data) {
			t.Fatalf("annotated as text a file that does not parse as objects:\n%s", data)
		}
		return true
	}
	if _, err := decodeAll(data); err != nil {
		// Objects Go values cannot hold (a mapping as a key: a Helm
		// template read as YAML) fail kustomize's build either way; the
		// writer of the parsed path even changes them (a null key's
		// value written as '').
		return true
	}
	a, errA := decodeAll(slow)
	b, errB := decodeAll(fast)
	if errA != nil || errB != nil || !reflect.DeepEqual(nonNil(a), nonNil(b)) {
		t.Fatalf("the text path changed the objects (%v, %v):\n%s\nparsed and written gives:\n%s\ntext gives:\n%s", errA, errB, data, slow, fast)
	}
	return true
}

// nonNil drops empty documents (kustomize skips them; annotateDocs leaves
// them out).
func nonNil(docs []any) []any {
	var out []any
	for _, d := range docs {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the name
  labels:
    app: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.25"
`

// The shapes manifests are written in are annotated as text, to the same
// objects as the parsed path.
func TestAnnotateTextTaken(t *testing.T) {
	tests := map[string]string{
		"no annotations":                  deployment,
		"annotations, a comment first":    strings.Replace(deployment, "  labels:", "  annotations:\n    # why\n    a.example.com/x: \"1\"\n  labels:", 1),
		"metadata indented by four":       strings.Replace(deployment, "  name: web # the name\n  labels:\n    app: web", "    name: web\n    labels:\n        app: web", 1),
		"several documents, an empty one": deployment + "---\n# nothing\n---\n" + deployment,
		"a block scalar that looks like metadata": `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  x: |
    metadata:
      annotations:
`,
		"a CRD, schema cut":                                     crdHead + "  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n    served: true\n",
		"metadata in flow":                                      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"no metadata":                                           "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n",
		"keep chomping, blank lines last":                       "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |+\n    b\n\n\n",
		"ends in a block scalar deeper than the keys":           "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    b\n\n",
		"ends in a comment":                                     deployment + "# the end\n",
		"an annotation of that name (no marker of kubeready's)": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    " + sourceKey + ": r:elsewhere.yaml\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, strip := range []bool{false, true} {
				if !textAnnotated(t, []byte(doc), strip) {
					t.Fatalf("strip %v: not annotated as text", strip)
				}
			}
		})
	}
	out, _ := annotateText([]byte(tests["a CRD, schema cut"]), "r:f.yaml", true)
	if strings.Contains(string(out), "openAPIV3Schema") {
		t.Errorf("schema left:\n%s", out)
	}
}

// What the line walk cannot be sure of, or where one line is not enough
// (a List's items, a field already there), is left to the parsed path.
func TestAnnotateTextGivesUp(t *testing.T) {
	tests := map[string]string{
		"a List":                    "apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n- kind: ConfigMap\n  metadata:\n    name: a\n",
		"the source field already":  "apiVersion: v1\nkind: ConfigMap\n" + sourceKey + ": r:elsewhere.yaml\n",
		"no final line break":       "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    b",
		"an anchor":                 strings.Replace(deployment, "app: web", "app: &a web", 1),
		"a document that is a list": "- a\n- b\n",
		"one plain, one not":        deployment + "---\n" + strings.Replace(deployment, "app: web", "app: !!str web", 1),
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if out, ok := annotateText([]byte(doc), "r:f.yaml", false); ok {
				t.Errorf("annotated as text:\n%s", out)
			}
		})
	}
}

// A file name is hostile input: any name gives one quoted line, or the
// parsed path.
func TestAnnotateTextFileNames(t *testing.T) {
	for _, name := range []string{`a"b.yaml`, "a\\b.yaml", "a: #b.yaml", "new\nline.yaml", "\u2028.yaml", "\x7f.yaml", "\xff.yaml"} {
		fast, ok := annotateText([]byte(deployment), "r:"+name, false)
		if !ok {
			continue
		}
		docs, err := decodeAll(fast)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%q: %v\n%s", name, err, fast)
		}
		if got := docs[0].(map[string]any)[sourceKey]; got != "r:"+name {
			t.Errorf("%q: source %q", name, got)
		}
	}
}

// Real and real-shaped manifests (the repository's testdata, hostile set
// included, and the CRDs copied into scan/testdata) take the text path
// where the walk allows, to the same objects.
func TestAnnotateTextRealFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/crds/*.yaml")
	_ = filepath.WalkDir("../testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	taken, objects := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || isKustomizationName(filepath.Base(f)) {
			continue
		}
		if _, ok := annotateDocs(data, "r:f.yaml", true); !ok || !allObjects(data) {
			continue
		}
		objects++
		if textAnnotated(t, data, true) {
			taken++
		} else if os.Getenv("KUBEREADY_TEST_VERBOSE") != "" {
			t.Logf("parsed path: %s", f)
		}
	}
	t.Logf("%d of %d files of objects took the text path", taken, objects)
	if taken < objects*3/4 {
		t.Errorf("only %d of %d files of objects took the text path", taken, objects)
	}
}

// allObjects reports whether every document of data is one object with a
// metadata mapping (no List), what the text path is for.
func allObjects(data []byte) bool {
	docs, err := decodeAll(data)
	if err != nil {
		return false
	}
	for _, d := range nonNil(docs) {
		m, ok := d.(map[string]any)
		if !ok {
			return false
		}
		kind, _ := m["kind"].(string)
		if _, ok := m["metadata"].(map[string]any); !ok || kind == "" || strings.HasSuffix(kind, "List") {
			return false
		}
	}
	return true
}

func FuzzAnnotateText(f *testing.F) {
	f.Add([]byte(deployment), false)
	f.Add([]byte(strings.Replace(deployment, "  labels:", "  annotations:\n    a: \"1\"\n  labels:", 1)), true)
	f.Add([]byte(crdHead+"  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n"), true)
	f.Add([]byte(deployment+"---\n---\n"+deployment), false)
	files, _ := filepath.Glob("testdata/crds/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data, true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, strip bool) {
		if len(data) > 64<<10 {
			return
		}
		textAnnotated(t, data, strip)
	})
}
