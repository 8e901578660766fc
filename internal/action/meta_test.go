package action

import (
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/testfs"
	"github.com/sethvargo/go-githubactions"
	"go.yaml.in/yaml/v3"
)

// actionMeta is the part of action.yml the tests read.
type actionMeta struct {
	Name        string
	Description string
	Branding    struct{ Icon, Color string }
	Inputs      map[string]struct {
		Description string
		Required    bool
		Default     *string
	}
	Outputs map[string]struct{ Description, Value string }
	Runs    struct {
		Using string
		Steps []struct {
			ID  string
			Env map[string]string
		}
	}
}

// inputEnv maps each input to the variable action.yml's run step passes it
// in, from the step's env entries of the form NAME: ${{ inputs.INPUT }}.
func (m actionMeta) inputEnv(t *testing.T) map[string]string {
	t.Helper()
	for _, s := range m.Runs.Steps {
		if s.ID != "run" {
			continue
		}
		env := map[string]string{}
		for k, v := range s.Env {
			if in, ok := strings.CutPrefix(v, "${{ inputs."); ok {
				env[strings.TrimSuffix(in, " }}")] = k
			}
		}
		return env
	}
	t.Fatal("action.yml has no step with id run")
	return nil
}

func readActionMeta(t *testing.T) actionMeta {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m actionMeta
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return m
}

// TestActionMetadata checks action.yml against the issue and against the
// code: the same inputs and outputs, and defaults that mean what the code
// does when an input is empty.
func TestActionMetadata(t *testing.T) {
	m := readActionMeta(t)
	if m.Name == "" || m.Description == "" || m.Branding.Icon == "" || m.Branding.Color == "" {
		t.Error("name, description and branding are required")
	}
	if m.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want a composite action (internal/install tests its steps)", m.Runs.Using)
	}
	env := m.inputEnv(t)
	wantDefaults := map[string]string{
		"target": "1.25", "platform": "eks", "paths": ".", "scope": "files", "fail-on": "error", "comment": "true",
		"review": "false", "annotations": "true", "sarif-file": "", "helm-values": "", "github-token": "${{ github.token }}",
		"current":      "",        // issue 19: the upgrade plan
		"fetch-charts": "false",   // issue 18.3: remote GitOps charts
		"min-severity": "warning", // issue 16.7: info findings off the pull request
	}
	var names []string
	for name, in := range m.Inputs {
		names = append(names, name)
		want, ok := wantDefaults[name]
		switch {
		case !ok:
			t.Errorf("input %s is not in the issue", name)
		case in.Default == nil || *in.Default != want:
			t.Errorf("input %s: default %v, want %q", name, in.Default, want)
		case in.Description == "" || in.Required:
			t.Errorf("input %s: needs a description and must not be required", name)
		}
		if want != "" && want != "${{ github.token }}" && !strings.Contains(in.Description, "Default "+want) {
			t.Errorf("input %s: the description does not state the default %q", name, want)
		}
	}
	if len(names) != len(wantDefaults) {
		t.Errorf("inputs %v, want %d", names, len(wantDefaults))
	}
	var outs []string
	for name, o := range m.Outputs {
		outs = append(outs, name)
		if o.Description == "" {
			t.Errorf("output %s has no description", name)
		}
		if want := "${{ steps.run.outputs." + name + " }}"; o.Value != want {
			t.Errorf("output %s: value %q, want %q (what the binary writes to GITHUB_OUTPUT)", name, o.Value, want)
		}
	}
	slices.Sort(outs)
	if strings.Join(outs, " ") != "errors findings sarif-file warnings" {
		t.Errorf("outputs %v", outs)
	}

	// The code reads the variables the run step sets, with the same
	// defaults: inputs set to action.yml's defaults read as inputs left
	// empty.
	withDefaults := map[string]string{}
	for name, in := range m.Inputs {
		if env[name] == "" {
			t.Errorf("input %s is not passed to the binary by the run step", name)
		}
		if name != "github-token" {
			withDefaults[env[name]] = *in.Default
		}
	}
	a, aOpts, _, err := readInputs(githubactions.New(githubactions.WithGetenv(func(k string) string { return withDefaults[k] })), configChoice{})
	if err != nil {
		t.Fatal(err)
	}
	b, bOpts, _, err := readInputs(githubactions.New(githubactions.WithGetenv(func(string) string { return "" })), configChoice{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.paths, " ") != strings.Join(b.paths, " ") || a.comment != b.comment || a.review != b.review ||
		a.annotations != b.annotations || a.sarifFile != b.sarifFile || aOpts.Engine.Env.Target != bOpts.Engine.Env.Target ||
		aOpts.Engine.Env.Platform != bOpts.Engine.Env.Platform || aOpts.Engine.Scope != bOpts.Engine.Scope || aOpts.FailOn != bOpts.FailOn ||
		aOpts.Engine.Render.FetchCharts != bOpts.Engine.Render.FetchCharts || bOpts.Engine.Render.FetchCharts {
		t.Errorf("action.yml's defaults %+v %+v differ from the code's %+v %+v", a, aOpts, b, bOpts)
	}
	if bOpts.Engine.Env.Target.String() != "1.25" || bOpts.Engine.Env.Platform != "eks" || bOpts.Engine.Scope != "files" || bOpts.FailOn != "error" {
		t.Errorf("defaults: target %s platform %s scope %s fail-on %s", bOpts.Engine.Env.Target, bOpts.Engine.Env.Platform, bOpts.Engine.Scope, bOpts.FailOn)
	}
	// And every input reaches the code: a value other than the default
	// changes what readInputs returns.
	changed := map[string]string{}
	for name, v := range map[string]string{"target": "1.30", "platform": "generic", "paths": "deploy\ncharts", "scope": "lines",
		"fail-on": "warning", "comment": "false", "review": "true", "annotations": "false",
		"sarif-file": "k.sarif", "github-token": "tok", "fetch-charts": "true"} {
		changed[env[name]] = v
	}
	c, cOpts, _, err := readInputs(githubactions.New(githubactions.WithGetenv(func(k string) string { return changed[k] })), configChoice{})
	if err != nil {
		t.Fatal(err)
	}
	if cOpts.Engine.Env.Target.String() != "1.30" || cOpts.Engine.Env.Platform != "generic" || strings.Join(c.paths, ",") != "deploy,charts" || cOpts.Engine.Scope != "lines" ||
		cOpts.FailOn != "warning" || c.comment || !c.review || c.annotations || c.sarifFile != "k.sarif" || c.token != "tok" || !cOpts.Engine.Render.FetchCharts {
		t.Errorf("inputs not read: %+v %+v", c, cOpts)
	}
}

