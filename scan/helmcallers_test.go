package scan

import (
	"slices"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
)

func TestCallersOf(t *testing.T) {
	tmpl := func(data string) *common.File { return &common.File{Data: []byte(data)} }
	templates := map[string]*common.File{
		"c/templates/_helpers.tpl": tmpl("{{- define \"c.name\" -}}\nname\n{{- end }}\n" +
			"{{- define \"c.boom\" -}}\n{{ fail \"boom\" }}\n{{- end }}\n" +
			"{{- define \"c.wrap\" -}}\n{{ template \"c.boom\" . }}\n{{- end }}\n"),
		"c/templates/a.yaml": tmpl("x: {{ template \"c.boom\" . }}\n"),
		"c/templates/b.yaml": tmpl("{{ if .Values.x }}y: {{ include \"c.wrap\" . | quote }}{{ end }}\n"),
		"c/templates/c.yaml": tmpl("name: {{ template \"c.name\" . }}\n"),
		"c/templates/d.yaml": tmpl("{{ range .Values.l }}{{ template \"c.wrap\" . }}{{ end }}\n"),
	}
	if got, want := callersOf(templates, "c/templates/_helpers.tpl", 5), []string{"c/templates/a.yaml", "c/templates/b.yaml", "c/templates/d.yaml"}; !slices.Equal(got, want) {
		t.Errorf("callers of c.boom = %v, want %v", got, want)
	}
	if got, want := callersOf(templates, "c/templates/_helpers.tpl", 2), []string{"c/templates/c.yaml"}; !slices.Equal(got, want) {
		t.Errorf("callers of c.name = %v, want %v", got, want)
	}
	if got := callersOf(templates, "c/templates/missing.tpl", 1); got != nil {
		t.Errorf("unknown file: %v", got)
	}
}
