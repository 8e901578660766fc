// Command kubeready finds Kubernetes upgrade blockers (removed APIs and EKS
// gotchas) in manifests, with the exact line and how to fix them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the parsed command-line flags.
type options struct {
	target   checks.Version
	format   string
	failOn   string
	platform string
	workers  int
	fix      fixMode
	paths    []string
}

const usageText = `Usage: kubeready [flags] [PATH...]
       kubeready rules

Finds Kubernetes upgrade blockers (removed or deprecated APIs, EKS gotchas) in
manifests, with the exact line. A PATH is a file, a directory (walked for .yaml,
.yml and .json), or - for standard input; no PATH means the current directory.
--fix rewrites the files with the safe fixes; --format patch prints them as a diff.

Flags:
`

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "rules" {
		return listRules(stdout)
	}
	opts, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	env := checks.Env{Target: opts.target, Platform: opts.platform}
	if newest := checks.APIs.Newest(); newest.Less(opts.target) {
		fmt.Fprintf(stderr, "kubeready: warning: target %s is newer than %s, the newest release kubeready knows; rules stop at %s\n", opts.target, newest, newest)
	}

	disc := scan.Discover(opts.paths)
	rep := &annotate.Report{Target: opts.target.String(), Platform: opts.platform}
	for _, err := range disc.Errors {
		rep.Errors = append(rep.Errors, annotate.RunError{Message: err.Error()})
	}
	for _, s := range disc.Skipped {
		rep.Stats.Skipped = append(rep.Stats.Skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}

	eng := newEngine(env, opts.workers, stdin)
	findings, errs, docs := eng.run(ctx, disc.Inputs)
	for i := range findings {
		findings[i].InChangedFile, findings[i].InChangedLines = true, true
	}
	rep.Findings = findings
	rep.Errors = append(rep.Errors, errs...)
	rep.Stats.Files = len(disc.Inputs)
	rep.Stats.Documents = docs
	if opts.fix != fixNone || opts.format == "patch" {
		eng.applyFixes(ctx, rep, max(opts.fix, fixSafe), opts.format != "patch")
	}

	var reporter annotate.Reporter
	switch opts.format {
	case "patch":
		reporter = annotate.Patch{W: stdout, Log: stderr}
	case "json":
		reporter = annotate.JSON{W: stdout}
	default:
		reporter = annotate.Text{W: stdout, Color: isTerminal(stdout)}
	}
	if err := reporter.Report(ctx, rep); err != nil {
		fmt.Fprintf(stderr, "kubeready: %v\n", err)
		return exitError
	}
	return exitCode(rep, opts.failOn)
}

// exitCode is 2 when the run itself failed somewhere, 1 when a visible
// finding is at or over --fail-on, else 0.
func exitCode(rep *annotate.Report, failOn string) int {
	if len(rep.Errors) > 0 {
		return exitError
	}
	for _, f := range rep.Visible() {
		if f.Rule == checks.InternalError.ID {
			return exitError
		}
	}
	if failOn == "never" {
		return exitClean
	}
	threshold, _ := checks.ParseSeverity(failOn)
	for _, f := range rep.Visible() {
		if f.Severity >= threshold {
			return exitFindings
		}
	}
	return exitClean
}

// parseFlags reads the flags. ok=false means stop with code.
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, ok bool) {
	fs := flag.NewFlagSet("kubeready", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "1.25", "Kubernetes `version` to check against (1.25, v1.25 or 1.25.3)")
	fs.StringVar(&opts.format, "format", "text", "output `format`: text, json, or patch (a unified diff of the fixes; writes nothing)")
	fs.StringVar(&opts.failOn, "fail-on", "error", "exit 1 on findings at or over this `severity`: error, warning or never")
	fs.StringVar(&opts.platform, "platform", checks.PlatformEKS, "`platform` rules to run: eks or generic")
	fs.IntVar(&opts.workers, "workers", runtime.GOMAXPROCS(0), "files checked in parallel")
	fix := fs.Bool("fix", false, "apply the safe fixes to the files in place, then report what remains")
	fixUnsafe := fs.Bool("fix-unsafe", false, "like --fix, but apply unsafe fixes too (with --format patch: put them in the patch)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return opts, exitClean, false
		}
		return opts, exitError, false
	}
	if *showVersion {
		fmt.Fprintf(stdout, "kubeready %s\n", version)
		return opts, exitClean, false
	}
	usage := func(format string, a ...any) (options, int, bool) {
		fmt.Fprintf(stderr, "kubeready: "+format+"\n", a...)
		return opts, exitError, false
	}
	v, err := checks.ParseVersion(*target)
	if err != nil {
		return usage("--target: %v", err)
	}
	if v.Less(checks.Version{Major: 1, Minor: 16}) {
		return usage("--target %s: kubeready checks targets from 1.16 on", v)
	}
	opts.target = v
	opts.fix = fixFlags(*fix, *fixUnsafe)
	switch opts.format {
	case "text", "json", "patch":
	default:
		return usage("--format %q: want text, json or patch", opts.format)
	}
	switch opts.failOn {
	case "error", "warning", "never":
	default:
		return usage("--fail-on %q: want error, warning or never", opts.failOn)
	}
	switch opts.platform {
	case checks.PlatformEKS, checks.PlatformGeneric:
	default:
		return usage("--platform %q: want eks or generic", opts.platform)
	}
	opts.paths = fs.Args()
	if len(opts.paths) == 0 {
		opts.paths = []string{"."}
	}
	return opts, exitClean, true
}

// listRules prints every rule with its ID, severity, title and source.
func listRules(w io.Writer) int {
	var b strings.Builder
	for _, r := range checks.Rules() {
		fmt.Fprintf(&b, "%-26s %-8s %s\n%-26s %-8s %s\n", r.ID, r.Severity, r.Title, "", "", r.Source)
	}
	_, _ = io.WriteString(w, b.String())
	return exitClean
}

// isTerminal reports whether w is a terminal that takes colour.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
