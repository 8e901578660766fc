package scan

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// nodeOf parses one YAML document and returns its root node.
func nodeOf(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

const nodeDoc = `base: &base
  kind: Deployment
  replicas: 3
alias: *base
labels: &labels
  app: web
  tier: "1"
  on: true
  none: null
more: *labels
list: &list
  - a
  - *base
  - 7
same: *list
nothing:
tilde: ~
str: "x"
num: 1
block: |
  one
  two
nested:
  deep:
    - x
    - y
`

func TestNodeHelpers(t *testing.T) {
	root := nodeOf(t, nodeDoc)

	if k, v := MapEntry(root, "alias"); k == nil || k.Value != "alias" || v.Kind != yaml.MappingNode {
		t.Errorf("MapEntry follows the value's alias: %v %v", k, v)
	}
	if got := StringValue(MapGet(MapGet(root, "alias"), "kind")); got != "Deployment" {
		t.Errorf("MapGet through an alias = %q", got)
	}
	if MapGet(root, "missing") != nil || MapGet(nil, "x") != nil || MapGet(MapGet(root, "str"), "x") != nil {
		t.Error("MapGet of a missing key, a nil node or a scalar is not nil")
	}

	if got := StringValue(MapPath(root, "alias", "kind")); got != "Deployment" {
		t.Errorf("MapPath = %q", got)
	}
	if MapPath(root, "alias", "nope", "deeper") != nil {
		t.Error("MapPath past a missing key is not nil")
	}
	if MapPath(root) != root {
		t.Error("MapPath with no keys is not the node itself")
	}

	alias := MapGet(root, "same") // MapGet already follows it
	raw := root.Content[11]       // the alias node under "same", as written
	if raw.Kind != yaml.AliasNode || Deref(raw) != alias || Deref(alias) != alias || Deref(nil) != nil {
		t.Errorf("Deref: raw %v", raw.Kind)
	}
	if n := (&yaml.Node{Kind: yaml.AliasNode}); Deref(n) != n {
		t.Error("Deref of an alias without a target is not the node itself")
	}

	items := Items(raw)
	if len(items) != 3 || items[0].Value != "a" || items[1].Kind != yaml.MappingNode || items[2].Value != "7" {
		t.Errorf("Items (through aliases) = %v", items)
	}
	if Items(root) != nil || Items(nil) != nil {
		t.Error("Items of a mapping or nil is not nil")
	}

	var keys []string
	Pairs(MapGet(root, "more"), func(k, v *yaml.Node) { keys = append(keys, k.Value+"="+v.Value) })
	if want := []string{"app=web", "tier=1", "on=true", "none=null"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("Pairs = %v, want %v", keys, want)
	}
	called := false
	Pairs(MapGet(root, "list"), func(k, v *yaml.Node) { called = true })
	Pairs(nil, func(k, v *yaml.Node) { called = true })
	if called {
		t.Error("Pairs called fn for a sequence or nil")
	}

	if MappingOrNil(MapGet(root, "labels")) == nil || MappingOrNil(MapGet(root, "list")) != nil || MappingOrNil(nil) != nil {
		t.Error("MappingOrNil")
	}
	if MappingOrNil(root.Content[7]) != nil { // the alias node under "more", not followed
		t.Error("MappingOrNil followed an alias")
	}

	labels := MapGet(root, "labels")
	for _, tt := range []struct {
		key         string
		str, scalar string
		null        bool
	}{
		{"app", "web", "web", false},
		{"tier", "1", "1", false},
		{"on", "", "true", false},
		{"none", "", "null", true},
	} {
		v := MapGet(labels, tt.key)
		if got := StringValue(v); got != tt.str {
			t.Errorf("StringValue(%s) = %q, want %q", tt.key, got, tt.str)
		}
		if got := ScalarValue(v); got != tt.scalar {
			t.Errorf("ScalarValue(%s) = %q, want %q", tt.key, got, tt.scalar)
		}
		if got := IsNull(v); got != tt.null {
			t.Errorf("IsNull(%s) = %v", tt.key, got)
		}
	}
	if StringValue(MapGet(root, "num")) != "" || ScalarValue(MapGet(root, "num")) != "1" || StringValue(labels) != "" || ScalarValue(nil) != "" {
		t.Error("StringValue/ScalarValue of a number, a mapping or nil")
	}
	if !IsNull(MapGet(root, "nothing")) || !IsNull(MapGet(root, "tilde")) || IsNull(MapGet(root, "str")) || IsNull(nil) {
		t.Error("IsNull of an empty value, ~, a string, nil")
	}

	if got, want := StringMap(MapGet(root, "more")), map[string]string{"app": "web", "tier": "1", "on": "true", "none": "null"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StringMap = %v", got)
	}
	if got := StringMap(nil); got == nil || len(got) != 0 {
		t.Errorf("StringMap(nil) = %#v, want an empty map", got)
	}
}

func TestLastLine(t *testing.T) {
	root := nodeOf(t, nodeDoc)
	lines := strings.Split(nodeDoc, "\n")
	lineOf := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i + 1
			}
		}
		t.Fatalf("no line %q", prefix)
		return 0
	}
	for _, tt := range []struct {
		key  string
		want int
	}{
		{"str", lineOf("str:")},
		{"base", lineOf("  replicas:")},
		{"block", lineOf("  two")},
		{"nested", lineOf("    - y")},
		{"list", lineOf("  - 7")},
		{"same", lineOf("  - 7")}, // the alias followed to its anchor's text
	} {
		if got := LastLine(MapGet(root, tt.key)); got != tt.want {
			t.Errorf("LastLine(%s) = %d, want %d", tt.key, got, tt.want)
		}
	}
	if got := LastLine(root); got != lineOf("    - y") {
		t.Errorf("LastLine(root) = %d", got)
	}
}

func TestHasAnchors(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"a: 1\nb: [x, y]\n", false},
		{"a: &x 1\n", true},
		{"a: &x 1\nb: *x\n", true},
		{"base: {a: 1}\nc:\n  <<: {b: 2}\n", true},
		{"a:\n  b:\n    - c: &deep 1\n", true},
	} {
		if got := HasAnchors(nodeOf(t, tt.text)); got != tt.want {
			t.Errorf("HasAnchors(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if HasAnchors(nil) {
		t.Error("HasAnchors(nil)")
	}
}

func TestLookupPath(t *testing.T) {
	root := nodeOf(t, nodeDoc)
	at, v := lookupPath(root, []string{"nested", "deep", "1"})
	if at == nil || at.Value != "y" || v != at {
		t.Errorf("sequence item: at %v value %v", at, v)
	}
	at, v = lookupPath(root, []string{"alias", "replicas"})
	if at == nil || at.Value != "replicas" || v.Value != "3" {
		t.Errorf("through an alias: at %v value %v", at, v)
	}
	for _, keys := range [][]string{{"nested", "deep", "01"}, {"nested", "deep", "2"}, {"nested", "deep", "-1"}, {"str", "x"}, {"missing"}} {
		if at, v := lookupPath(root, keys); at != nil || v != nil {
			t.Errorf("lookupPath(%v) = %v, %v, want nothing", keys, at, v)
		}
	}
	if at, v := lookupPath(root, nil); at != nil || v != root {
		t.Error("lookupPath with no keys is not (nil, root)")
	}
	var doc yaml.Node
	_ = yaml.Unmarshal([]byte(nodeDoc), &doc)
	if at, _ := lookupPath(&doc, []string{"str"}); at == nil || at.Value != "str" {
		t.Error("a document node does not stand for its content")
	}
}