// exampleWorkflow returns the example workflow of README.md's GitHub Action
// section.
func exampleWorkflow(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- example-workflow: begin[^>]*-->\n```yaml\n(.*?)```\n<!-- example-workflow: end -->").FindSubmatch(data)
	if m == nil {
		t.Fatal("README.md has no example workflow between the example-workflow markers")
	}
	return string(m[1])
}

// TestReadmeExampleWorkflow checks the README's example: it parses, uses
// only inputs and outputs action.yml declares, and passes actionlint with
// `uses: ./` (so actionlint checks it against action.yml) when actionlint
// is installed (.ci/run installs it).
func TestReadmeExampleWorkflow(t *testing.T) {
	wf := exampleWorkflow(t)
	var parsed struct {
		Jobs map[string]struct {
			Steps []struct {
				ID   string
				Uses string
				With map[string]string
			}
		}
	}
	if err := yaml.Unmarshal([]byte(wf), &parsed); err != nil {
		t.Fatalf("README example: %v", err)
	}
	meta := readActionMeta(t)
	found := false
	for _, job := range parsed.Jobs {
		for _, s := range job.Steps {
			if !strings.HasPrefix(s.Uses, "kubeready/kubeready@") {
				continue
			}
			found = true
			for k := range s.With {
				if _, ok := meta.Inputs[k]; !ok {
					t.Errorf("README example sets input %q, which action.yml does not declare", k)
				}
			}
		}
	}
	if !found {
		t.Fatal("README example does not use kubeready/kubeready")
	}
	for _, out := range regexp.MustCompile(`steps\.kubeready\.outputs\.([a-z-]+)`).FindAllStringSubmatch(wf, -1) {
		if _, ok := meta.Outputs[out[1]]; !ok {
			t.Errorf("README example reads output %q, which action.yml does not declare", out[1])
		}
	}

	bin := actionlintPath()
	if bin == "" {
		t.Skip("actionlint is not installed (.ci/run installs it: go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)")
	}
	// actionlint finds the project (and resolves `uses: ./`) by its .git.
	project := t.TempDir()
	if err := os.Mkdir(filepath.Join(project, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "action.yml", filepath.Join(project, "action.yml"))
	local := regexp.MustCompile(`kubeready/kubeready@\S+`).ReplaceAllString(wf, "./")
	if local == wf {
		t.Fatal("no kubeready/kubeready@REF in the example")
	}
	testfs.WriteFiles(t, project, map[string]string{
		".github/workflows/readme-example.yml":        local,
		".github/workflows/readme-example-remote.yml": wf,
	})
	cmd := exec.Command(bin, "-no-color")
	cmd.Dir = project
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint on the README example: %v\n%s", err, out)
	}
	// actionlint must be able to fail here: an input action.yml lacks.
	testfs.WriteFiles(t, project, map[string]string{".github/workflows/readme-example.yml": strings.Replace(local, "review: true", "reviews: true", 1)})
	cmd = exec.Command(bin, "-no-color")
	cmd.Dir = project
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `"reviews" is not defined`) {
		t.Errorf("actionlint did not catch an undeclared input: %v\n%s", err, out)
	}
}

