{{- define "c.affinity" -}}
nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - key: beta.kubernetes.io/arch
        operator: In
        values: [amd64]
{{- end }}
{{- define "c.image" -}}
k8s.gcr.io/pause:3.1
{{- end }}
{{- define "c.quoted" -}}
k8s.gcr.io/quoted:1.0
{{- end }}
