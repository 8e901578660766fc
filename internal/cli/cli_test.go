package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
)

func runCLI(args []string, stdin string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

const cronV1beta1 = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n"

func TestCLIFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		outHas string
		errHas string
	}{
		{"version", []string{"--version"}, "", 0, "kubeready ", ""},
		{"help", []string{"--help"}, "", 0, "Usage: kubeready", ""},
		{"help command", []string{"help"}, "", 0, "Usage: kubeready", ""},
		{"version command", []string{"version"}, "", 0, "kubeready ", ""},
		{"version command with args", []string{"version", "x"}, "", 2, "", "version takes no arguments"},
		{"unknown flag", []string{"--nope"}, "", 2, "", "flag provided but not defined"},
		{"bad target", []string{"--target", "banana", "-"}, "", 2, "", "--target"},
		{"target too old", []string{"--target", "1.15", "-"}, "", 2, "", "from 1.16 on"},
		{"target v prefix", []string{"--target", "v1.25", "-"}, cronV1beta1, 1, "Kubernetes 1.25", ""},
		{"target patch", []string{"--target", "1.25.3", "-"}, cronV1beta1, 1, "Kubernetes 1.25", ""},
		{"target before removal", []string{"--target", "1.24", "-"}, cronV1beta1, 0, "deprecated since 1.21", ""},
		{"target newer than facts", []string{"--target", "1.40", "-"}, cronV1beta1, 1, "api-removed", "rules stop at 1.36"},
		{"bad format", []string{"--format", "xml", "-"}, "", 2, "", "--format"},
		{"bad fail-on", []string{"--fail-on", "sometimes", "-"}, "", 2, "", "fail-on"},
		{"bad platform", []string{"--platform", "gke", "-"}, "", 2, "", "platform"},
		{"bad scope", []string{"--scope", "some", "-"}, "", 2, "", "scope"},
		{"base and diff", []string{"--base", "x", "--diff", "-"}, "", 2, "", "cannot be used together"},
		{"fail-on never", []string{"--fail-on", "never", "-"}, cronV1beta1, 0, "api-removed", ""},
		{"fail-on warning", []string{"--fail-on", "warning", "--target", "1.24", "-"}, cronV1beta1, 1, "api-deprecated", ""},
		{"missing path", []string{"no/such/file.yaml"}, "", 2, "no such file", ""},
		{"clean stdin", []string{"-"}, "apiVersion: batch/v1\nkind: CronJob\n", 0, "no findings", ""},
		{"non-manifest that is not YAML", []string{"testdata/cases/invalid-yaml/tsconfig.json"}, "", 0, "no findings", ""},
		{"broken manifest", []string{"testdata/cases/invalid-yaml/configmap-with-comment.json"}, "", 1, "invalid-yaml", ""},
		{"stdin name", []string{"-"}, cronV1beta1, 1, "<stdin>:1:1: error:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(tt.args, tt.stdin)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.outHas) {
				t.Errorf("stdout lacks %q:\n%s", tt.outHas, out)
			}
			if !strings.Contains(errOut, tt.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tt.errHas, errOut)
			}
		})
	}
}

// TestUsageOnce: --help prints the usage once, on stdout (the flag package
// used to print it to stderr as well); a flag error prints it once, on
// stderr, after the error.
func TestUsageOnce(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, errOut, code := runCLI(args, "")
		if code != 0 || strings.Count(out, "Usage: kubeready") != 1 || errOut != "" {
			t.Errorf("%v: exit %d, %d usages on stdout, stderr %q", args, code, strings.Count(out, "Usage: kubeready"), errOut)
		}
	}
	out, errOut, code := runCLI([]string{"--nope"}, "")
	if code != 2 || out != "" || strings.Count(errOut, "Usage: kubeready") != 1 {
		t.Errorf("--nope: exit %d, stdout %q, %d usages on stderr", code, out, strings.Count(errOut, "Usage: kubeready"))
	}
}

