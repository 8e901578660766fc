package install

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// actionYML is the part of action.yml these tests read.
type actionYML struct {
	Inputs  map[string]struct{ Default *string }
	Outputs map[string]struct{ Value string }
	Runs    struct {
		Using string
		Steps []actionStep
	}
}

type actionStep struct {
	ID, If, Uses, Shell, Run string
	Env                      map[string]string
	With                     map[string]string
}

func readAction(t *testing.T) actionYML {
	t.Helper()
	var a actionYML
	readYAML(t, filepath.Join(root, "action.yml"), &a)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	return a
}

func (a actionYML) step(t *testing.T, id string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// TestActionSteps checks the composite action's steps against what they
// call: every run step is bash running the script this package tests, the
// Go setup and the build happen only for a checkout of kubeready, and the
// binary the run step starts comes from the install or the build step.
func TestActionSteps(t *testing.T) {
	a := readAction(t)
	for _, s := range a.Runs.Steps {
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q; bash is on every runner and passes INPUT_FAIL-ON and the like on (sh drops them)", s.ID, s.Shell)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression in run: (pass values through env)", s.ID)
		}
	}
	install := a.step(t, "install")
	if install.If != "" || install.Run != `bash "$GITHUB_ACTION_PATH/.github/action/install.sh"` {
		t.Errorf("install step: if %q, run %q", install.If, install.Run)
	}
	build := a.step(t, "build")
	if build.Run != install.Run+" build" || build.If != "steps.install.outputs.source != ''" {
		t.Errorf("build step: if %q, run %q", build.If, build.Run)
	}
	setupGo := false
	for _, s := range a.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			setupGo = true
			if s.If != build.If || s.With["go-version-file"] != "${{ steps.install.outputs.source }}/go.mod" {
				t.Errorf("setup-go: if %q, with %v; want Go from the checkout's go.mod, for a checkout only", s.If, s.With)
			}
		}
	}
	if !setupGo {
		t.Error("no actions/setup-go step for the build from source")
	}
	if got := a.step(t, "run").Env["KUBEREADY_BIN"]; got != "${{ steps.build.outputs.bin || steps.install.outputs.bin }}" {
		t.Errorf("run step's KUBEREADY_BIN %q", got)
	}
	for name, o := range a.Outputs {
		if want := "${{ steps.run.outputs." + name + " }}"; o.Value != want {
			t.Errorf("output %s: value %q, want %q", name, o.Value, want)
		}
	}
}

// TestActionRunStep runs the run step as the runner does (bash --noprofile
// --norc -eo pipefail SCRIPT, with the step's env, expressions evaluated),
// with env(1) standing in for kubeready: the program sees every input of
// action.yml as INPUT_<NAME>, the name go-githubactions reads, hyphens
// kept, and nothing else of the workflow's.
func TestActionRunStep(t *testing.T) {
	envBin, err := exec.LookPath("env")
	if err != nil {
		t.Skip("no env")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	a := readAction(t)
	s := a.step(t, "run")
	values := map[string]string{
		"steps.build.outputs.bin || steps.install.outputs.bin": envBin,
		"github.token == inputs.github-token":                  "true",
	}
	for name := range a.Inputs {
		values["inputs."+name] = "value of " + name
	}
	stepEnv := map[string]string{}
	for k, v := range s.Env {
		stepEnv[k] = expr.ReplaceAllStringFunc(v, func(m string) string {
			e := expr.FindStringSubmatch(m)[1]
			val, ok := values[e]
			if !ok {
				t.Errorf("env %s: unknown expression %q", k, e)
			}
			return val
		})
	}
	file := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(file, []byte(s.Run), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", file)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range stepEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run step: %v", err)
	}
	seen := map[string]string{}
	for _, kv := range bytes.Split(out, []byte("\n")) {
		if k, v, ok := strings.Cut(string(kv), "="); ok && strings.HasPrefix(k, "INPUT_") {
			seen[k] = v
		}
	}
	for name := range a.Inputs {
		// go-githubactions' GetInput: "INPUT_" + upper case, spaces as _.
		key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
		if got, want := seen[key], "value of "+name; got != want {
			t.Errorf("the binary sees %s=%q, want %q", key, got, want)
		}
		delete(seen, key)
	}
	if len(seen) != 0 {
		t.Errorf("INPUT_ variables for no input: %v", seen)
	}
}
