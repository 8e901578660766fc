package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixture copies checks/testdata/fixes/NAME into dir with mode and returns
// its path there and the golden NAME.fixed content.
func fixture(t *testing.T, dir, name string, mode os.FileMode) (path string, fixed []byte) {
	t.Helper()
	src := filepath.Join("checks/testdata/fixes", name)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ext := filepath.Ext(name)
	fixed, err = os.ReadFile(strings.TrimSuffix(src, ext) + ".fixed" + ext)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path, fixed
}

// runFix runs the CLI with args and stdin.
func runFix(stdin string, args ...string) (stdout, stderr string, code int) {
	return runCLI(args, stdin)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixAppliesSafeFixesOnly(t *testing.T) {
	dir := t.TempDir()
	cron, cronFixed := fixture(t, dir, "cronjob.yaml", 0o640)
	minio, _ := fixture(t, dir, "corpus-minio-standalone-deployment.yaml", 0o600)
	minioBefore := readFile(t, minio)

	out, stderr, code := runFix("", "--fix", dir)
	if code != ExitFindings {
		t.Errorf("exit %d, want %d (unsafe fixes left); stderr %s", code, ExitFindings, stderr)
	}
	if got := readFile(t, cron); !bytes.Equal(got, cronFixed) {
		t.Errorf("cronjob.yaml after --fix:\n%s\nwant\n%s", got, cronFixed)
	}
	if got := readFile(t, minio); !bytes.Equal(got, minioBefore) {
		t.Errorf("--fix applied an unsafe fix:\n%s", got)
	}
	if st, err := os.Stat(cron); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("file mode not kept: %v %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left files behind: %v", entries)
	}
	for _, want := range []string{
		"cronjob.yaml:2:1: fixed: Change apiVersion to batch/v1 [api-removed]",
		"corpus-minio-standalone-deployment.yaml:1:1: error: Deployment extensions/v1beta1",
		"fixed 1 finding; 1 more with --fix-unsafe",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFixUnsafeAppliesAll(t *testing.T) {
	dir := t.TempDir()
	var want = map[string][]byte{}
	for _, name := range []string{"corpus-guestbook-all-in-one.yaml", "crlf.yaml", "hpa-v2beta1.yaml", "ingress.yaml", "bom.yaml"} {
		p, fixed := fixture(t, dir, name, 0o644)
		want[p] = fixed
	}
	type report struct {
		Findings []struct {
			Fixes []json.RawMessage `json:"fixes"`
		} `json:"findings"`
		Fixed []struct {
			Rule string `json:"rule"`
		} `json:"fixed"`
	}
	decode := func(out string) report {
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	out, _, _ := runFix("", "--format", "json", dir)
	fixable := 0
	for _, f := range decode(out).Findings {
		if len(f.Fixes) > 0 {
			fixable++
		}
	}
	out, stderr, code := runFix("", "--fix-unsafe", "--format", "json", dir)
	if code != ExitClean {
		t.Errorf("exit %d, want 0; stderr %s\n%s", code, stderr, out)
	}
	for p, fixed := range want {
		if got := readFile(t, p); !bytes.Equal(got, fixed) {
			t.Errorf("%s after --fix-unsafe:\n%s\nwant\n%s", p, got, fixed)
		}
	}
	rep := decode(out)
	if len(rep.Fixed) != fixable || fixable < 10 {
		t.Errorf("json: %d fixed, want the %d findings that had fixes:\n%s", len(rep.Fixed), fixable, out)
	}
	for _, f := range rep.Findings {
		if len(f.Fixes) > 0 {
			t.Errorf("a finding with a fix remains:\n%s", out)
		}
	}
}

// TestFixPatch checks that --format patch writes nothing, and that its
// output, applied with git apply, gives the files --fix-unsafe writes.
func TestFixPatch(t *testing.T) {
	fixtures, err := filepath.Abs("checks/testdata/fixes")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	names := []string{"corpus-guestbook-all-in-one.yaml", "crlf.yaml", "no-final-newline.yaml", "workloads.yaml", "cronjob-flow.json"}
	want := map[string][]byte{}
	before := map[string][]byte{}
	wd, _ := os.Getwd()
	for _, name := range names {
		src := filepath.Join(fixtures, name)
		data := readFile(t, src)
		ext := filepath.Ext(name)
		want[name] = readFile(t, strings.TrimSuffix(src, ext)+".fixed"+ext)
		before[name] = data
		if err := os.MkdirAll(filepath.Join(wd, "manifests"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("manifests", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	patch, stderr, code := runFix("", "--format", "patch", "--fix-unsafe", "manifests")
	if code != ExitFindings {
		t.Errorf("exit %d, want 1 (the files still have their findings); stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "the patch fixes") {
		t.Errorf("no summary on stderr: %q", stderr)
	}
	for _, name := range names {
		if got := readFile(t, filepath.Join("manifests", name)); !bytes.Equal(got, before[name]) {
			t.Errorf("--format patch changed %s", name)
		}
	}
	if !strings.Contains(patch, "diff --git a/manifests/crlf.yaml b/manifests/crlf.yaml\n") || !strings.Contains(patch, "\\ No newline at end of file\n") {
		t.Errorf("unexpected patch:\n%s", patch)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed: patch not applied")
	}
	for _, args := range [][]string{{"init", "-q"}, {"apply", "--whitespace=nowarn", "-"}} {
		cmd := exec.Command(git, args...)
		cmd.Stdin = strings.NewReader(patch)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s\npatch:\n%s", args, err, out, patch)
		}
	}
	for _, name := range names {
		if got := readFile(t, filepath.Join("manifests", name)); !bytes.Equal(got, want[name]) {
			t.Errorf("%s after git apply:\n%q\nwant\n%q", name, got, want[name])
		}
	}
}

func TestFixSkipsStdin(t *testing.T) {
	in := string(readFile(t, "checks/testdata/fixes/cronjob.yaml"))
	out, _, code := runFix(in, "--fix", "-")
	if code != ExitFindings {
		t.Errorf("exit %d, want 1: the finding in stdin remains", code)
	}
	if !strings.Contains(out, "<stdin>:2:1: error: CronJob batch/v1beta1") || strings.Contains(out, "fixed:") {
		t.Errorf("stdin was treated as fixed:\n%s", out)
	}
}

func TestFixFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real, fixed := fixture(t, dir, "pdb.yaml", 0o644)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, _, code := runFix("", "--fix-unsafe", link); code != ExitClean {
		t.Errorf("exit %d", code)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if got := readFile(t, real); !bytes.Equal(got, fixed) {
		t.Errorf("target not fixed:\n%s", got)
	}
}

// TestFixOnlyReportedFindings: with --scope lines, a finding outside the
// change is not reported, so --fix leaves it alone.
func TestFixOnlyReportedFindings(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	doc := func(name string) string {
		return "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: " + name + "\n"
	}
	if err := os.WriteFile("x.yaml", []byte(doc("old")+"---\n"+doc("new")), 0o644); err != nil {
		t.Fatal(err)
	}
	diff := "diff --git a/x.yaml b/x.yaml\n--- a/x.yaml\n+++ b/x.yaml\n@@ -4,0 +5,5 @@\n+---\n" +
		"+apiVersion: batch/v1beta1\n+kind: CronJob\n+metadata:\n+  name: new\n"
	if err := os.WriteFile("change.diff", []byte(diff), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runFix("", "--fix", "--diff", "change.diff", "--scope", "lines")
	if code != ExitClean {
		t.Errorf("exit %d; stderr %s\n%s", code, stderr, out)
	}
	want := doc("old") + "---\n" + strings.Replace(doc("new"), "batch/v1beta1", "batch/v1", 1)
	if got := string(readFile(t, "x.yaml")); got != want {
		t.Errorf("x.yaml:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(out, "x.yaml:6:1: fixed: Change apiVersion to batch/v1") || strings.Contains(out, "x.yaml:1:1") {
		t.Errorf("output:\n%s", out)
	}
}
