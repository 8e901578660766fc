package action

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/sethvargo/go-githubactions"
)

// The Action's inputs (action.yml), read from the environment the runner
// sets; the inputs that are also flags go through the CLI's parser.

// Mode reports whether kubeready runs as the GitHub Action: inside
// GitHub Actions, with no arguments, and with the inputs action.yml declares
// in the environment (the runner sets every input that has a default). A
// workflow's `run: kubeready ...` step gets the CLI.
func Mode(args []string, getenv func(string) string) bool {
	return len(args) == 0 && getenv("GITHUB_ACTIONS") == "true" &&
		(getenv("INPUT_TARGET") != "" || getenv("INPUT_GITHUB-TOKEN") != "")
}

// actionInputs are the Action's own inputs (action.yml), read from
// INPUT_*; the inputs that are also flags end up in options.
type actionInputs struct {
	paths                        []string
	comment, review, annotations bool
	sarifFile                    string
	token                        string
}

// flagInputs are the inputs that are also flags (and .kubeready.yaml keys),
// with their action.yml defaults. An input left at its default is not
// passed as a flag, so that the repository's .kubeready.yaml decides, as it
// does for the CLI and the pre-commit hooks; kubeready's own defaults are
// the same values.
func flagInputs() []struct{ name, def string } {
	return []struct{ name, def string }{
		{"target", "1.25"}, {"platform", checks.PlatformEKS}, {"fail-on", "error"}, {"scope", engine.ScopeFiles},
		{"current", ""}, {"min-severity", "warning"},
	}
}

// readInputs reads the inputs and checks them. The flag inputs go through
// the CLI's own flag parser (with the .kubeready.yaml config chooses), so
// both ways in accept the same values. Warnings from reading the
// configuration come back in warn.
func readInputs(gha *githubactions.Action, config configChoice) (in actionInputs, opts cli.Options, warn string, err error) {
	get := func(name, def string) string {
		if v := gha.GetInput(name); v != "" {
			return v
		}
		return def
	}
	in = actionInputs{paths: strings.Fields(get("paths", ".")), sarifFile: gha.GetInput("sarif-file"), token: gha.GetInput("github-token")}
	for _, b := range []struct {
		name string
		def  bool
		dst  *bool
	}{{"comment", true, &in.comment}, {"review", false, &in.review}, {"annotations", true, &in.annotations}} {
		if *b.dst, err = parseBoolInput(b.name, gha.GetInput(b.name), b.def); err != nil {
			return in, opts, "", err
		}
	}
	for _, p := range in.paths {
		if !filepath.IsLocal(p) && filepath.Clean(p) != "." {
			return in, opts, "", fmt.Errorf("input paths: %q is outside the repository", p)
		}
	}
	args := []string{"--workers", fmt.Sprint(runtime.GOMAXPROCS(0))}
	scopeGiven, minGiven := false, false
	for _, f := range flagInputs() {
		if v := get(f.name, f.def); v != f.def {
			args = append(args, "--"+f.name, v)
			scopeGiven = scopeGiven || f.name == "scope"
			minGiven = minGiven || f.name == "min-severity"
		}
	}
	// fetch-charts is a boolean flag: given only when true.
	fetch, err := parseBoolInput("fetch-charts", gha.GetInput("fetch-charts"), false)
	if err != nil {
		return in, opts, "", err
	}
	if fetch {
		args = append(args, "--fetch-charts")
	}
	for _, v := range strings.Fields(gha.GetInput("helm-values")) {
		args = append(args, "--helm-values", v)
	}
	args = append(args, "--")
	args = append(args, in.paths...)
	var errBuf strings.Builder
	var ok bool
	if config.fromBase {
		opts, _, ok = cli.ParseFlagsWith(args, config.cfg, io.Discard, &errBuf)
	} else {
		opts, _, ok = cli.ParseFlags(args, io.Discard, &errBuf)
	}
	msg := strings.TrimSpace(strings.ReplaceAll(errBuf.String(), "kubeready: ", ""))
	if !ok {
		return in, opts, "", fmt.Errorf("inputs: %s", msg)
	}
	// The Action suggests fixes and never writes them, whatever a `fix` key
	// in .kubeready.yaml says.
	opts.Fix, opts.Format = engine.FixNone, "text"
	opts.Engine.Fix, opts.Engine.WriteFixes = engine.FixNone, false
	opts.Engine.Env.NoFixes = false // review comments suggest them
	// Without --base or --diff the CLI's default scope is all; on a pull
	// request the Action's is files, unless the configuration says.
	if !scopeGiven && !opts.Config.Sets("scope") {
		opts.Engine.Scope = engine.ScopeFiles
	}
	// Info findings stay off the pull request (annotations, the summary
	// comment, review comments) unless the input or the configuration asks:
	// on real monorepos they were nine in ten of all findings.
	if !minGiven && !opts.Config.Sets("min-severity") {
		opts.Engine.MinSeverity = checks.Warning
	}
	return in, opts, msg, nil
}

func parseBoolInput(name, v string, def bool) (bool, error) {
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("input %s %q: want true or false", name, v)
}
