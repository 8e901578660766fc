package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// repoCorpus is ../shared/corpus (plain manifests) plus generated documents
// shaped like the repositories we measured: about 70% of the bytes in
// CustomResourceDefinitions.
func repoCorpus(b *testing.B) []*scan.File {
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
		b.Skip("../shared/corpus not found")
	}
	plain := totalSize(files)
	files = append(files, workloadCorpus(200)...)
	other := totalSize(files)
	// CRDs make up 70% of all bytes: crd = 0.7 * (crd + other)
	want := other * 7 / 3
	for i := 0; want > 0; i++ {
		f := scan.NewFile(fmt.Sprintf("gen/crd-%d.yaml", i), crd(i))
		files = append(files, f)
		want -= len(f.Data)
	}
	b.Logf("repo corpus: %d files, %d KiB (%d KiB from ../shared/corpus), %.0f%% CRD bytes",
		len(files), totalSize(files)>>10, plain>>10, 100*float64(totalSize(files)-other)/float64(totalSize(files)))
	return files
}

func totalSize(files []*scan.File) int {
	n := 0
	for _, f := range files {
		n += len(f.Data)
	}
	return n
}

// workloadCorpus generates n files of workloads, services and config.
func workloadCorpus(n int) []*scan.File {
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

// crd generates a CustomResourceDefinition of about 150 KB with a deep schema.
func crd(i int) []byte {
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

// benchEnv is the environment of a plain text run (no fixes built).
func benchEnv() checks.Env {
	return checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS, NoFixes: true}
}

// BenchmarkScan is the full scan (signature pass, parse where a rule needs
// it, every enabled rule) over in-memory files.
func BenchmarkScan(b *testing.B) {
	for _, c := range benchCorpora(b) {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(b *testing.B) {
				b.SetBytes(int64(totalSize(c.files)))
				for b.Loop() {
					e := newEngine(benchEnv(), workers, nil) // one run each
					e.each(context.Background(), len(c.files), func(i int) fileResult {
						return e.checkFile(scan.NewFile(c.files[i].Path, c.files[i].Data))
					}, func(i int) int64 { return int64(len(c.files[i].Data)) })
				}
			})
		}
	}
}

// BenchmarkParseOnly parses the same files fully into Nodes and nothing else:
// the baseline the signature pass must beat.
func BenchmarkParseOnly(b *testing.B) {
	for _, c := range benchCorpora(b) {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(b *testing.B) {
				e := newEngine(benchEnv(), workers, nil)
				b.SetBytes(int64(totalSize(c.files)))
				for b.Loop() {
					e.each(context.Background(), len(c.files), func(i int) fileResult {
						docs, _ := scan.ParseNode(scan.NewFile(c.files[i].Path, c.files[i].Data))
						return fileResult{documents: len(docs)}
					}, func(i int) int64 { return int64(len(c.files[i].Data)) })
				}
			})
		}
	}
}

type corpus struct {
	name  string
	files []*scan.File
}

func benchCorpora(b *testing.B) []corpus {
	tuneGC()
	return []corpus{{"repo", repoCorpus(b)}, {"workloads", workloadCorpus(300)}}
}

// BenchmarkDiff500 runs the whole CLI on a unified diff that touches 500
// manifests (the files are read from disk, as with `git diff | kubeready
// --diff -`).
func BenchmarkDiff500(b *testing.B) {
	dir := b.TempDir()
	var diff strings.Builder
	for i, f := range workloadCorpus(500) {
		name := fmt.Sprintf("deploy/svc-%03d.yaml", i)
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&diff, "diff --git a/%[1]s b/%[1]s\n--- a/%[1]s\n+++ b/%[1]s\n@@ -2,3 +2,3 @@\n # context\n-apiVersion: apps/v1\n+apiVersion: apps/v1beta2\n kind: Deployment\n", name)
	}
	b.Chdir(dir)
	for b.Loop() {
		code := run(context.Background(), []string{"--diff", "-", "--scope", "lines", "--format", "json"},
			strings.NewReader(diff.String()), io.Discard, io.Discard)
		if code != exitFindings {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkScan20k runs the built binary over 20,000 generated manifest
// files and reports its peak RSS (issue: under 300 MiB).
func BenchmarkScan20k(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kubeready")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	dir := b.TempDir()
	gen := workloadCorpus(50)
	for i := 0; i < 20000; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("team-%02d", i%100))
		if i < 100 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		docs := strings.Split(string(gen[i%len(gen)].Data), "---\n")
		name := filepath.Join(sub, fmt.Sprintf("m-%05d.yaml", i))
		if err := os.WriteFile(name, []byte(docs[i%len(docs)]), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	var peak int64
	for b.Loop() {
		cmd := exec.Command(bin, "--format", "json", dir)
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFindings {
				b.Fatal(err)
			}
		}
		peak = max(peak, peakRSSMiB(cmd))
	}
	b.ReportMetric(float64(peak), "MiB-peak-RSS")
}
