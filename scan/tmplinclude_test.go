package scan

import (
	"slices"
	"testing"
)

func TestUnindent(t *testing.T) {
	text, offs, ok := unindent([]byte("\n    a: 1\n    b:\n      c: 2"), 4, true)
	if !ok || string(text) != "a: 1\nb:\n  c: 2" || offs[0] != 5 || offs[5] != 14 {
		t.Errorf("nindent: %q %v %v", text, offs, ok)
	}
	if _, _, ok := unindent([]byte("  a\n b"), 2, false); ok {
		t.Error("a line short of the indentation unindented")
	}
	if text, _, ok := unindent([]byte("x"), 0, false); !ok || string(text) != "x" {
		t.Errorf("no indent: %q", text)
	}
}

func TestIncludeActions(t *testing.T) {
	src := []byte("a: {{ include \"x\" . }}\nb:\n  {{- include \"y\" .Values | nindent 2 }}\nc: {{ include \"z\" . | quote }}\n{{ template \"w\" . }}\n")
	a, _, ok := compileTemplate("t", src, false, nil)
	if !ok {
		t.Fatal("does not compile")
	}
	var got []string
	for _, act := range a.actions {
		got = append(got, act.Include)
	}
	if !slices.Equal(got, []string{"x", "y", "", "w"}) {
		t.Errorf("includes %q", got)
	}
	if x, y := a.actions[0], a.actions[1]; !x.RootDot || y.RootDot || y.Indent != 2 || !y.NIndent {
		t.Errorf("actions %+v %+v", x, y)
	}
}
