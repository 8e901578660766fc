package scan

import (
	"testing"
	"text/template/parse"
)

func TestCond(t *testing.T) {
	vals := map[string]any{
		"on": true, "off": false, "name": "pvc", "empty": map[string]any{}, "list": []any{"a"},
		"nested": map[string]any{"enabled": true},
	}
	tests := []struct {
		expr        string
		taken, know bool
	}{
		{".Values.on", true, true},
		{".Values.off", false, true},
		{".Values.missing", false, true},
		{".Values.empty", false, true},
		{".Values.list", true, true},
		{"$.Values.nested.enabled", true, true},
		{"not .Values.on", false, true},
		{"and .Values.on .Values.off", false, true},
		{"or .Values.off .Values.nested.enabled", true, true},
		{"and .Values.off .Release.Name", false, true},
		{"or .Values.off .Release.Name", false, false},
		{`eq .Values.name "pvc"`, true, true},
		{`ne .Values.name "pvc"`, false, true},
		{"eq .Values.on 1", false, false},
		{`semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version`, false, false},
		{".Release.Name", false, false},
		{"(not .Values.off)", true, true},
	}
	for _, tt := range tests {
		tr := parse.New("t")
		tr.Mode = parse.SkipFuncCheck
		tree, err := tr.Parse("{{ if "+tt.expr+" }}x{{ end }}", "", "", map[string]*parse.Tree{})
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		ifn := tree.Root.Nodes[0].(*parse.IfNode)
		c := &compiler{vals: vals}
		taken, known := c.cond(ifn.Pipe, dotRoot())
		if taken != tt.taken || known != tt.know {
			t.Errorf("%s: got %v known %v, want %v known %v", tt.expr, taken, known, tt.taken, tt.know)
		}
	}
}
