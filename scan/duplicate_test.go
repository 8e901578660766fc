package scan

import (
	"fmt"
	"strings"
	"testing"
)

// TestDuplicateKeys: a mapping key given twice makes the document a
// ParseError at the second line, naming both; merge keys and different keys
// with equal values do not.
func TestDuplicateKeys(t *testing.T) {
	tests := []struct {
		name, src string
		line      int    // 0: no error
		msg       string // substring
	}{
		{"top level", "apiVersion: extensions/v1beta1\nkind: Deployment\napiVersion: apps/v1\nmetadata: {name: a}\n", 3, `"apiVersion" is defined twice, on lines 1 and 3`},
		{"nested, second document", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels:\n    x: \"1\"\n    x: \"2\"\n", 11, `"x" is defined twice, on lines 10 and 11`},
		{"flow mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n", 3, `"name" is defined twice, on lines 3 and 3`},
		{"quoted and plain", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  \"k\": a\n  k: b\n", 6, `"k" is defined twice`},
		{"merge keys", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &a {p: 1}\ndata:\n  <<: *a\n  <<: {q: 2}\n", 0, ""},
		{"equal values", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: x\n  b: x\n", 0, ""},
		{"large mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n" + manyKeys(40) + "  k7: again\n", 45, `"k7" is defined twice, on lines 12 and 45`},
	}
	for _, tt := range tests {
		for _, parse := range []func(*File) ([]*Document, []*ParseError){Parse, ParseNode} {
			docs, errs := parse(NewFile("x.yaml", []byte(tt.src)))
			for _, d := range docs { // a document the line scan signed parses on use
				if _, err := d.Node(); err != nil {
					pe, _ := err.(*ParseError)
					errs = append(errs, pe)
				}
			}
			if tt.line == 0 {
				if len(errs) != 0 {
					t.Errorf("%s: unexpected %v", tt.name, errs[0])
				}
				continue
			}
			if len(errs) != 1 || errs[0] == nil {
				t.Errorf("%s: got %d errors, want 1", tt.name, len(errs))
				continue
			}
			if errs[0].Line != tt.line || !strings.Contains(errs[0].Msg, tt.msg) {
				t.Errorf("%s: got line %d %q, want line %d containing %q", tt.name, errs[0].Line, errs[0].Msg, tt.line, tt.msg)
			}
		}
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	return b.String()
}
