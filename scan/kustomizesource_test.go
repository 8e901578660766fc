package scan

import (
	"strings"
	"testing"
)

func TestScrubSources(t *testing.T) {
	for in, want := range map[string]string{
		`{"annotations":{"a":"1","kubeready.internal/source":"r:x/y.yaml","b":"2"}}`: `{"annotations":{"a":"1","b":"2"}}`,
		`{"annotations":{"kubeready.internal/source":"r:x\"q.yaml","b":"2"}}`:        `{"annotations":{"b":"2"}}`,
		`{"annotations":{"a":"1","kubeready.internal/source":"g:k.yaml"}}`:           `{"annotations":{"a":"1"}}`,
		"annotations:\n    kubeready.internal/source: r:x.yaml\n    b: c\n":          "annotations:\n    b: c\n",
		"no source here": "no source here",
	} {
		if got := scrubSources(in); got != want {
			t.Errorf("scrubSources(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAnnotateSources: every object of a resource file (List items too)
// gets the key, empty documents are dropped, and what does not parse or is
// not an object is left alone.
func TestAnnotateSources(t *testing.T) {
	in := "# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {x: y}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n---\nkind: Pod\nmetadata:\n"
	out := string(annotateSources([]byte(in), "r:f.yaml", false))
	if n := strings.Count(out, "r:f.yaml"); n != 4 {
		t.Errorf("%d annotations, want 4 (ConfigMap, List, its Secret, Pod):\n%s", n, out)
	}
	if !strings.Contains(out, "x: y") {
		t.Errorf("existing annotation lost:\n%s", out)
	}
	for _, bad := range []string{"a: [unclosed\n", "- just\n- a list\n", "plain scalar\n"} {
		if got := string(annotateSources([]byte(bad), "r:f", false)); got != bad {
			t.Errorf("annotateSources(%q) = %q, want it unchanged", bad, got)
		}
	}
}

// TestAnnotateSourcesCached: the cache answers for the same bytes only.
func TestAnnotateSourcesCached(t *testing.T) {
	a := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
	b := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")
	first := annotateSourcesCached("/x/f.yaml", a, "r:f.yaml", false)
	if again := annotateSourcesCached("/x/f.yaml", a, "r:f.yaml", false); string(again) != string(first) {
		t.Errorf("cached %q, want %q", again, first)
	}
	if changed := string(annotateSourcesCached("/x/f.yaml", b, "r:f.yaml", false)); !strings.Contains(changed, "name: b") {
		t.Errorf("changed file served from the cache: %q", changed)
	}
	if other := string(annotateSourcesCached("/x/f.yaml", a, "r:g.yaml", false)); !strings.Contains(other, "r:g.yaml") {
		t.Errorf("other value served from the cache: %q", other)
	}
}

// TestScrubPointers: a Go pointer kustomize prints in an error is left
// out, so a build's message is the same in every run.
func TestScrubPointers(t *testing.T) {
	for in, want := range map[string]string{
		`merging from generator &{0x4e778406c30 <nil>}: id resid.ResId{Gvk:resid.Gvk{Group:""}} does not exist`: `merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:""}} does not exist`,
		`merging from generator &{0xc000123}: x`: `merging from generator: x`,
		`image sha 0xdeadbeef is fine`:           `image sha 0xdeadbeef is fine`,
	} {
		if got := scrubPointers(in); got != want {
			t.Errorf("scrubPointers(%q) = %q, want %q", in, got, want)
		}
	}
}
