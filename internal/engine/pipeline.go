package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// Config is everything one run of the pipeline needs. It holds no CLI or
// Action types: both ways in build one (the CLI from flags and
// .kubeready.yaml, the Action from its inputs through the CLI's parser).
type Config struct {
	Env     checks.Env // target, platform, whether fixes are built
	Workers int        // inputs checked in parallel
	Limits  Limits
	Render  Render
	// Timeout stops the whole run (--timeout); zero: none.
	Timeout time.Duration
	// Scope is ScopeLines, ScopeFiles or ScopeAll: which findings of a
	// change are reported.
	Scope string
	// Fix chooses the fixes applied; WriteFixes replaces the files (--fix),
	// else the fixes only become rep.Changes (--format patch).
	Fix        FixMode
	WriteFixes bool
	// Current is the version the cluster runs now, when the user gave one:
	// the inputs are then checked at every hop from it to the target
	// (hops.go). Zero: the target alone.
	Current checks.Version
	// Disabled reports whether a rule is turned off (.kubeready.yaml
	// disable); nil: none is.
	Disabled func(ruleID string) bool
	// Filter drops inputs (.kubeready.yaml ignore) into Skipped; nil: none.
	Filter func(scan.Discovery) scan.Discovery
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Progress hears how far the run is (progress.go); nil: nobody.
	Progress Progress
	// Partial says the run checks part of a tree, Tree the repository the
	// set rules then read for context ("" none); Run sets both (context.go).
	Partial bool
	Tree    string
	// Context is the tree a partial run's set rules read (--context): ""
	// the repository of the working directory, "none" nothing.
	Context string
	// MinSeverity drops findings below it from the report (--min-severity;
	// info, the zero value, keeps all).
	MinSeverity checks.Severity
}

// Run is the pipeline, stage by stage, in order. It scans paths (files and
// directories; with a change and a scope narrower than all, only the changed
// inputs under them), and adds the findings, errors and counts to rep.
func Run(ctx context.Context, cfg Config, paths []string, change *scan.Change, rep *annotate.Report) {
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Timeout, fmt.Errorf("--timeout %s reached", cfg.Timeout))
		defer cancel()
	}
	// 1. inputs: what the change touched, or every path given; a partial
	// run's set rules read the rest of the repository (context.go)
	limit := paths
	if cfg.Partial = partialRun(change, cfg.Scope, paths); cfg.Partial {
		switch cfg.Context {
		case "":
			cfg.Tree = contextTree()
		case "none":
			cfg.Tree = ""
		default:
			cfg.Tree = cfg.Context
		}
	}
	paths = changedInputs(change, cfg.Scope, paths, rep)
	// 2. discover: files, charts and kustomizations under the paths (with a
	// change: and the kustomizations holding a changed file), less the ignored
	disc := discover(cfg, paths, changedKustomizations(change, cfg.Scope, limit), rep)
	// 3. read, render, check, place, suppress: each input on the worker pool
	// (engine.go), at every hop from the current version to the target (hops.go)
	e, res := scanHops(ctx, cfg, disc.Inputs)
	if len(Hops(cfg.Current, cfg.Env.Target)) > 1 {
		rep.Current = cfg.Current.String()
	}
	rep.Stats.Skipped = append(rep.Stats.Skipped, res.Skipped...)
	rep.Errors = append(rep.Errors, res.Errors...)
	rep.Stats.Files = len(disc.Inputs)
	rep.Stats.Documents = res.Documents
	// 4. disable: engine-reported rules (invalid-yaml) are not in e.rules
	findings := res.Findings
	if cfg.Disabled != nil {
		findings = slices.DeleteFunc(findings, func(f checks.Finding) bool { return cfg.Disabled(f.Rule) })
	}
	// 5. mark: which findings the change touches (change.go)
	mark(findings, change)
	// 6. scope: keep what --scope and --min-severity ask for
	rep.Findings, rep.Stats.Hidden = inScope(findings, cfg.Scope)
	if cfg.MinSeverity > checks.Info {
		n := len(rep.Findings)
		rep.Findings = slices.DeleteFunc(rep.Findings, func(f checks.Finding) bool { return f.Severity < cfg.MinSeverity })
		rep.Stats.Hidden += n - len(rep.Findings)
	}
	// 7. fix: --fix, --fix-unsafe, --format patch (fix.go)
	if cfg.Fix != FixNone {
		before := rep.Findings
		e.applyFixes(ctx, rep, cfg.Fix, cfg.WriteFixes)
		keepHops(before, rep.Findings, cfg.Env.Target)
	}
	// 8. messages: no absolute path of the working directory
	relativeMessages(rep)
}

// changedInputs is the first stage: with a change and a scope narrower than
// all, the changed inputs under paths (none given: all of them); else paths,
// or the current directory.
func changedInputs(change *scan.Change, scope string, paths []string, rep *annotate.Report) []string {
	if change != nil && scope != ScopeAll {
		paths, skipped := changeInputs(change, paths)
		rep.Stats.Skipped = append(rep.Stats.Skipped, skipped...)
		return paths
	}
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

// changedKustomizations is changeKustomizations (change.go) when the run is
// change-sized (a change and a scope narrower than all); else none.
func changedKustomizations(change *scan.Change, scope string, paths []string) []string {
	if change == nil || scope == ScopeAll {
		return nil
	}
	return changeKustomizations(change, paths)
}

// discover finds the inputs under paths, adds the kustomizations kusts
// names, and drops those cfg.Filter ignores.
func discover(cfg Config, paths, kusts []string, rep *annotate.Report) scan.Discovery {
	disc := scan.Discover(paths)
	have := map[string]bool{}
	for _, in := range disc.Inputs {
		if in.Kind == scan.InputKustomization {
			have[filepath.Clean(in.Path)] = true
		}
	}
	for _, k := range kusts {
		if !have[filepath.Clean(k)] {
			have[filepath.Clean(k)] = true
			disc.Inputs = append(disc.Inputs, scan.Input{Path: k, Kind: scan.InputKustomization})
		}
	}
	if cfg.Filter != nil {
		disc = cfg.Filter(disc)
	}
	for _, err := range disc.Errors {
		rep.Errors = append(rep.Errors, annotate.RunError{Message: err.Error()})
	}
	for _, s := range disc.Skipped {
		rep.Stats.Skipped = append(rep.Stats.Skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}
	return disc
}

// relativeMessages rewrites the working directory's absolute path (as
// given and with links resolved) in messages to a relative one: library
// errors (kustomize's, Helm's) name files by absolute path, and a runner's
// paths are not for a public report.
func relativeMessages(rep *annotate.Report) {
	wd, err := os.Getwd()
	if err != nil || wd == "/" {
		return
	}
	roots := []string{wd}
	if r, err := filepath.EvalSymlinks(wd); err == nil && r != wd {
		roots = append(roots, r)
	}
	rel := func(s string) string {
		for _, r := range roots {
			if strings.Contains(s, r) {
				s = strings.ReplaceAll(s, r+string(filepath.Separator), "")
				s = strings.ReplaceAll(s, r, ".")
			}
		}
		return s
	}
	for i := range rep.Findings {
		rep.Findings[i].Message = rel(rep.Findings[i].Message)
	}
	for i := range rep.Errors {
		rep.Errors[i].Message = rel(rep.Errors[i].Message)
	}
}
