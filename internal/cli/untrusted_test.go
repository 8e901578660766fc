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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
)

// Attacks from issue 13: a repository (a pull request from a stranger) that
// tries to read outside itself, leak the runner's secrets, crash or hang the
// run. Each case runs the built binary on a temporary repository holding the
// attack and good.yaml, a file with one honest finding that must survive, and
// asserts the exit code, that no secret appears in any output, the wall time
// and peak RSS, and the honest finding.

// secret is planted where an attack could read it; it must never be printed.
const secret = "S3CR3T-RUNNER-CREDENTIAL"

// goodManifest is the honest finding every attack must leave reported.
const goodManifest = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: honest\nspec:\n  minAvailable: 1\n"

var (
	untrustedBinOnce sync.Once
	untrustedBin     string
	untrustedBinErr  error
)

// sharedBinary builds kubeready once for every attack test.
func sharedBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	untrustedBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kubeready-bin-")
		if err != nil {
			untrustedBinErr = err
			return
		}
		untrustedBin = filepath.Join(dir, "kubeready")
		out, err := exec.Command("go", "build", "-o", untrustedBin, ".").CombinedOutput()
		if err != nil {
			untrustedBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if untrustedBinErr != nil {
		t.Fatal(untrustedBinErr)
	}
	return untrustedBin
}

// attackResult is what one run of the binary gave.
type attackResult struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	rssMiB         int64
	findings       []attackFinding
	skipped        map[string]string
}

type attackFinding struct {
	File, Rule, Message string
	Line                int
}

func (r *attackResult) has(file string, line int, rule string) bool {
	for _, f := range r.findings {
		if filepath.Base(f.File) == file && (line == 0 || f.Line == line) && f.Rule == rule {
			return true
		}
	}
	return false
}

