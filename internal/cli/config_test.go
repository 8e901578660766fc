package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/internal/testfs"
)

// runJSON runs the CLI with --format json and decodes the report.
func runJSON(t *testing.T, args ...string) (rep annotate.Report, code int, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), append([]string{"--format", "json"}, args...), strings.NewReader(""), &out, &errb)
	if code != ExitError {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	return rep, code, errb.String()
}

// A CronJob at batch/v1beta1: deprecated in 1.21, removed in 1.25.
const cronJobV1beta1 = `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
`

func rules(rep annotate.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestFindConfig(t *testing.T) {
	root := t.TempDir()
	testfs.WriteFiles(t, root, map[string]string{
		".kubeready.yaml":                     "target: 1.26\n",
		"repo/.git/HEAD":                      "ref: refs/heads/main\n",
		"repo/.kubeready.yaml":                "target: 1.27\n",
		"repo/a/b/c/x.yaml":                   "",
		"repo/a/nested/.kubeready.yaml":       "target: 1.28\n",
		"repo/a/nested/d/x.yaml":              "",
		"bare/.git":                           "gitdir: ../elsewhere\n", // a worktree's .git is a file
		"bare/sub/x.yaml":                     "",
		"repo/a/dirnamed/.kubeready.yaml/x":   "", // a directory of that name is not a file
		"repo/a/dirnamed/.kubeready.yaml/y/z": "",
	})
	for _, tc := range []struct{ from, want string }{
		{"repo/a/b/c", "repo/.kubeready.yaml"},
		{"repo", "repo/.kubeready.yaml"},
		{"repo/a/nested/d", "repo/a/nested/.kubeready.yaml"},
		{"repo/a/dirnamed", "repo/.kubeready.yaml"},
		{"bare/sub", ""}, // stops at the repository root: the file above it is not read
		{".", ".kubeready.yaml"},
	} {
		got, err := findConfig(filepath.Join(root, tc.from))
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if tc.want != "" {
			want = filepath.Join(root, tc.want)
		}
		if got != want {
			t.Errorf("findConfig(%s) = %q, want %q", tc.from, got, want)
		}
	}
}

// repoWithConfig makes a git-rooted directory holding .kubeready.yaml and
// manifests/cronjob.yaml, and moves the test into manifests/.
func repoWithConfig(t *testing.T, config string, more map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		".git/HEAD":              "ref: refs/heads/main\n",
		".kubeready.yaml":        config,
		"manifests/cronjob.yaml": cronJobV1beta1,
	}
	for k, v := range more {
		files[k] = v
	}
	testfs.WriteFiles(t, root, files)
	t.Chdir(filepath.Join(root, "manifests"))
	return root
}

func TestConfigFromSubdirectoryAndFlagsWin(t *testing.T) {
	repoWithConfig(t, "# team settings\ntarget: \"1.22\"\nplatform: generic\nfail-on: warning\n", nil)
	for _, tc := range []struct {
		name         string
		args         []string
		wantTarget   string
		wantPlatform string
		wantRules    []string
		wantCode     int
	}{
		// 1.22: deprecated, and fail-on warning from the file makes it fail.
		{"file only", nil, "1.22", "generic", []string{"api-deprecated"}, ExitFindings},
		{"--target wins", []string{"--target", "1.25"}, "1.25", "generic", []string{"api-removed"}, ExitFindings},
		{"--fail-on wins", []string{"--fail-on", "error"}, "1.22", "generic", []string{"api-deprecated"}, ExitClean},
		{"--platform wins, the rest from the file", []string{"--platform=eks"}, "1.22", "eks", []string{"api-deprecated"}, ExitFindings},
		{"a flag set to the default still wins", []string{"--target", "1.25", "--fail-on", "error"}, "1.25", "generic", []string{"api-removed"}, ExitFindings},
		{"--config none", []string{"--config", "none", "--target", "1.20"}, "1.20", "eks", nil, ExitClean},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, code, stderr := runJSON(t, append(tc.args, "cronjob.yaml")...)
			if code != tc.wantCode || rep.Target != tc.wantTarget || rep.Platform != tc.wantPlatform || !slices.Equal(rules(rep), tc.wantRules) {
				t.Errorf("exit %d, target %s, platform %s, rules %v; want exit %d, %s, %s, %v (stderr %s)",
					code, rep.Target, rep.Platform, rules(rep), tc.wantCode, tc.wantTarget, tc.wantPlatform, tc.wantRules, stderr)
			}
		})
	}
}

