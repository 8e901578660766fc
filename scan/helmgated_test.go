package scan

import (
	"fmt"
	"strings"
	"testing"
)

func TestGatedIn(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string // "line:col apiVersion kind caps condition"
	}{
		{"if", "{{- if .Values.psp.enabled }}\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{- end }}\n",
			[]string{"2:13 policy/v1beta1 PodSecurityPolicy false `.Values.psp.enabled`"}},
		{"ungated", "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n", nil},
		{"with and nested if", "{{- with .Values.hpa }}\n{{- if .enabled }}\napiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n    apiVersion: extensions/v1beta1\n    kind: Deployment\n{{- end }}\n{{- end }}\n",
			[]string{"3:13 autoscaling/v2beta1 HorizontalPodAutoscaler false `.Values.hpa.enabled`"}},
		{"else with kind after the branch", "{{- if .Capabilities.APIVersions.Has \"policy/v1\" }}\napiVersion: policy/v1\n{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\nkind: PodDisruptionBudget\n",
			[]string{"2:13 policy/v1 PodDisruptionBudget true `.Capabilities.APIVersions.Has \"policy/v1\"`",
				"4:13 policy/v1beta1 PodDisruptionBudget true `not (.Capabilities.APIVersions.Has \"policy/v1\")`"}},
		{"else of a value", "{{ if .Values.new }}\napiVersion: networking.k8s.io/v1\n{{ else }}\napiVersion: extensions/v1beta1\n{{ end }}\nkind: Ingress\n",
			[]string{"2:13 networking.k8s.io/v1 Ingress false `.Values.new`", "4:13 extensions/v1beta1 Ingress false `not (.Values.new)`"}},
		{"templated apiVersion", "{{ if .Values.x }}\napiVersion: {{ .Values.api }}\nkind: Ingress\n{{ end }}\n", nil},
		{"two documents", "{{ if .Values.x }}\napiVersion: policy/v1beta1\nmetadata: {}\n---\napiVersion: v1\nkind: ConfigMap\n{{ end }}\n",
			[]string{"5:13 v1 ConfigMap false `.Values.x`"}},
		{"quoted and commented", "{{ if .Values.x }}\napiVersion: \"batch/v1beta1\" # old\nkind: 'CronJob'\n{{ end }}\n",
			[]string{"2:14 batch/v1beta1 CronJob false `.Values.x`"}},
		{"does not parse", "{{ if }}\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n", nil},
		{"define is not read", "{{ define \"x\" }}{{ if .Values.x }}\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{ end }}{{ end }}\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range gatedIn("t.yaml", []byte(tt.src), nil) {
				got = append(got, fmt.Sprintf("%d:%d %s %s %v %s", g.Pos.Line, g.Pos.Col, g.APIVersion, g.Kind, g.Capabilities, g.Condition()))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// FuzzGatedIn: any template text gives no panic and only positions inside it.
func FuzzGatedIn(f *testing.F) {
	f.Add("{{ if .Values.x }}\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{ end }}\n")
	f.Add("{{ with .a }}{{ range .b }}\napiVersion: a/b\n{{ else }}\napiVersion: c\n{{ end }}kind: X\n{{ end }}")
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Count(src, "\n") + 1
		for _, g := range gatedIn("t.yaml", []byte(src), nil) {
			if g.Pos.Line < 1 || g.Pos.Line > lines || g.Kind == "" {
				t.Fatalf("bad %+v", g)
			}
		}
	})
}
