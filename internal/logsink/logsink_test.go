package logsink

import (
	"log"
	"log/slog"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

func TestWriterNeutralisesLines(t *testing.T) {
	var out strings.Builder
	w := New(&out, "/home/runner/work/repo")
	// A log line carrying a file name with a line break and workflow commands.
	w.Write([]byte("found symbolic link in path: /home/runner/work/repo/ch/l\n::stop-commands::x\n::warning::forged resolves to /home/runner/work/repo/ch/real.txt\n"))
	w.Write([]byte("carriage\rreturn and \x1b[31mescape\n"))
	w.Write([]byte("partial "))
	w.Write([]byte("line\n"))
	w.Write([]byte("the root itself: /home/runner/work/repo\n"))
	w.Flush()
	got := out.String()
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !strings.HasPrefix(line, Prefix) {
			t.Errorf("line without the prefix: %q", line)
		}
	}
	for _, bad := range []string{"/home/runner", "\r", "\x1b"} {
		if strings.Contains(got, bad) {
			t.Errorf("output holds %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{
		Prefix + "found symbolic link in path: ch/l\n",
		Prefix + "::stop-commands::x\n",
		Prefix + "::warning::forged resolves to ch/real.txt\n",
		Prefix + "carriage\\x0dreturn and \\x1b[31mescape\n",
		Prefix + "partial line\n",
		Prefix + "the root itself: .\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestWriterBounds(t *testing.T) {
	var out strings.Builder
	w := New(&out)
	for range 3 {
		w.Write([]byte("same warning\n"))
	}
	for i := range MaxLines + 10 {
		w.Write([]byte(strings.Repeat("x", i+1) + "\n"))
	}
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != MaxLines+1 || strings.Count(out.String(), "same warning") != 1 {
		t.Errorf("%d lines:\n%s", len(lines), out.String())
	}
	if !strings.HasSuffix(out.String(), "11 more library messages held back\n") {
		t.Errorf("no held-back count:\n%s", out.String())
	}
}

func TestInstallRoutesEveryLogger(t *testing.T) {
	var out strings.Builder
	w := Install(&out)
	log.Printf("from log\n::error::x")
	slog.Warn("from slog")
	klog.Warning("from klog")
	klog.Flush()
	w.Flush()
	got := out.String()
	for _, want := range []string{"from log", "from slog", "from klog"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not routed:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !strings.HasPrefix(line, Prefix) {
			t.Errorf("line without the prefix: %q", line)
		}
	}
}

// TestKustomizeWarningsOneNote: kustomize's deprecation lines become one
// note at the end; other lines are printed as they come.
func TestKustomizeWarningsOneNote(t *testing.T) {
	var out strings.Builder
	w := New(&out)
	for range 669 {
		w.Write([]byte("# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n"))
		w.Write([]byte("# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n"))
	}
	w.Write([]byte("something else\n"))
	w.Flush()
	want := Prefix + "something else\n" +
		"kubeready: note: kustomize warned 1338 times about deprecated kustomization fields: commonLabels (use labels) 669×, patchesStrategicMerge (use patches) 669×; `kustomize edit fix` in each kustomization rewrites them\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestKustomizeUnusedVarsOneNote: kustomize's unused-vars lines (one per
// build, the names in map order, with or without the standard logger's
// timestamp) become one note with the names sorted.
func TestKustomizeUnusedVarsOneNote(t *testing.T) {
	var out strings.Builder
	w := New(&out)
	w.Write([]byte("2026/12/02 18:21:25 well-defined vars that were never replaced: kfp-namespace,kfp-app-name\n"))
	w.Write([]byte("well-defined vars that were never replaced: kfp-app-name,kfp-namespace\n"))
	w.Write([]byte("well-defined vars that were never replaced: \x1b[31mCERTIFICATE_NAME\n"))
	w.Write([]byte("something else\n"))
	w.Flush()
	want := Prefix + "something else\n" +
		"kubeready: note: kustomize said 3 times that vars were defined and never used: \\x1b[31mCERTIFICATE_NAME, kfp-app-name, kfp-namespace; a var no field refers to can be removed from its kustomization\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
