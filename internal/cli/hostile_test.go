package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyDir copies the files of src (not recursive) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHostile runs the real binary on testdata/hostile plus a 50 MiB file
// and a file of 10,000 documents, and checks that every problem gives one
// clear finding, the real findings survive, and time and memory stay
// bounded.
func TestHostile(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	copyDir(t, "testdata/hostile", dir)
	for _, chart := range []string{"chart-fail", "chart-cycle", "chart-slow", "kustomize-spoof"} {
		if err := os.CopyFS(filepath.Join(dir, chart), os.DirFS(filepath.Join("testdata/hostile", chart))); err != nil {
			t.Fatal(err)
		}
	}

	writeBig(t, filepath.Join(dir, "fifty-mib.yaml"), 50<<20)

	var many strings.Builder
	for i := 0; i < 9999; i++ {
		fmt.Fprintf(&many, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n", i)
	}
	many.WriteString("---\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: last-of-10000\n")
	write(t, filepath.Join(dir, "ten-thousand.yaml"), many.String())
	many.Reset()
	// ru_maxrss of a child counts the parent's memory at fork time (vfork):
	// give back what the test holds so the figure is the child's.
	runtime.GC()
	debug.FreeOSMemory()

	start := time.Now()
	cmd := exec.Command(bin, "--format", "json", "--helm-timeout", "2s", dir)
	out, err := cmd.Output()
	elapsed := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	rssMiB := peakRSSMiB(cmd)

	var rep struct {
		Findings []struct {
			File, Rule, Message string
			Line                int
		}
		Stats struct {
			Files, Documents int
			Skipped          []struct{ File, Reason string }
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]bool{}
	for _, f := range rep.Findings {
		got[fmt.Sprintf("%s:%d %s", filepath.Base(f.File), f.Line, f.Rule)] = true
	}
	for _, want := range []string{
		"good.yaml:1 api-removed",             // the real finding beside the hostile files
		"crlf-lf-mix.yaml:6 api-removed",      // mixed line endings: right line
		"invalid-utf8.yaml:4 invalid-yaml",    // at the bad line
		"nul-bytes.yaml:2 invalid-yaml",       // at the bad line
		"fifty-mib.yaml:1 file-too-large",     // skipped, said once
		"ten-thousand.yaml:49997 api-removed", // every one of 10,000 documents checked
		"alias-bomb-workload.yaml:1 api-removed",
		"deep-nesting.yaml:1 limit-exceeded", // 200 levels: not given to rules
		"deep-flow.yaml:1 limit-exceeded",
		"boom.yaml:1 helm-render-error",        // a template that calls fail: one finding at its line
		"ok.yaml:1 api-removed",                // the rest of that chart still rendered and checked
		"Chart.yaml:5 helm-dependency-missing", // a dependency cycle ends where the vendoring does
		"cron.yaml:1 api-removed",
		"Chart.yaml:1 helm-render-error", // chart-slow: timed out, the run goes on
		// a patch setting kubeready's source marker to /dev/zero: the
		// build is checked, the marker not believed, nothing read forever
		"kustomization.yaml:1 api-removed",
	} {
		if !got[want] {
			t.Errorf("missing finding %s; got %v", want, got)
		}
	}
	skipped := map[string]string{}
	for _, s := range rep.Stats.Skipped {
		skipped[filepath.Base(s.File)] = s.Reason
	}
	timedOut := false
	for _, f := range rep.Findings {
		timedOut = timedOut || (f.Rule == "helm-render-error" && strings.Contains(f.Message, "timed out after 2s"))
	}
	if !timedOut {
		t.Error("the endless chart did not time out with a helm-render-error")
	}
	if !strings.Contains(skipped["binary.yaml"], "not a manifest") {
		t.Errorf("binary.yaml not reported as skipped: %v", skipped)
	}
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	t.Logf("hostile set: %d findings, %d files, %d documents in %v, peak RSS %d MiB", len(rep.Findings), rep.Stats.Files, rep.Stats.Documents, elapsed, rssMiB)
	if elapsed > 30*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if rssMiB > 300 {
		t.Errorf("peak RSS %d MiB", rssMiB)
	}
}

// peakRSSMiB is the peak resident set size of a finished child process
// (Linux reports ru_maxrss in KiB).
func peakRSSMiB(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss / 1024
	}
	return 0
}

// writeBig writes a file of about n bytes of comment lines, ending in a
// removed API that a scan of the whole file would find.
func writeBig(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := []byte(strings.Repeat("# a line of padding in a fifty mebibyte file, which must be skipped, not parsed\n", 1000))
	for written := 0; written < n; written += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.WriteString("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: hidden-in-big\n"); err != nil {
		t.Fatal(err)
	}
}
