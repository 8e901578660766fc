package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kubeready/kubeready/internal/benchdata"
	"github.com/kubeready/kubeready/internal/sharedref"
)

// benchManifest is one file of a typical application: a Deployment, its
// Service, an HPA at a deprecated version and a CronJob at a removed one.
const benchManifest = `# app %[1]d
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team
  labels: {app: app-%[1]d}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: {app: app-%[1]d}
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.9
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: app-%[1]d
  namespace: team
spec:
  selector: {app: app-%[1]d}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: app-%[1]d
  namespace: team
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%[1]d}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: app-%[1]d-report
  namespace: team
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.k8s.io/busybox:1.36
`

// BenchmarkProcess times the binary as a whole process, the way a
// pre-commit hook runs it: start-up, configuration lookup, and a check of
// the files named on the command line.
func BenchmarkProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kubeready")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	repo := b.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	var files []string
	for i := range 20 {
		name := fmt.Sprintf("app-%02d.yaml", i)
		if err := os.WriteFile(filepath.Join(repo, name), []byte(fmt.Sprintf(benchManifest, i)), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, name)
	}
	for _, bc := range []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"startup", []string{"--version"}, ExitClean},
		{"20files", files, ExitFindings},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(bin, bc.args...)
				cmd.Dir = repo
				out, err := cmd.Output()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					b.Fatal(err)
				}
				if code != bc.wantCode || (bc.name == "20files" && !strings.Contains(string(out), "in 20 files, 80 documents")) {
					b.Fatalf("exit %d, want %d:\n%s", code, bc.wantCode, out)
				}
			}
		})
	}
}

// runBin runs bin with args in dir and returns its peak RSS in KiB.
func runBin(b *testing.B, bin, dir string, stdin []byte, args ...string) int64 {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		b.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// BenchmarkProcessCorpus runs the binary as a process on the shared
// corpora (start-up included) and, when pluto is on PATH (go install
// github.com/fairwindsops/pluto/v5@latest), pluto on the same tree:
// kubeflow-manifests from inside it (every kustomization built),
// kubernetes-examples (plain manifests), 20,000 generated files of
// Deployments, PodDisruptionBudgets and HPAs, and a 50-file pull-request run
// (--diff of 50 changed files). Reports peak RSS in MiB.
func BenchmarkProcessCorpus(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kubeready")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	kubeflow, _ := filepath.Abs(sharedref.Path(b, "corpus", "kubeflow-manifests"))
	examples, _ := filepath.Abs("testdata/corpus/kubernetes-examples") // in the repository (testdata/corpus/PROVENANCE.md)
	pr := b.TempDir()
	var diff bytes.Buffer
	for i := range 50 {
		name := fmt.Sprintf("app-%02d.yaml", i)
		body := fmt.Sprintf(benchManifest, i)
		if err := os.WriteFile(filepath.Join(pr, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		fmt.Fprintf(&diff, "--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", name, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&diff, "+%s\n", l)
		}
	}
	if err := os.Mkdir(filepath.Join(pr, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	synthetic := b.TempDir()
	for _, f := range benchdata.DrainSet(20000) {
		p := filepath.Join(synthetic, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	pluto, _ := exec.LookPath("pluto")
	for _, bc := range []struct {
		name, bin, dir string
		stdin          []byte
		args           []string
	}{
		{"kubeflow/kubeready", bin, kubeflow, nil, []string{"--format", "json", "."}},
		{"kubeflow/pluto", pluto, kubeflow, nil, []string{"detect-files", "-d", ".", "-o", "json"}},
		{"examples/kubeready", bin, examples, nil, []string{"--format", "json", "."}},
		{"examples/pluto", pluto, examples, nil, []string{"detect-files", "-d", ".", "-o", "json"}},
		{"drain20000/kubeready", bin, synthetic, nil, []string{"--format", "json", "."}},
		{"drain20000/pluto", pluto, synthetic, nil, []string{"detect-files", "-d", ".", "-o", "json"}},
		{"pr50/kubeready", bin, pr, diff.Bytes(), []string{"--diff", "-"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.bin == "" {
				b.Skip("pluto is not on PATH")
			}
			var rss int64
			for b.Loop() {
				rss = max(rss, runBin(b, bc.bin, bc.dir, bc.stdin, bc.args...))
			}
			b.ReportMetric(float64(rss)/1024, "peak-MiB")
		})
	}
}