func actionlintPath() string {
	if p := os.Getenv("ACTIONLINT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("actionlint"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "actionlint")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
}

// TestDockerfile reads the Dockerfile for what the issue asks (there is no
// Docker engine to build it here) and runs its `go build` command: the
// binary must be static and carry the version. The release's image takes
// GoReleaser's binaries instead (BINARY=release; internal/install checks
// that stage against .goreleaser.yaml).
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got %d FROM lines", len(froms))
	}
	if !regexp.MustCompile(`^golang:\d+\.\d+\.\d+-`).MatchString(froms[0][1]) {
		t.Errorf("build stage %s: want a Go image pinned to a patch release", froms[0][1])
	}
	for _, f := range froms {
		if f[1] == "scratch" || strings.HasPrefix(f[1], "${") { // empty, or a stage of this file
			continue
		}
		if strings.HasSuffix(f[1], ":latest") || !strings.Contains(f[1], ":") {
			t.Errorf("unpinned image %s", f[1])
		}
	}
	if !strings.Contains(df, "\nARG BINARY=source\n") || !strings.Contains(df, "\nFROM ${BINARY} AS binary\n") {
		t.Error("the binary should come from the source stage unless BINARY says otherwise")
	}
	final := df[strings.LastIndex(df, "\nFROM "):]
	for _, bad := range []string{"\nUSER ", "\nWORKDIR "} {
		if strings.Contains(df, bad) {
			t.Errorf("Dockerfile has %s: the runs mount the repository and choose the directory", strings.TrimSpace(bad))
		}
	}
	for _, want := range []string{"ca-certificates", "git", "safe.directory /src", "safe.directory /github/workspace",
		"COPY --from=binary /out/kubeready /usr/local/bin/kubeready", `ENTRYPOINT ["/usr/local/bin/kubeready"]`} {
		if !strings.Contains(final, want) {
			t.Errorf("final stage lacks %q", want)
		}
	}
	if strings.Contains(final, "golang") {
		t.Error("the final stage should not carry the Go toolchain")
	}

	line := regexp.MustCompile(`CGO_ENABLED=0 go build [^\n\\]*`).FindString(df)
	if line == "" || !strings.Contains(line, "-trimpath") || !strings.Contains(line, "-X main.version=${v}") {
		t.Fatalf("go build line %q: want CGO_ENABLED=0, -trimpath and -X main.version", line)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run the build line")
	}
	out := filepath.Join(t.TempDir(), "kubeready")
	cmdLine := strings.NewReplacer("${v}", "v1.2.3-docker", "/out/kubeready", out).Replace(line)
	cmd := exec.Command("sh", "-c", cmdLine)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdLine, err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked")
		}
	}
	if v, err := exec.Command(out, "--version").Output(); err != nil || strings.TrimSpace(string(v)) != "kubeready v1.2.3-docker" {
		t.Errorf("--version = %q, %v", v, err)
	}
}

// TestMinSeverityDefault: the Action leaves info findings off the pull
// request unless the input or .kubeready.yaml asks for them (issue 16.7).
func TestMinSeverityDefault(t *testing.T) {
	for _, tc := range []struct {
		input string
		want  checks.Severity
	}{{"", checks.Warning}, {"warning", checks.Warning}, {"info", checks.Info}, {"error", checks.Error}} {
		env := map[string]string{"INPUT_MIN-SEVERITY": tc.input}
		_, opts, _, err := readInputs(githubactions.New(githubactions.WithGetenv(func(k string) string { return env[k] })), configChoice{})
		if err != nil {
			t.Fatal(err)
		}
		if opts.Engine.MinSeverity != tc.want {
			t.Errorf("input %q: min severity %s, want %s", tc.input, opts.Engine.MinSeverity, tc.want)
		}
	}
}
