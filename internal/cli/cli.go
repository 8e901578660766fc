// Package cli is kubeready's command line: flags and the configuration
// file, the rules and explain commands, reporting in the chosen format and
// the exit codes. It turns them into an engine.Config and runs the pipeline.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/engine"
	"github.com/kubeready/kubeready/scan"
)

// Exit codes.
const (
	ExitClean    = 0
	ExitFindings = 1
	ExitError    = 2
)

// Version is kubeready's version as --version, SARIF and the Action's
// summary show it; main sets it from the build.
var Version = "dev"

// Run is kubeready's command line without the process: it returns the exit
// code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "rules":
			return listRules(args[1:], stdout, stderr)
		case "explain":
			return explain(args[1:], stdout, stderr)
		case "help":
			_, code, _ := ParseFlags([]string{"-help"}, stdout, stderr)
			return code
		case "version":
			if len(args) > 1 {
				fmt.Fprintln(stderr, "kubeready: version takes no arguments")
				return ExitError
			}
			fmt.Fprintf(stdout, "kubeready %s\n", Version)
			return ExitClean
		}
	}
	opts, code, ok := ParseFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	stop, err := startProfiles(opts.CPUProfile, opts.MemProfile)
	if err != nil {
		fmt.Fprintf(stderr, "kubeready: %v\n", err)
		return ExitError
	}
	defer func() {
		if err := stop(); err != nil {
			fmt.Fprintf(stderr, "kubeready: %v\n", err)
		}
	}()
	target := opts.Engine.Env.Target
	if newest := checks.APIs.Newest(); newest.Less(target) {
		fmt.Fprintf(stderr, "kubeready: warning: target %s is newer than %s, the newest release kubeready knows; rules stop at %s\n", target, newest, newest)
	}

	rep := &annotate.Report{Target: target.String(), Platform: opts.Engine.Env.Platform}
	var change *scan.Change
	if opts.Base != "" || opts.Diff != "" {
		var errs []error
		if opts.Base != "" {
			change, errs = changeFromBase(ctx, opts.Base)
		} else {
			change, errs = changeFromDiff(ctx, opts.Diff, stdin)
		}
		for _, err := range errs {
			rep.Errors = append(rep.Errors, annotate.RunError{Message: err.Error()})
		}
		if change == nil {
			return report(ctx, rep, opts, stdout, stderr)
		}
	}
	opts.Engine.Stdin = stdin
	if wantProgress(opts.Progress, stderr) {
		delay := progressDelay
		if opts.Progress {
			delay = 0
		}
		p := newProgress(stderr, delay)
		opts.Engine.Progress = p
		defer p.finish() // before the report: stop drawing
		engine.Run(ctx, opts.Engine, opts.Paths, change, rep)
		p.finish()
		return report(ctx, rep, opts, stdout, stderr)
	}
	engine.Run(ctx, opts.Engine, opts.Paths, change, rep)
	return report(ctx, rep, opts, stdout, stderr)
}

// report writes the report in the chosen format and returns the exit code.
func report(ctx context.Context, rep *annotate.Report, opts Options, stdout, stderr io.Writer) int {
	root, _ := os.Getwd() // SARIF's %SRCROOT%
	reporter, err := annotate.New(opts.Format, annotate.Options{Stdout: stdout, Log: stderr, Color: isTerminal(stdout), Version: Version, Root: root})
	if err != nil { // ParseFlags checked the name
		fmt.Fprintf(stderr, "kubeready: %v\n", err)
		return ExitError
	}
	if err := reporter.Report(ctx, rep); err != nil {
		fmt.Fprintf(stderr, "kubeready: %v\n", err)
		return ExitError
	}
	return ExitCode(rep, opts.FailOn)
}

// ExitCode is 2 when the run itself failed somewhere, 1 when a visible
// finding is at or over failOn (--fail-on), else 0.
func ExitCode(rep *annotate.Report, failOn string) int {
	if len(rep.Errors) > 0 {
		return ExitError
	}
	for _, f := range rep.Visible() {
		if f.Rule == checks.InternalError.ID || f.Rule == checks.FileUnreadable.ID {
			return ExitError
		}
	}
	if failOn == "never" {
		return ExitClean
	}
	threshold, _ := checks.ParseSeverity(failOn)
	for _, f := range rep.Visible() {
		if f.Severity >= threshold {
			return ExitFindings
		}
	}
	return ExitClean
}