func (r *attackResult) find(rule string) []attackFinding {
	var out []attackFinding
	for _, f := range r.findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func (r *attackResult) describe() string {
	var b strings.Builder
	for _, f := range r.findings {
		fmt.Fprintf(&b, "  %s:%d %s %s\n", f.File, f.Line, f.Rule, f.Message)
	}
	for p, why := range r.skipped {
		fmt.Fprintf(&b, "  skipped %s: %s\n", p, why)
	}
	return b.String() + "stderr:\n" + r.stderr
}

// runAttack runs the binary in dir with args (--format json is added) and
// checks what every attack must hold: exit 0 or 1, the secret in no output,
// no absolute path of the machine in any output, the honest finding, and
// bounds on time and memory.
func runAttack(t *testing.T, dir string, maxWall time.Duration, maxRSSMiB int64, args ...string) *attackResult {
	t.Helper()
	return runAttackStdin(t, dir, "", maxWall, maxRSSMiB, args...)
}

// runAttackStdin is runAttack with standard input.
func runAttackStdin(t *testing.T, dir, stdin string, maxWall time.Duration, maxRSSMiB int64, args ...string) *attackResult {
	t.Helper()
	bin := sharedBinary(t)
	runtime.GC()
	debug.FreeOSMemory()
	cmd := exec.Command(bin, append([]string{"--format", "json"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECRET_TOKEN="+secret, "GITHUB_ACTIONS=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader(stdin)
	start := time.Now()
	err := cmd.Start()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(maxWall + 30*time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("hung: killed after %v\nstderr:\n%s", time.Since(start), stderr.String())
	}
	r := &attackResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start), skipped: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssMiB = ru.Maxrss / 1024
	}
	var rep struct {
		Findings []attackFinding
		Stats    struct {
			Skipped []struct{ File, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d, output is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s", r.code, err, r.stdout, r.stderr)
	}
	r.findings = rep.Findings
	for _, s := range rep.Stats.Skipped {
		r.skipped[filepath.Base(s.File)] = s.Reason
	}
	t.Logf("exit %d in %v, peak RSS %d MiB, %d findings", r.code, r.elapsed.Round(time.Millisecond), r.rssMiB, len(r.findings))
	if r.code != ExitClean && r.code != ExitFindings {
		t.Errorf("exit %d, want 0 or 1\n%s", r.code, r.describe())
	}
	for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if strings.Contains(out, secret) {
			t.Errorf("the secret is in %s", name)
		}
		for _, abs := range []string{dir, os.TempDir() + "/"} {
			if strings.Contains(out, abs) {
				t.Errorf("%s names an absolute path of the machine (%s)", name, abs)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") {
				t.Errorf("%s has a line a runner would read as a workflow command: %q", name, line)
			}
		}
	}
	if !r.has("good.yaml", 1, "api-removed") {
		t.Errorf("the honest finding in good.yaml is lost\n%s", r.describe())
	}
	if r.elapsed > maxWall {
		t.Errorf("took %v, bound %v", r.elapsed, maxWall)
	}
	if r.rssMiB > maxRSSMiB {
		t.Errorf("peak RSS %d MiB, bound %d MiB", r.rssMiB, maxRSSMiB)
	}
	return r
}

// attackRepo writes files into a new repository directory (with a .git
// folder holding a credential, as actions/checkout leaves it) plus good.yaml.
func attackRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		".git/config": "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic " + secret + "\n",
		".git/HEAD":   "ref: refs/heads/main\n",
		"good.yaml":   goodManifest,
	}
	for k, v := range files {
		all[k] = v
	}
	testfs.WriteFiles(t, dir, all)
	return dir
}

const chartYAML = "apiVersion: v2\nname: %s\nversion: 0.1.0\n"

// Issue 13.2: no template reads .git/ (or .hg, .svn), and .helmignore is
// honoured, wherever the chart sits.
func TestAttackTemplatesReadVCS(t *testing.T) {
	leak := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n" +
		"  git: {{ .Files.Get \".git/config\" | quote }}\n" +
		"  hg: {{ .Files.Get \".hg/hgrc\" | quote }}\n" +
		"  ignored: {{ .Files.Get \"private.txt\" | quote }}\n" +
		"  all: {{ range $p, $_ := .Files.Glob \"**\" }}{{ $p }},{{ end }}\n"
	fail := "{{ fail (.Files.Get \".git/config\") }}\n"
	dir := attackRepo(t, map[string]string{
		// a chart at the repository root: .git/ is inside the chart
		"Chart.yaml":          fmt.Sprintf(chartYAML, "root"),
		"templates/leak.yaml": leak,
		"templates/fail.yaml": fail,
		".helmignore":         "private.txt\n",
		"private.txt":         secret,
		".hg/hgrc":            secret,
		// a chart with a VCS folder of its own (a submodule's checkout)
		"sub/Chart.yaml":          fmt.Sprintf(chartYAML, "sub"),
		"sub/.git/config":         secret,
		"sub/.svn/entries":        secret,
		"sub/templates/leak.yaml": strings.ReplaceAll(leak, ".hg/hgrc", ".svn/entries"),
		"sub/templates/fail.yaml": fail,
	})
	r := runAttack(t, dir, 20*time.Second, 400, ".")
	if n := len(r.find("helm-render-error")); n != 2 {
		t.Errorf("want the two fail templates reported, got %d\n%s", n, r.describe())
	}
}

// Issue 13.8: a chart directory whose files add up to more than the budget
// is refused before it is loaded (the files are sparse: a few KB on disk).
func TestAttackChartDirectoryBudget(t *testing.T) {
	dir := attackRepo(t, map[string]string{
		"big/Chart.yaml":        fmt.Sprintf(chartYAML, "big"),
		"big/templates/cm.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n",
	})
	for i := range 300 {
		f, err := os.Create(filepath.Join(dir, "big", fmt.Sprintf("zeros-%03d.bin", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(5<<20 - 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	r := runAttack(t, dir, 30*time.Second, 300, ".")
	errs := r.find("helm-render-error")
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "budget") {
		t.Errorf("want one helm-render-error naming the budget\n%s", r.describe())
	}
}

// Issue 13.3: a template that doubles a string 28 times (256 MiB, then
// 512 MiB of output...) is stopped by the render's memory budget, and an
// endless render is killed at --helm-timeout: each costs its chart one
// finding and nothing else.
func TestAttackTemplateBombs(t *testing.T) {
	bomb := "{{- $s := \"0123456789abcdef\" }}{{- range until 28 }}{{- $s = print $s $s }}{{- end }}\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  x: {{ $s | quote }}\n"
	spin := "{{- range until 100000 }}{{- range until 100000 }}{{- range until 100000 }}{{- $x := print . }}{{- end }}{{- end }}{{- end }}\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: spin\n"
	files := map[string]string{
		"bomb/Chart.yaml":          fmt.Sprintf(chartYAML, "bomb"),
		"bomb/templates/bomb.yaml": bomb,
		"bomb/templates/ok.yaml":   "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: ok\n",
		"ok/Chart.yaml":            fmt.Sprintf(chartYAML, "ok"),
		"ok/templates/ok.yaml":     "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: ok\n",
	}
	for i := range 6 {
		files[fmt.Sprintf("spin%d/Chart.yaml", i)] = fmt.Sprintf(chartYAML, fmt.Sprintf("spin%d", i))
		files[fmt.Sprintf("spin%d/templates/spin.yaml", i)] = spin
	}
	dir := attackRepo(t, files)
	// Six endless charts at 3 s each on two workers: 9 s, not six renders
	// running on until the process ends.
	r := runAttack(t, dir, 25*time.Second, 1500, "--helm-timeout", "3s", ".")
	var bombs, spins int
	for _, f := range r.find("helm-render-error") {
		switch {
		case strings.Contains(f.File, "bomb"):
			bombs++
			if !strings.Contains(f.Message, "budget") {
				t.Errorf("the bomb's finding does not name the budget: %s", f.Message)
			}
		case strings.Contains(f.File, "spin"):
			spins++
		}
	}
	if bombs != 1 || spins != 6 {
		t.Errorf("want 1 bomb and 6 timed-out renders, got %d and %d\n%s", bombs, spins, r.describe())
	}
	if !r.has("ok.yaml", 1, "api-removed") {
		t.Errorf("the other charts' findings are lost\n%s", r.describe())
	}
}

// Issue 13.4: placing findings on template lines has a budget proportional
// to the output: adjacent actions (each could have written any part of the
// output) cannot make it quadratic and keep the run past --timeout.
func TestAttackTracerBudget(t *testing.T) {
	big := strings.Repeat("v", 10_000)
	files := map[string]string{
		"tr/Chart.yaml":  fmt.Sprintf(chartYAML, "tr"),
		"tr/values.yaml": "v: " + big + "\n",
	}
	for i := range 6 {
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: t%d\n  annotations:\n    a: ", i)
		for range 100 {
			b.WriteString("{{ .Values.v }}")
		}
		b.WriteString("\n")
		files[fmt.Sprintf("tr/templates/t%d.yaml", i)] = b.String()
	}
	dir := attackRepo(t, files)
	r := runAttack(t, dir, 3*time.Second, 500, "--timeout", "2s", ".")
	if n := len(r.find("api-removed")); n != 7 {
		t.Errorf("want the six templates' findings and good.yaml's, got %d\n%s", n, r.describe())
	}
}

// Issue 13.5: library log lines never reach the runner raw: a file name
// holding a line break and a workflow command cannot stop or forge
// annotations.
func TestAttackLogInjection(t *testing.T) {
	evil := "l\n::stop-commands::x\n::warning::forged"
	dir := attackRepo(t, map[string]string{
		"ch/Chart.yaml":          fmt.Sprintf(chartYAML, "ch"),
		"ch/templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
		"ch/real.txt":            "x",
		"kz/kustomization.yaml":  "resources:\n- cm.yaml\nvars:\n- name: V\n  objref:\n    kind: ConfigMap\n    name: cm\n    apiVersion: v1\n",
		"kz/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
		"kz2/kustomization.yaml": "bases:\n- ../kz\ncommonLabels:\n  a: b\n",
		// kustomize names files by absolute path in its errors
		"kz3/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: missing-patch.yaml\n",
		"kz3/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm3\n",
		"kz4/kustomization.yaml": "resources:\n- ../kz3\nnamePrefix: x-\n",
	})
	// Helm logs every symbolic link it follows in a chart, with its name.
	if err := os.Symlink("real.txt", filepath.Join(dir, "ch", evil)); err != nil {
		t.Fatal(err)
	}
	r := runAttack(t, dir, 20*time.Second, 400, ".")
	// kustomize's deprecation warnings (vars, bases, commonLabels here) are
	// one note, not a line each.
	if n := strings.Count(r.stderr, "kubeready: note: kustomize warned"); n != 1 || strings.Contains(r.stderr, "\n# Warning") {
		t.Errorf("want one kustomize note on stderr:\n%s", r.stderr)
	}
}

// Issue 13.6: files named one by one (pre-commit, --base, --diff, the
// Action's scope: files) follow the directory walk's rules: a symbolic link
// out of the repository, to a device or to a FIFO is refused, not read, and
// nothing blocks.
func TestAttackExplicitPaths(t *testing.T) {
	outside := t.TempDir()
	testfs.WriteFiles(t, outside, map[string]string{
		"secret.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n  annotations:\n    token: " + secret + "\n",
	})
	dir := attackRepo(t, map[string]string{"inside.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\n"})
	links := map[string]string{
		"leak.yaml":    filepath.Join(outside, "secret.yaml"),
		"rel.yaml":     "../" + filepath.Base(outside) + "/secret.yaml",
		"environ.yaml": "/proc/self/environ",
		"stdin.yaml":   "/dev/stdin",
		"zero.yaml":    "/dev/zero",
		"ok-link.yaml": "inside.yaml",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// a directory link out of the repository, with a file named through it
	if err := os.Symlink(outside, filepath.Join(dir, "outdir")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{"leak.yaml", "rel.yaml", "environ.yaml", "stdin.yaml", "zero.yaml", "fifo.yaml", "outdir/secret.yaml", "ok-link.yaml", "good.yaml"}
	t.Run("arguments", func(t *testing.T) {
		r := runAttack(t, dir, 10*time.Second, 300, append([]string{"--timeout", "5s"}, names...)...)
		for _, n := range []string{"leak.yaml", "rel.yaml", "environ.yaml", "stdin.yaml", "zero.yaml", "fifo.yaml", "secret.yaml"} {
			if r.skipped[n] == "" && !r.has(n, 1, "file-unreadable") {
				t.Errorf("%s was not refused\n%s", n, r.describe())
			}
		}
		if r.has("secret.yaml", 0, "api-removed") || r.has("leak.yaml", 0, "api-removed") {
			t.Errorf("a file outside the repository was read\n%s", r.describe())
		}
	})
	t.Run("diff", func(t *testing.T) {
		var diff strings.Builder
		for _, n := range names {
			fmt.Fprintf(&diff, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+x\n", n, n, n)
		}
		r := runAttackStdin(t, dir, diff.String(), 10*time.Second, 300, "--timeout", "5s", "--diff", "-")
		if r.has("secret.yaml", 0, "api-removed") || r.has("leak.yaml", 0, "api-removed") {
			t.Errorf("a file outside the repository was read\n%s", r.describe())
		}
	})
}

// Issue 13.7: a helper called with `template` that fails costs the chart
// the caller's template only.
func TestAttackFailingTemplateCaller(t *testing.T) {
	dir := attackRepo(t, map[string]string{
		"ch/Chart.yaml": fmt.Sprintf(chartYAML, "ch"),
		"ch/templates/_helpers.tpl": "{{- define \"ch.boom\" -}}\n{{ fail \"boom\" }}\n{{- end }}\n" +
			"{{- define \"ch.labels\" -}}\napp: ch\n{{- end }}\n",
		"ch/templates/caller.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caller\ndata:\n  x: |\n    {{ template \"ch.boom\" . }}\n",
		"ch/templates/cron.yaml":   "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: cron\n  labels:\n    {{- template \"ch.labels\" . }}\n",
	})
	r := runAttack(t, dir, 20*time.Second, 400, ".")
	if !r.has("cron.yaml", 1, "api-removed") {
		t.Errorf("the other template's finding is lost\n%s", r.describe())
	}
	errs := r.find("helm-render-error")
	if len(errs) != 1 || filepath.Base(errs[0].File) != "caller.yaml" && filepath.Base(errs[0].File) != "_helpers.tpl" {
		t.Errorf("want one helm-render-error on the caller or the helper\n%s", r.describe())
	}
}

// Issue 13.9: nesting far past the depth limit still reports the object's
// signature (a removed API) besides the limit.
func TestAttackDeepNesting(t *testing.T) {
	const depth = 100_000
	doc := "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: deep\nspec: " +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	dir := attackRepo(t, map[string]string{"deep.yaml": doc})
	r := runAttack(t, dir, 20*time.Second, 400, ".")
	if !r.has("deep.yaml", 1, "api-removed") {
		t.Errorf("the deep object's removed API is not reported\n%s", r.describe())
	}
}
