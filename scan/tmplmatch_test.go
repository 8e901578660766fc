package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// traceLine traces the first non-space byte of the output line holding
// needle and returns the template line it came from (0 when not traced) and
// whether it came from an action.
// A "|" in needle marks the byte to trace (default: the first).
func traceLine(t *testing.T, m *TemplateMatch, src, out, needle string) (line int, action bool, values string) {
	t.Helper()
	at := strings.IndexByte(needle, '|')
	if at < 0 {
		at = 0
	} else {
		needle = needle[:at] + needle[at+1:]
	}
	i := strings.Index(out, needle)
	if i < 0 {
		t.Fatalf("output has no %q", needle)
	}
	i += at
	tr, ok := m.Trace(i)
	if !ok {
		return 0, false, ""
	}
	tf := NewFile("t", []byte(src))
	if tr.Src >= 0 {
		return tf.PosAt(tr.Src).Line, false, ""
	}
	return tf.PosAt(tr.Action.Pos).Line, true, strings.Join(tr.Action.Values, ".")
}

func TestTraceTemplate(t *testing.T) {
	type query struct {
		needle string
		line   int // 0: not traced (ambiguous)
		action bool
		values string
	}
	tests := []struct {
		name     string
		src, out string
		floating bool
		queries  []query
	}{
		{
			name: "else branch of a capabilities switch",
			src: `{{- if .Capabilities.APIVersions.Has "policy/v1" }}
apiVersion: policy/v1
{{- else }}
apiVersion: policy/v1beta1
{{- end }}
kind: PodDisruptionBudget
metadata:
  name: {{ include "x.fullname" . }}
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  minAvailable: {{ .Values.pdb.minAvailable }}
`,
			out: `
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: rel-x
  labels:
    app: x
    kind: fake
spec:
  minAvailable: 1
`,
			queries: []query{
				{"apiVersion: policy/v1beta1", 4, false, ""},
				{"kind: PodDisruptionBudget", 6, false, ""},
				{"app: x", 10, true, ""},
				{"kind: fake", 10, true, ""},
				{"minAvailable", 12, false, ""},
				{"minAvailable: |1", 12, true, "pdb.minAvailable"},
			},
		},
		{
			name: "apiVersion written by an expression",
			src:  "apiVersion: {{ include \"psp.apiVersion\" . }}\nkind: PodSecurityPolicy\n",
			out:  "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n",
			queries: []query{
				{"apiVersion", 1, false, ""},
				{"apiVersion: |policy/v1beta1", 1, true, ""},
				{"kind", 2, false, ""},
			},
		},
		{
			name: "range repeats the body; with binds dot to values",
			src: `items:
{{- range .Values.items }}
  - name: {{ .name }}
    fixed: yes
{{- end }}
{{- with .Values.extra }}
extra:
  {{- toYaml . | nindent 2 }}
{{- end }}
`,
			out: `items:
  - name: a
    fixed: yes
  - name: b
    fixed: yes
extra:
  deep:
    key: 1
`,
			queries: []query{
				{"  - name: b", 3, false, ""},
				{"fixed", 4, false, ""},
				{"deep", 8, true, "extra"},
				{"key: 1", 8, true, "extra"},
			},
		},
		{
			name: "two adjacent actions split their output ambiguously",
			src:  "image: {{ .Values.repo }}{{ .Values.tag }}\n",
			out:  "image: nginx1.25\n",
			queries: []query{
				{"image", 1, false, ""},
				{"nginx", 0, false, ""},
			},
		},
		{
			name: "the same text in two optional branches is ambiguous",
			src:  "{{ if .a }}x: 1\n{{ end }}{{ if .b }}x: 1\n{{ end }}",
			out:  "x: 1\n",
			queries: []query{
				{"x: 1", 0, false, ""},
			},
		},
		{
			name: "variables, comments, break and continue",
			src: `{{- /* a comment */ -}}
{{- $name := .Release.Name }}
{{- range $i, $v := .Values.list }}
{{- if eq $i 2 }}{{ break }}{{ end }}
{{- if eq $i 0 }}{{ continue }}{{ end }}
- item: {{ $v }}
{{- end }}
name: {{ $name }}
`,
			out: "\n- item: b\nname: rel\n",
			queries: []query{
				{"- item", 6, false, ""},
				{"name: rel", 8, false, ""},
				{"name: |rel", 8, true, ""},
			},
		},
		{
			name:     "a document cut from the middle of the output",
			src:      "a: 1\n---\n# comment\nkind: {{ .Values.kind }}\nb: 2\n",
			out:      "kind: Job\nb: 2\n",
			floating: true,
			queries: []query{
				{"kind", 4, false, ""},
				{"kind: |Job", 4, true, "kind"},
				{"b: 2", 5, false, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MatchTemplate("t", []byte(tt.src), []byte(tt.out), tt.floating)
			if m == nil {
				t.Fatal("output does not align with the template")
			}
			for _, q := range tt.queries {
				line, action, values := traceLine(t, m, tt.src, tt.out, q.needle)
				if line != q.line || action != q.action || values != q.values {
					t.Errorf("%q: got line %d action %v values %q, want line %d action %v values %q",
						q.needle, line, action, values, q.line, q.action, q.values)
				}
			}
		})
	}
}

func TestMatchTemplateFails(t *testing.T) {
	if m := MatchTemplate("t", []byte("a: {{ .x }}\nb: 2\n"), []byte("a: 1\nc: 3\n"), false); m != nil {
		t.Error("output that the template cannot produce aligned")
	}
	if m := MatchTemplate("t", []byte("a: {{ .x \n"), []byte("a: 1\n"), false); m != nil {
		t.Error("a template that does not parse aligned")
	}
	var nilMatch *TemplateMatch
	if _, ok := nilMatch.Trace(0); ok {
		t.Error("nil match traced")
	}
}

// FuzzMatchTemplate checks that alignment never panics and that every byte
// it traces to template text is that very byte.
func FuzzMatchTemplate(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/helm/*/templates/*.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		f.Add(data, data)
		f.Add(data, bytes.ReplaceAll(data, []byte("{{"), []byte("x")))
	}
	f.Add([]byte("a: {{ .Values.a }}\n{{ range .b }}- {{ . }}\n{{ end }}"), []byte("a: 1\n- x\n- y\n"))
	f.Fuzz(func(t *testing.T, src, out []byte) {
		if len(src) > 4096 || len(out) > 4096 {
			return
		}
		for _, floating := range []bool{false, true} {
			m := MatchTemplate("t", src, out, floating)
			if m == nil {
				continue
			}
			for o := range out {
				tr, ok := m.Trace(o)
				if !ok {
					continue
				}
				if tr.Src >= 0 && (tr.Src >= len(src) || src[tr.Src] != out[o]) {
					t.Fatalf("output byte %d (%q) traced to template byte %d", o, out[o], tr.Src)
				}
				if tr.Start > o || tr.End <= o {
					t.Fatalf("output byte %d outside its stretch [%d,%d)", o, tr.Start, tr.End)
				}
			}
		}
	})
}

func TestTraceWithValues(t *testing.T) {
	src := `metadata:
  labels:
    {{- include "x.labels" . | nindent 4 }}
{{- if .Values.extraLabels }}
{{ toYaml .Values.extraLabels | indent 4 }}
{{- end }}
spec: {}
`
	out := "metadata:\n  labels:\n    app: x\n    tier: web\nspec: {}\n"
	if m := MatchTemplate("t", []byte(src), []byte(out), false); m == nil {
		t.Fatal("no alignment")
	} else if line, _, _ := traceLine(t, m, src, out, "tier"); line != 0 {
		t.Errorf("without values, tier traced to line %d; the text alone cannot tell", line)
	}
	vals := map[string]any{"extraLabels": map[string]any{}}
	m := matchTemplate("t", []byte(src), []byte(out), false, vals)
	if m == nil {
		t.Fatal("no alignment with values")
	}
	if line, action, _ := traceLine(t, m, src, out, "tier"); line != 3 || !action {
		t.Errorf("with values, tier traced to line %d (action %v), want the include on line 3", line, action)
	}
}
