package scan

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestResourceYAML: resourceYAML writes what kustomize's AsYAML writes,
// byte for byte, for the values JSON holds and for those it does not (its
// fallback). The kubeflow/manifests builds were compared too (9,632
// objects, all equal) when it was written.
func TestResourceYAML(t *testing.T) {
	root := testfs.Repo(t, map[string]string{
		"k/kustomization.yaml": "resources:\n  - a.yaml\nnamePrefix: p-\ncommonLabels: {app: x}\n",
		"k/a.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: {when: 2001-12-14, quoted: "2001-12-14", yes: yes, octal: 0o17, n: "010", empty: "", u: "héllo ✓", multi: "a\nb\n", tab: "a\tb"}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: c
          image: nginx:1.25
          args: [1.0, 1e6, 1.5, -0, 123456789012345678901234567890, 0x1F, true, ~, "null", .inf]
          env: &e
            - {name: A, value: "1"}
      initContainers:
        - name: i
          env: *e
---
apiVersion: v1
kind: ConfigMap
metadata: {name: m}
data: {key: !!binary aGVsbG8=, stamp: !!timestamp 2001-12-14t21:59:43.10-05:00}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {"3": three}}
`,
	})
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	m, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), filepath.Join(root, "k"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Resources()) != 3 {
		t.Fatalf("%d objects", len(m.Resources()))
	}
	cache := NewBuildCache()
	for _, pass := range []string{"first", "second"} { // the second served by the cache
		for _, r := range m.Resources() {
			want, err1 := r.AsYAML()
			got, err2 := resourceYAML(r)
			if (err1 == nil) != (err2 == nil) || !bytes.Equal(got, want) {
				t.Errorf("%s: resourceYAML = %v\n%s\nAsYAML = %v\n%s", r.CurId(), err2, got, err1, want)
			}
			if cached, err3 := cache.resourceYAML(r); (err3 == nil) != (err1 == nil) || !bytes.Equal(cached, want) {
				t.Errorf("%s (%s pass): through the cache = %v\n%s\nAsYAML = %v\n%s", r.CurId(), pass, err3, cached, err1, want)
			}
		}
	}
}

// keyOfTree tells apart what decodes differently (quoting, tags, shape)
// and gives up on aliases.
func TestKeyOfTree(t *testing.T) {
	docs := []string{
		"a: 1", `a: "1"`, "a: '1'", "a: !!str 1", "a: [1]", "a: {1: 1}", "a: 1\nb: 2", "b: 2\na: 1",
		"a: |\n  x\n", "a: x", "a: x\n", "a:\n- b\n- c", "a:\n- bc", "ab: c", "a: bc",
	}
	seen := map[treeKey]string{}
	for _, d := range docs {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(d), &n); err != nil {
			t.Fatal(err)
		}
		k, ok := keyOfTree(n.Content[0])
		if !ok {
			t.Fatalf("%q: no key", d)
		}
		if prev, dup := seen[k]; dup && !(prev == "a: x" && d == "a: x\n") {
			t.Errorf("%q and %q have one key", prev, d)
		}
		seen[k] = d
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x {b: 1}\nc: *x\n"), &n); err != nil {
		t.Fatal(err)
	}
	if _, ok := keyOfTree(n.Content[0]); ok {
		t.Error("a tree with an alias has a key")
	}
}