func TestJSONSchema(t *testing.T) {
	out, _, code := runCLI([]string{"--format", "json", "-", "testdata/cases/api-removed/cronjob.yaml", "missing.yaml"}, cronV1beta1)
	if code != 2 {
		t.Errorf("exit %d, want 2 (a missing path)", code)
	}
	var rep struct {
		Target   string
		Findings []map[string]any
		Errors   []map[string]any
		Stats    struct{ Files, Documents int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Target != "1.25" || rep.Stats.Files != 2 || rep.Stats.Documents != 4 || len(rep.Errors) != 1 {
		t.Errorf("report header wrong: %+v", rep)
	}
	for _, key := range []string{"rule", "severity", "file", "line", "column", "message", "url", "apiVersion", "kind", "name"} {
		if _, ok := rep.Findings[0][key]; !ok {
			t.Errorf("finding lacks %q: %v", key, rep.Findings[0])
		}
	}
	// deterministic order: file, then line
	var order []string
	for _, f := range rep.Findings {
		order = append(order, f["file"].(string))
	}
	if order[0] != "<stdin>" || order[len(order)-1] != "testdata/cases/api-removed/cronjob.yaml" {
		t.Errorf("order %v", order)
	}
	// an empty run still has arrays, not nulls
	out, _, _ = runCLI([]string{"--format", "json", "-"}, "")
	if !strings.Contains(out, `"findings": []`) || !strings.Contains(out, `"errors": []`) {
		t.Errorf("empty report: %s", out)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	first, _, _ := runCLI([]string{"--workers", "1", "testdata/cases/", "testdata/helm/"}, "")
	for i := 0; i < 5; i++ {
		again, _, _ := runCLI([]string{"--workers", "4", "testdata/cases/", "testdata/helm/"}, "")
		if again != first {
			t.Fatalf("output differs between runs:\n%s\n---\n%s", first, again)
		}
	}
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("# padding line for a big file\n", 40000) + cronV1beta1 // about 1.2 MB
	write(t, dir+"/big.yaml", big)
	many := strings.Repeat("---\napiVersion: v1\nkind: ConfigMap\n", 50) + "---\n" + cronV1beta1
	write(t, dir+"/many.yaml", many)
	deep := "apiVersion: batch/v1beta1\nkind: CronJob\nspec:\n"
	for i := 0; i < 30; i++ {
		deep += strings.Repeat("  ", i+1) + "a:\n"
	}
	deep += strings.Repeat("  ", 31) + "b: 1\n"
	write(t, dir+"/deep.yaml", deep)
	tests := []struct {
		args []string
		has  []string
		code int
	}{
		{[]string{"--max-file-size", "1MiB", dir + "/big.yaml"}, []string{"big.yaml:1:1: warning:", "over 1.0 MiB", "[file-too-large]"}, 0},
		{[]string{"--max-file-size", "0", dir + "/big.yaml"}, []string{"big.yaml:40001:1: error:", "[api-removed]"}, 1},
		{[]string{"--max-documents", "10", dir + "/many.yaml"}, []string{"many.yaml:31:1: warning: more than 10 documents", "[limit-exceeded]"}, 0},
		{[]string{dir + "/many.yaml"}, []string{"many.yaml:152:1: error:", "[api-removed]"}, 1},
		{[]string{"--max-file-size", "1MiB", "-"}, []string{"standard input is over 1.0 MiB", "[file-too-large]"}, 0},
		{[]string{"--max-file-size", "lots", "-"}, nil, 2},
		{[]string{"--timeout", "1ns", dir}, []string{"run stopped (--timeout 1ns reached)", "files not checked"}, 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			stdin := ""
			if tt.args[len(tt.args)-1] == "-" {
				stdin = big
			}
			out, errOut, code := runCLI(tt.args, stdin)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, h := range tt.has {
				if !strings.Contains(out, h) {
					t.Errorf("output lacks %q:\n%s", h, out)
				}
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExitCodeInternalError: a run with an internal-error finding (a rule
// or a reader that panicked; see internal/engine TestPanicIsolation) exits
// 2 whatever --fail-on says.
func TestExitCodeInternalError(t *testing.T) {
	rep := &annotate.Report{Findings: []checks.Finding{{Rule: checks.InternalError.ID, Severity: checks.Error, File: "x.yaml", Line: 1}}}
	mark := func(fs []checks.Finding) {
		for i := range fs {
			fs[i].InChangedFile, fs[i].InChangedLines = true, true
		}
	}
	mark(rep.Findings)
	if code := ExitCode(rep, "never"); code != ExitError {
		t.Errorf("exit %d, want 2", code)
	}
}