func TestConfigExplicitFile(t *testing.T) {
	root := repoWithConfig(t, "target: \"1.22\"\n", map[string]string{"other.yaml": "target: \"1.25\"\n"})
	rep, code, stderr := runJSON(t, "--config", filepath.Join(root, "other.yaml"), "cronjob.yaml")
	if code != ExitFindings || rep.Target != "1.25" {
		t.Errorf("exit %d target %s, want 1 and 1.25 from --config (stderr %s)", code, rep.Target, stderr)
	}
	_, code, stderr = runJSON(t, "--config", "missing.yaml", "cronjob.yaml")
	if code != ExitError || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing --config file: exit %d stderr %q", code, stderr)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		args         []string
		want         string // in stderr, after "kubeready: "
	}{
		{"bad value at its line", "target: \"1.25\"\nfail-on: sometimes\n", nil, `../.kubeready.yaml:2: fail-on "sometimes": want error, warning or never`},
		{"bad target", "\n\ntarget: latest\n", nil, `../.kubeready.yaml:3: target: version "latest"`},
		{"bad platform", "platform: gke\n", nil, `../.kubeready.yaml:1: platform "gke": want eks or generic`},
		{"unknown key", "target: \"1.25\"\nfailOn: error\n", nil, "../.kubeready.yaml:2: failOn: unknown setting (known: apis, current, disable, fail-on, fix, helm-set, helm-timeout, helm-values, ignore, min-severity, platform, scope, target)"},
		{"key twice", "target: \"1.25\"\ntarget: \"1.26\"\n", nil, "../.kubeready.yaml:2: target: set twice"},
		{"list for a scalar", "target: [\"1.25\"]\n", nil, "../.kubeready.yaml:1: target: want a single value"},
		{"mapping in a list", "ignore:\n  - {a: b}\n", nil, "../.kubeready.yaml:1: ignore: line 2: want a plain value"},
		{"not a mapping", "- target\n", nil, "../.kubeready.yaml:1: want a mapping of settings"},
		{"syntax", "target: [1.25\n", nil, "../.kubeready.yaml: line 1: did not find expected"},
		{"internal-error cannot be disabled", "disable: [internal-error]\n", nil, "../.kubeready.yaml:1: disable: internal-error cannot be disabled"},
		{"bad glob", "ignore: ['[a-']\n", nil, `../.kubeready.yaml:1: ignore: bad glob "[a-"`},
		{"bad current", "current: \"1.25\"\n", nil, `../.kubeready.yaml:1: current 1.25: want a version older than --target 1.25`},
		{"unparsable current", "\ncurrent: yesterday\n", nil, `../.kubeready.yaml:2: current: version "yesterday"`},
		{"apis not a list", "apis: {a: b}\n", nil, "../.kubeready.yaml:1: apis: want a list"},
		{"apis misspelt key", "apis:\n  - apiVersion: example.com/v1\n    remove: \"1.30\"\n", nil, `../.kubeready.yaml:1: apis: line 2: unknown key "remove"`},
		{"apis built-in group", "apis:\n  - {apiVersion: apps/v1, removed: \"1.30\"}\n", nil, `../.kubeready.yaml:1: apis: line 2: apiVersion "apps/v1": want group/version of a custom resource`},
		{"apis no versions", "apis:\n  - {apiVersion: example.com/v1}\n", nil, "../.kubeready.yaml:1: apis: line 2: example.com/v1: give deprecated, removed or both"},
		{"apis bad version", "apis:\n  - {apiVersion: example.com/v1, removed: soon}\n", nil, `../.kubeready.yaml:1: apis: line 2: example.com/v1: removed: version "soon"`},
		{"bad fix value once --fix exists", "fix: sometimes\n", []string{"--fix-flag-for-test"}, "fix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repoWithConfig(t, tc.config, nil)
			if len(tc.args) > 0 {
				// The --fix flag belongs to another change; check its key
				// through apply with a stand-in flag set instead.
				c, err := loadConfig("../.kubeready.yaml")
				if err != nil {
					t.Fatal(err)
				}
				fs := flag.NewFlagSet("t", flag.ContinueOnError)
				fs.Bool("fix", false, "")
				err = c.apply(fs, map[string]bool{}, map[string]string{})
				if err == nil || !strings.Contains(err.Error(), "../.kubeready.yaml:1: fix: ") {
					t.Errorf("apply: %v, want an error at ../.kubeready.yaml:1: fix", err)
				}
				return
			}
			_, code, stderr := runJSON(t, "cronjob.yaml")
			if code != ExitError || !strings.Contains(stderr, "kubeready: "+tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// A value the command line overrides is never read, so a bad one does no harm.
func TestConfigBadValueOverridden(t *testing.T) {
	repoWithConfig(t, "target: latest\n", nil)
	rep, code, stderr := runJSON(t, "--target", "1.25", "cronjob.yaml")
	if code != ExitFindings || rep.Target != "1.25" {
		t.Errorf("exit %d target %s stderr %s", code, rep.Target, stderr)
	}
}

// Keys whose flags other changes add (scope, helm-values, helm-set, fix) are
// accepted now, and set their flag as soon as it is registered.
func TestConfigFutureFlags(t *testing.T) {
	repoWithConfig(t, "scope: lines\nhelm-values: [values/prod.yaml, values/eu.yaml]\nhelm-set: image.tag=1.2\nfix: true\n",
		map[string]string{"values/prod.yaml": "replicas: 3\n", "values/eu.yaml": "region: eu-west-1\n"})
	// fix: true turns on --fix, which this build has: the CronJob is
	// rewritten in place and nothing is left to report.
	if _, code, stderr := runJSON(t, "cronjob.yaml"); code != ExitClean {
		t.Fatalf("keys without flags, fix: true: exit %d, stderr %s", code, stderr)
	}
	if b, err := os.ReadFile("cronjob.yaml"); err != nil || !strings.Contains(string(b), "apiVersion: batch/v1\n") {
		t.Errorf("fix: true did not fix cronjob.yaml: %q %v", b, err)
	}
	c, err := loadConfig("../.kubeready.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	scope := fs.String("scope", "files", "")
	var values, sets multiFlag
	fs.Var(&values, "helm-values", "")
	fs.Var(&sets, "helm-set", "")
	fix := fs.Bool("fix", false, "")
	if err := fs.Parse([]string{"--helm-set", "a=b"}); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{"helm-set": true}
	origin := map[string]string{}
	if err := c.apply(fs, set, origin); err != nil {
		t.Fatal(err)
	}
	// Relative paths are relative to the file, shown relative to the
	// working directory (manifests/).
	if *scope != "lines" || !*fix || !slices.Equal(values, []string{"../values/prod.yaml", "../values/eu.yaml"}) || !slices.Equal(sets, []string{"a=b"}) {
		t.Errorf("scope %q fix %v helm-values %q helm-set %q", *scope, *fix, values, sets)
	}
	if origin["scope"] != "../.kubeready.yaml:1: scope" || origin["helm-set"] != "" {
		t.Errorf("origin %q", origin)
	}
}

// TestConfigCurrent: the README's current key (and helm-timeout) set their
// flags; a flag on the command line wins, and a bad value stops the run.
func TestConfigCurrent(t *testing.T) {
	repoWithConfig(t, "target: \"1.26\"\ncurrent: \"1.23\"\nhelm-timeout: 5s\n", nil)
	var stdout, stderr bytes.Buffer
	opts, code, ok := ParseFlags([]string{"cronjob.yaml"}, &stdout, &stderr)
	if !ok {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := opts.Engine.Render.Current.String(); got != "1.23" {
		t.Errorf("current from the file: %s, want 1.23", got)
	}
	if opts.Engine.Render.Timeout.String() != "5s" {
		t.Errorf("helm-timeout from the file: %s, want 5s", opts.Engine.Render.Timeout)
	}
	if opts, _, ok = ParseFlags([]string{"--current", "1.25", "cronjob.yaml"}, &stdout, &stderr); !ok || opts.Engine.Render.Current.String() != "1.25" {
		t.Errorf("--current on the command line does not win: %v", opts.Engine.Render.Current)
	}

	repoWithConfig(t, "current: none\n", nil)
	if opts, _, ok = ParseFlags([]string{"cronjob.yaml"}, &stdout, &stderr); !ok || !opts.Engine.Render.Current.IsZero() {
		t.Errorf("current: none: %v, want no current render", opts.Engine.Render.Current)
	}

	repoWithConfig(t, "target: \"1.26\"\ncurrent: \"1.27\"\n", nil)
	stderr.Reset()
	if _, code, ok := ParseFlags([]string{"cronjob.yaml"}, &stdout, &stderr); ok || code != ExitError || !strings.Contains(stderr.String(), "older than --target") {
		t.Errorf("current newer than target: ok %v exit %d, %q", ok, code, stderr.String())
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func TestConfigDisable(t *testing.T) {
	repoWithConfig(t, "disable: [api-removed, invalid-yaml, no-such-rule]\n", map[string]string{
		"manifests/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n",
		"manifests/hpa.yaml":    "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n",
	})
	rep, code, stderr := runJSON(t, ".")
	if code != ExitClean || !slices.Equal(rules(rep), []string{"api-deprecated"}) {
		t.Errorf("exit %d, rules %v, want 0 and only api-deprecated (stderr %s)", code, rules(rep), stderr)
	}
	if !strings.Contains(stderr, `warning: ../.kubeready.yaml: disable: no rule "no-such-rule"`) {
		t.Errorf("no warning for an unknown rule: %q", stderr)
	}
}

func TestConfigIgnore(t *testing.T) {
	repoWithConfig(t, "ignore:\n  - manifests/legacy/**\n  - '*.generated.yaml'\n  - other/*.yaml\n", map[string]string{
		"manifests/legacy/old/a.yaml":    cronJobV1beta1,
		"manifests/b.generated.yaml":     cronJobV1beta1,
		"manifests/keep/b.generated.yml": cronJobV1beta1,
		"other/c.yaml":                   cronJobV1beta1,
		"other/deeper/d.yaml":            cronJobV1beta1,
		"manifests/legacy-not/e.yaml":    cronJobV1beta1,
	})
	rep, code, stderr := runJSON(t, ".", "../other", "b.generated.yaml")
	var files []string
	for _, f := range rep.Findings {
		files = append(files, f.File)
	}
	slices.Sort(files)
	want := []string{"../other/deeper/d.yaml", "cronjob.yaml", "keep/b.generated.yml", "legacy-not/e.yaml"}
	if code != ExitFindings || !slices.Equal(files, want) {
		t.Errorf("exit %d, findings in %q, want %q (stderr %s)", code, files, want, stderr)
	}
	var skipped []string
	for _, s := range rep.Stats.Skipped {
		skipped = append(skipped, s.File+" "+s.Reason)
	}
	slices.Sort(skipped)
	wantSkipped := []string{
		"../other/c.yaml ignored by ../.kubeready.yaml (other/*.yaml)",
		"b.generated.yaml ignored by ../.kubeready.yaml (*.generated.yaml)",
		"legacy/old/a.yaml ignored by ../.kubeready.yaml (manifests/legacy/**)",
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped %q\nwant %q", skipped, wantSkipped)
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "deep/down/a.yaml", true}, // no slash: any depth
		{"*.yaml", "a.yml", false},
		{"legacy", "legacy/a.yaml", true}, // a directory's name ignores what is in it
		{"legacy", "x/legacy/y/a.yaml", true},
		{"legacy", "legacyx/a.yaml", false},
		{"legacy/", "legacy/a.yaml", true},
		{"charts/old", "charts/old/t.yaml", true}, // with a slash: anchored
		{"charts/old", "x/charts/old/t.yaml", false},
		{"/charts/old", "charts/old/t.yaml", true},
		{"./charts/*.yaml", "charts/a.yaml", true},
		{"charts/*.yaml", "charts/sub/a.yaml", false},
		{"charts/**/a.yaml", "charts/a.yaml", true},
		{"charts/**/a.yaml", "charts/x/y/a.yaml", true},
		{"**/test/*.json", "a/b/test/c.json", true},
		{"**/test/*.json", "test/c.json", true},
		{"**/test/*.json", "test/c.yaml", false},
		{"a/**", "a/b/c", true},
		{"a/**", "b/a/c", false},
		{"env-?/*.yaml", "env-1/x.yaml", true},
		{"env-[ab]/*.yaml", "env-c/x.yaml", false},
	} {
		if got := matchGlob(tc.glob, tc.path); got != tc.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

// current: sets --current (the version the cluster runs now) unless the
// command line gives it.
func TestConfigCurrentFlagWins(t *testing.T) {
	repoWithConfig(t, "target: \"1.28\"\ncurrent: \"1.25\"\n", nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "1.25"},
		{[]string{"--current", "1.26"}, "1.26"},
		{[]string{"--current", "none"}, "0.0"},
	} {
		opts, code, ok := ParseFlags(append(tc.args, "cronjob.yaml"), io.Discard, io.Discard)
		if !ok || opts.Engine.Render.Current.String() != tc.want {
			t.Errorf("%v: exit %d, current %s; want %s", tc.args, code, opts.Engine.Render.Current, tc.want)
		}
	}
}

// apis: lists a team's own custom resource versions; api-third-party checks
// them like built-in APIs, by Kubernetes version, and hop by hop in a plan.
func TestConfigAPIs(t *testing.T) {
	repoWithConfig(t, "target: \"1.29\"\napis:\n  - apiVersion: widgets.example.com/v1alpha1\n    kind: Widget\n    deprecated: \"1.26\"\n    removed: \"1.28\"\n    replacement: widgets.example.com/v1\n",
		map[string]string{"manifests/widget.yaml": "apiVersion: widgets.example.com/v1alpha1\nkind: Widget\nmetadata:\n  name: w\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "error 1.29 Widget widgets.example.com/v1alpha1 is not served on Kubernetes 1.29: this repository's configuration removes it in 1.28. Use widgets.example.com/v1."},
		{[]string{"--target", "1.27"}, "warning 1.27 Widget widgets.example.com/v1alpha1 is deprecated from Kubernetes 1.26 on (this repository's configuration) and removed in 1.28. Use widgets.example.com/v1."},
		{[]string{"--current", "1.25"}, "error 1.28 Widget widgets.example.com/v1alpha1 is not served on Kubernetes 1.28: this repository's configuration removes it in 1.28. Use widgets.example.com/v1."},
	} {
		rep, _, stderr := runJSON(t, append(tc.args, "widget.yaml")...)
		var got []string
		for _, f := range rep.Findings {
			got = append(got, f.Severity.String()+" "+f.Hop+" "+f.Message)
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: %q, want %q (stderr %s)", tc.args, got, tc.want, stderr)
		}
	}
	if _, _, stderr := runJSON(t, "--target", "1.25", "widget.yaml"); stderr != "" {
		t.Errorf("stderr %s", stderr)
	}
}
