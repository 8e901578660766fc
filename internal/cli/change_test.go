package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

const (
	cleanDeploy = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: app
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: nginx}]
`
	oldCron = `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 1 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: untouched
spec:
  minAvailable: 1
`
	pdb = `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: moved
spec:
  maxUnavailable: 1
`
)

// gitRepo builds a repository with a main branch and a feature branch that
// modifies, adds, renames and deletes files, changes a binary file, adds a
// CRLF file, and leaves one file untracked. It returns the repository path.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("deploy/app.yaml", cleanDeploy)
	write("deploy/old.yaml", oldCron)
	write("deploy/remove-me.yaml", pdb)
	write("deploy/rename-me.yaml", pdb)
	write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00binary")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	write("deploy/app.yaml", cleanDeploy+"---\n"+pdb)                               // adds a removed API at lines 12-17
	write("deploy/old.yaml", strings.Replace(oldCron, "0 1 * * *", "0 3 * * *", 1)) // touches only the CronJob
	git("rm", "-q", "deploy/remove-me.yaml")
	git("mv", "deploy/rename-me.yaml", "deploy/renamed.yaml")
	write("logo.png", "\x89PNG\r\n\x1a\n\x00\x01binary")
	write("deploy/windows.yaml", strings.ReplaceAll(pdb, "\n", "\r\n"))
	git("add", ".")
	git("commit", "-q", "-m", "feature")
	write("deploy/untracked.yaml", strings.Replace(pdb, "moved", "new", 1))
	return dir
}

// runIn runs the CLI with the working directory set to dir and returns the
// findings as "file:line rule" strings, the JSON report and the exit code.
func runIn(t *testing.T, dir string, stdin string, args ...string) ([]string, map[string]any, int) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"--format", "json"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	var rep struct {
		Findings []struct {
			File, Rule string
			Line       int
		}
	}
	var raw map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("bad JSON (%v): %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	_ = json.Unmarshal(stdout.Bytes(), &raw)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, filepath.ToSlash(f.File)+":"+strconv.Itoa(f.Line)+" "+f.Rule)
	}
	sort.Strings(got)
	return got, raw, code
}

func TestBaseScopes(t *testing.T) {
	dir := gitRepo(t)
	tests := []struct {
		scope string
		want  []string
	}{
		// only findings on added/modified lines; api-removed counts when any line of its object changed
		{"lines", []string{
			"deploy/app.yaml:12 api-removed",
			"deploy/old.yaml:1 api-removed",
			"deploy/untracked.yaml:1 api-removed",
			"deploy/windows.yaml:1 api-removed",
		}},
		// any finding in a changed file: the untouched PDB in old.yaml and the pure rename too
		{"files", []string{
			"deploy/app.yaml:12 api-removed",
			"deploy/old.yaml:1 api-removed",
			"deploy/old.yaml:9 api-removed",
			"deploy/renamed.yaml:1 api-removed",
			"deploy/untracked.yaml:1 api-removed",
			"deploy/windows.yaml:1 api-removed",
		}},
		{"all", []string{
			"deploy/app.yaml:12 api-removed",
			"deploy/old.yaml:1 api-removed",
			"deploy/old.yaml:9 api-removed",
			"deploy/renamed.yaml:1 api-removed",
			"deploy/untracked.yaml:1 api-removed",
			"deploy/windows.yaml:1 api-removed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			got, _, code := runIn(t, dir, "", "--base", "main", "--scope", tt.scope)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if code != ExitFindings {
				t.Errorf("exit %d, want %d", code, ExitFindings)
			}
		})
	}
}

func TestBaseMarksFindings(t *testing.T) {
	dir := gitRepo(t)
	_, raw, _ := runIn(t, dir, "", "--base", "main", "--scope", "all")
	for _, f := range raw["findings"].([]any) {
		m := f.(map[string]any)
		changedLines := m["inChangedLines"].(bool)
		wantLines := !(m["file"] == "deploy/old.yaml" && m["line"].(float64) == 9) && m["file"] != "deploy/renamed.yaml"
		if changedLines != wantLines {
			t.Errorf("%v:%v inChangedLines = %v, want %v", m["file"], m["line"], changedLines, wantLines)
		}
		if !m["inChangedFile"].(bool) {
			t.Errorf("%v: inChangedFile = false", m["file"])
		}
	}
	// deleted files are not read; the binary file is not a manifest
	stats := raw["stats"].(map[string]any)
	// app, old, renamed, windows, untracked: not remove-me.yaml nor logo.png
	if n := stats["files"].(float64); n != 5 {
		t.Errorf("files scanned: %v, want 5", n)
	}
}

func TestBaseFromSubdirectoryAndPathLimit(t *testing.T) {
	dir := gitRepo(t)
	got, _, _ := runIn(t, filepath.Join(dir, "deploy"), "", "--base", "main", "windows.yaml", "app.yaml")
	want := []string{"app.yaml:12 api-removed", "windows.yaml:1 api-removed"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestBaseErrors(t *testing.T) {
	dir := gitRepo(t)
	for _, ref := range []string{"no-such-branch", "--output=/tmp/x"} {
		t.Chdir(dir)
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--base", ref}, strings.NewReader(""), &stdout, &stderr)
		if code != ExitError || !strings.Contains(stdout.String(), ref) {
			t.Errorf("--base %s: exit %d, output %q", ref, code, stdout.String())
		}
	}
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"--base", "main"}, strings.NewReader(""), &stdout, &stderr); code != ExitError ||
		!strings.Contains(stdout.String(), "not inside a git work tree") {
		t.Errorf("outside git: exit %d, %q", code, stdout.String())
	}
}

func TestDiffInput(t *testing.T) {
	dir := gitRepo(t)
	cmd := exec.Command("git", "diff", "main...feature")
	cmd.Dir = dir
	diff, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	got, raw, code := runIn(t, dir, string(diff), "--diff", "-", "--scope", "lines")
	want := []string{"deploy/app.yaml:12 api-removed", "deploy/old.yaml:1 api-removed", "deploy/windows.yaml:1 api-removed"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || code != ExitFindings {
		t.Errorf("exit %d, got %v, want %v", code, got, want)
	}
	skipped, _ := json.Marshal(raw["stats"])
	if !strings.Contains(string(skipped), "logo.png") || !strings.Contains(string(skipped), "binary") {
		t.Errorf("binary file not reported as skipped: %s", skipped)
	}

	// the same diff from a file, as a plain unified diff with a/ b/ prefixes
	plain := "--- a/deploy/app.yaml\n+++ b/deploy/app.yaml\n@@ -11,0 +12,6 @@\n+apiVersion: policy/v1beta1\n+kind: PodDisruptionBudget\n+metadata:\n+  name: moved\n+spec:\n+  maxUnavailable: 1\n"
	p := filepath.Join(t.TempDir(), "change.diff")
	if err := os.WriteFile(p, []byte(plain), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, _ = runIn(t, dir, "", "--diff", p, "--scope", "lines")
	if strings.Join(got, " ") != "deploy/app.yaml:12 api-removed" {
		t.Errorf("plain diff: got %v", got)
	}
}

func TestDiffRefusesEscapingPaths(t *testing.T) {
	dir := gitRepo(t)
	outside := filepath.Join(filepath.Dir(dir), "secret.yaml")
	_ = os.WriteFile(outside, []byte(pdb), 0o644)
	for _, diff := range []string{
		"--- a/../secret.yaml\n+++ b/../secret.yaml\n@@ -0,0 +1 @@\n+x: 1\n",
		"--- /etc/passwd\n+++ /etc/passwd\n@@ -0,0 +1 @@\n+x\n",
		"diff --git a/../secret.yaml b/../secret.yaml\n--- a/../secret.yaml\n+++ b/../secret.yaml\n@@ -0,0 +1 @@\n+x: 1\n",
	} {
		t.Chdir(dir)
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--diff", "-"}, strings.NewReader(diff), &stdout, &stderr)
		out := stdout.String()
		if code != ExitError || !(strings.Contains(out, "outside the repository") || strings.Contains(out, "absolute path")) {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
		if strings.Contains(out, "api-removed") {
			t.Errorf("a refused path was read:\n%s", out)
		}
	}
	// a deleted file is skipped silently
	deleted := "diff --git a/deploy/gone.yaml b/deploy/gone.yaml\ndeleted file mode 100644\n--- a/deploy/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-x: 1\n"
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"--diff", "-"}, strings.NewReader(deleted), &stdout, &stderr); code != ExitClean {
		t.Errorf("deleted file: exit %d, %s", code, stdout.String())
	}
}

func TestNoChangeMeansEverythingChanged(t *testing.T) {
	dir := gitRepo(t)
	_, raw, _ := runIn(t, dir, "", "--scope", "lines", "deploy/old.yaml")
	if n := len(raw["findings"].([]any)); n != 2 {
		t.Errorf("plain file args with --scope lines: %d findings, want 2", n)
	}
}

func TestChangeModel(t *testing.T) {
	fc := &scan.FileChange{Lines: []scan.LineRange{{Start: 3, End: 5}, {Start: 10, End: 10}}, Hunks: []scan.LineRange{{Start: 1, End: 13}}}
	for _, tt := range []struct {
		line int
		want bool
	}{{2, false}, {3, true}, {5, true}, {6, false}, {10, true}, {11, false}} {
		if fc.HasLine(tt.line) != tt.want {
			t.Errorf("HasLine(%d) = %v", tt.line, !tt.want)
		}
	}
	if !fc.Overlaps(6, 10) || fc.Overlaps(6, 9) || !fc.InHunk(13) || fc.InHunk(14) {
		t.Error("Overlaps/InHunk wrong")
	}
}

// FuzzParseDiff feeds arbitrary input to the diff reader: it must never
// panic and never yield a path outside the root.
func FuzzParseDiff(f *testing.F) {
	f.Add([]byte("diff --git a/x.yaml b/y.yaml\nsimilarity index 90%\nrename from x.yaml\nrename to y.yaml\n--- a/x.yaml\n+++ b/y.yaml\n@@ -1,2 +1,3 @@\n a\n+b\n c\n"))
	f.Add([]byte("--- a/p.yaml\n+++ b/p.yaml\n@@ -1 +1 @@\n-a\n+b\n"))
	f.Add([]byte("--- /dev/null\n+++ b/../../etc/x\n@@ -0,0 +1 @@\n+a\n"))
	f.Add([]byte("diff --git a/l.png b/l.png\nindex 1..2 100644\nBinary files a/l.png and b/l.png differ\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := scan.ParseDiff(bytes.NewReader(data), "/repo")
		for _, fc := range c.Files() {
			if strings.HasPrefix(fc.Path, "../") || fc.Path == ".." || strings.HasPrefix(fc.Path, "/") {
				t.Fatalf("escaping path %q", fc.Path)
			}
			for _, r := range fc.Lines {
				if r.Start > r.End {
					t.Fatalf("bad range %v", r)
				}
			}
		}
	})
}

// TestEmptyOrUnreadableDiff: `git diff origin/main | kubeready --diff -` with
// origin/main never fetched pipes nothing; that, or input that is no diff,
// is exit 2 with a hint, never a clean "no findings in 0 files".
func TestEmptyOrUnreadableDiff(t *testing.T) {
	dir := gitRepo(t)
	t.Chdir(dir)
	for _, tt := range []struct{ name, stdin, want string }{
		{"empty", "", "the diff is empty"},
		{"blank lines", "\n\n  \n", "(git fetch?)"},
		{"not a diff", "fatal: ambiguous argument 'origin/main': unknown revision\n", "not a unified diff"},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--diff", "-"}, strings.NewReader(tt.stdin), &stdout, &stderr)
		if code != ExitError || !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%s: exit %d, output %q; want exit 2 and %q", tt.name, code, stdout.String(), tt.want)
		}
	}
	p := filepath.Join(t.TempDir(), "empty.diff")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"--diff", p}, strings.NewReader(""), &stdout, &stderr); code != ExitError ||
		!strings.Contains(stdout.String(), "the diff is empty") {
		t.Errorf("empty diff file: exit %d, %q", code, stdout.String())
	}
}

// TestBaseUnresolvedHint: a --base that does not resolve names the fetch
// that would bring it, for a remote-tracking ref of a configured remote.
func TestBaseUnresolvedHint(t *testing.T) {
	dir := gitRepo(t)
	t.Chdir(dir)
	cmd := exec.Command("git", "remote", "add", "origin", "https://example.invalid/repo.git")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for ref, want := range map[string]string{
		"origin/main":    "git fetch origin main",
		"no-such-branch": "(not fetched? git fetch)",
		"feature/x":      "(not fetched? git fetch)", // feature is no remote
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--base", ref}, strings.NewReader(""), &stdout, &stderr)
		if code != ExitError || !strings.Contains(stdout.String(), "no such commit") || !strings.Contains(stdout.String(), want) {
			t.Errorf("--base %s: exit %d, %q; want %q", ref, code, stdout.String(), want)
		}
	}
}
