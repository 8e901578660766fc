{{/* The CronJob API the cluster serves. */}}
{{- define "cronjob.apiVersion" -}}
{{- if .Capabilities.APIVersions.Has "batch/v1/CronJob" -}}
batch/v1
{{- else -}}
batch/v1beta1
{{- end -}}
{{- end -}}
