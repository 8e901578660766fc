package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/benchdata"
)

// BenchmarkDiff500 runs the whole CLI on a unified diff that touches 500
// manifests (the files are read from disk, as with `git diff | kubeready
// --diff -`).
func BenchmarkDiff500(b *testing.B) {
	dir := b.TempDir()
	var diff strings.Builder
	for i, f := range benchdata.Workloads(500) {
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
		code := Run(context.Background(), []string{"--diff", "-", "--scope", "lines", "--format", "json"},
			strings.NewReader(diff.String()), io.Discard, io.Discard)
		if code != ExitFindings {
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
	gen := benchdata.Workloads(50)
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
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitFindings {
				b.Fatal(err)
			}
		}
		peak = max(peak, peakRSSMiB(cmd))
	}
	b.ReportMetric(float64(peak), "MiB-peak-RSS")
}
