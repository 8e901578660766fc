{{/* The PodSecurityPolicy API group this cluster serves. */}}
{{- define "agent.psp.apiVersion" -}}
{{- if semverCompare "<1.10-0" .Capabilities.KubeVersion.Version -}}
extensions/v1beta1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}
