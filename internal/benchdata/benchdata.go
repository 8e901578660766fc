// Package benchdata generates the manifests kubeready's benchmarks scan:
// workloads shaped like real services, large CRDs, and the repository
// corpus of ../shared/corpus (when present) padded to the measured mix.
package benchdata

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/sharedref"
	"github.com/kubeready/kubeready/scan"
)

// RepoCorpus is ../shared/corpus (plain manifests) plus generated documents
// shaped like the repositories we measured: about 70% of the bytes in
// CustomResourceDefinitions.
func RepoCorpus(b testing.TB) []*scan.File {
	var files []*scan.File
	_ = filepath.WalkDir("../shared/corpus", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !scan.IsManifestName(p) || strings.Contains(p, "/templates/") {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil {
			files = append(files, scan.NewFile(p, data))
		}
		return nil
	})
	if len(files) == 0 {
		sharedref.Missing(b, "../shared/corpus")
	}
	plain := TotalSize(files)
	files = append(files, Workloads(200)...)
	other := TotalSize(files)
	// CRDs make up 70% of all bytes: crd = 0.7 * (crd + other)
	want := other * 7 / 3
	for i := 0; want > 0; i++ {
		f := scan.NewFile(fmt.Sprintf("gen/crd-%d.yaml", i), CRD(i))
		files = append(files, f)
		want -= len(f.Data)
	}
	b.Logf("repo corpus: %d files, %d KiB (%d KiB from ../shared/corpus), %.0f%% CRD bytes",
		len(files), TotalSize(files)>>10, plain>>10, 100*float64(TotalSize(files)-other)/float64(TotalSize(files)))
	return files
}

func TotalSize(files []*scan.File) int {
	n := 0
	for _, f := range files {
		n += len(f.Data)
	}
	return n
}

// Workloads generates n files of workloads, services and config.
func Workloads(n int) []*scan.File {
	var files []*scan.File
	for i := 0; i < n; i++ {
		var sb strings.Builder
		api := "apps/v1"
		if i%5 == 0 {
			api = "apps/v1beta2"
		}
		fmt.Fprintf(&sb, `# service %[1]d
apiVersion: %[2]s
kind: Deployment
metadata:
  name: svc-%[1]d
  namespace: team-%[3]d
  labels: {app: svc-%[1]d, tier: backend}
  annotations:
    description: "generated workload %[1]d"
spec:
  replicas: 3
  selector:
    matchLabels: {app: svc-%[1]d}
  template:
    metadata:
      labels: {app: svc-%[1]d}
    spec:
      serviceAccountName: svc-%[1]d
      containers:
        - name: app
          image: registry.example.com/svc-%[1]d:1.%[1]d.0
          args: ["--port=8080", "--log-level=info"]
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: MODE, value: production}
            - {name: REGION, value: eu-west-1}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 512Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
          volumeMounts:
            - {name: config, mountPath: /etc/svc}
      volumes:
        - name: config
          configMap: {name: svc-%[1]d}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-%[1]d
  namespace: team-%[3]d
spec:
  selector: {app: svc-%[1]d}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: svc-%[1]d
  namespace: team-%[3]d
data:
  config.yaml: |
    listen: :8080
    upstreams: [a, b, c]
`, i, api, i%7)
		files = append(files, scan.NewFile(fmt.Sprintf("gen/workload-%d.yaml", i), []byte(sb.String())))
	}
	return files
}

// CRD generates a CustomResourceDefinition of about 150 KB with a deep schema.
func CRD(i int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets%[1]d.example.com
  annotations:
    controller-gen.kubebuilder.io/version: v0.14.0
spec:
  group: example.com
  names: {kind: Widget%[1]d, plural: widgets%[1]d, singular: widget%[1]d}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
`, i)
	for f := 0; f < 400; f++ {
		fmt.Fprintf(&sb, `            field%[1]d:
              description: Field %[1]d configures one aspect of the widget; it is documented at length as generated CRDs are.
              type: object
              properties:
                name: {type: string, maxLength: 253}
                replicas: {type: integer, format: int32, minimum: 0}
                selector:
                  type: object
                  additionalProperties: {type: string}
`, f)
	}
	return []byte(sb.String())
}

// DrainSet generates n files for the set rules (PodDisruptionBudgets and
// HorizontalPodAutoscalers against workloads), one object each, in 50
// namespaces and a fifth of them without one (left to the apply): per group
// of four files, two Deployments, a PodDisruptionBudget selecting the first
// (maxUnavailable: 1, or every tenth minAvailable: 1) and an HPA scaling the
// second. Every workload carries the same two common labels, as charts and
// kustomize commonLabels write them.
func DrainSet(n int) []*scan.File {
	files := make([]*scan.File, 0, n)
	for i := 0; i < n; i++ {
		g := i / 4
		ns := fmt.Sprintf("\n  namespace: team-%d", g%50)
		if g%5 == 0 {
			ns = ""
		}
		var src string
		switch i % 4 {
		case 0, 1:
			replicas := "3"
			if g%3 == 0 {
				replicas = "1"
			}
			src = fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d-%[2]d%[3]s
  labels: {app.kubernetes.io/part-of: shop, app.kubernetes.io/managed-by: kustomize, app: app-%[1]d-%[2]d}
spec:
  replicas: %[4]s
  selector:
    matchLabels: {app: app-%[1]d-%[2]d}
  template:
    metadata:
      labels: {app.kubernetes.io/part-of: shop, app.kubernetes.io/managed-by: kustomize, app: app-%[1]d-%[2]d}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:%[1]d
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
`, g, i%4, ns, replicas)
		case 2:
			budget := "maxUnavailable: 1"
			if g%10 == 0 {
				budget = "minAvailable: 1"
			}
			src = fmt.Sprintf(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: app-%[1]d-0%[2]s
spec:
  %[3]s
  selector:
    matchLabels: {app.kubernetes.io/part-of: shop, app: app-%[1]d-0}
`, g, ns, budget)
		case 3:
			src = fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-%[1]d-1%[2]s
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%[1]d-1}
  minReplicas: 2
  maxReplicas: 10
`, g, ns)
		}
		files = append(files, scan.NewFile(fmt.Sprintf("gen/drain-%05d.yaml", i), []byte(src)))
	}
	return files
}
