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
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

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

// The garbage collector's settings unless GOGC or GOMEMLIMIT set them: a
// scan is a short batch job that allocates parse trees quickly, so the heap
// may grow to 5x the live data (gcPercent) before a collection, which halves
// GC work and lets two workers scale; the soft memoryLimit caps that growth,
// so a scan of tens of thousands of manifests (whose workloads the set
// rules hold until the end) stays well inside a CI runner.
const (
	gcPercent   = 400
	memoryLimit = 200 << 20
)

// tuneGC applies gcPercent and memoryLimit where the environment does not
// choose. Benchmarks call it too, to measure what the binary does.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

func main() {
	tuneGC()
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
	base     string
	diff     string
	scope    string
	limits   limits
	timeout  time.Duration
	noFixes  bool // nothing in this run reads fixes (see checks.Env.NoFixes)
	paths    []string
	render   renderConfig
	// config is the .kubeready.yaml in effect, or nil.
	config *config
}

const usageText = `Usage: kubeready [flags] [PATH...]
       kubeready --base REF [flags] [PATH...]
       git diff | kubeready --diff - [flags]
       kubeready rules            list every rule
       kubeready explain RULE     why a rule matters, an example, the fix

Finds Kubernetes upgrade blockers (removed or deprecated APIs, EKS gotchas) in
manifests, with the exact line. A PATH is a file, a directory (walked for .yaml,
.yml and .json files, Helm charts and kustomizations, which are rendered at the
target version), or - for standard input (plain manifests or helm template
output); no PATH means the current directory.
--fix rewrites the files with the safe fixes; --format patch prints them as a diff.

Settings come from the nearest .kubeready.yaml, looked for from the working
directory up to the repository root; flags given on the command line win.
A comment "# kubeready:ignore RULE[,RULE] reason" on a finding's line, or on
the object's first lines, suppresses it.

Flags:
`

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "rules":
			return listRules(args[1:], stdout, stderr)
		case "explain":
			return explain(args[1:], stdout, stderr)
		}
	}
	if actionMode(args, os.Getenv) {
		return runAction(ctx, os.Getenv, stdout)
	}
	opts, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	if newest := checks.APIs.Newest(); newest.Less(opts.target) {
		fmt.Fprintf(stderr, "kubeready: warning: target %s is newer than %s, the newest release kubeready knows; rules stop at %s\n", opts.target, newest, newest)
	}

	rep := &annotate.Report{Target: opts.target.String(), Platform: opts.platform}
	paths := opts.paths
	var change *scan.Change
	if opts.base != "" || opts.diff != "" {
		var errs []error
		if opts.base != "" {
			change, errs = changeFromBase(ctx, opts.base)
		} else {
			change, errs = changeFromDiff(ctx, opts.diff, stdin)
		}
		for _, err := range errs {
			rep.Errors = append(rep.Errors, annotate.RunError{Message: err.Error()})
		}
		if change == nil {
			return report(ctx, rep, opts, stdout, stderr)
		}
		if opts.scope == scopeAll {
			// every file under PATH is scanned; the change only marks findings
			if len(paths) == 0 {
				paths = []string{"."}
			}
		} else {
			var skipped []annotate.Skipped
			paths, skipped = changeInputs(change, opts.paths)
			rep.Stats.Skipped = append(rep.Stats.Skipped, skipped...)
		}
	}

	// plain text shows no fixes: unless they will be applied, do not build them
	opts.noFixes = opts.format == "text" && opts.fix == fixNone
	scanPaths(ctx, opts, paths, change, stdin, rep)
	return report(ctx, rep, opts, stdout, stderr)
}

// scanPaths scans paths (files and directories, less what the
// configuration ignores) with the enabled rules, marks the findings against
// change, keeps those --scope asks for and adds them, the errors and the
// counts to rep; with --fix, --fix-unsafe or --format patch it then applies
// the fixes. The CLI and the GitHub Action (which never fixes) both scan
// through it.
func scanPaths(ctx context.Context, opts options, paths []string, change *scan.Change, stdin io.Reader, rep *annotate.Report) {
	env := checks.Env{Target: opts.target, Platform: opts.platform, NoFixes: opts.noFixes}
	disc := opts.config.filter(scan.Discover(paths))
	for _, err := range disc.Errors {
		rep.Errors = append(rep.Errors, annotate.RunError{Message: err.Error()})
	}
	for _, s := range disc.Skipped {
		rep.Stats.Skipped = append(rep.Stats.Skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}

	if opts.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.timeout, fmt.Errorf("--timeout %s reached", opts.timeout))
		defer cancel()
	}
	eng := newEngine(env, opts.workers, stdin)
	eng.limits = opts.limits
	eng.render = opts.render
	eng.rules = slices.DeleteFunc(eng.rules, func(r *checks.Rule) bool { return opts.config.disabled(r.ID) })
	findings, errs, skipped, docs := eng.run(ctx, disc.Inputs)
	rep.Stats.Skipped = append(rep.Stats.Skipped, skipped...)
	// engine-reported rules (invalid-yaml) are not in eng.rules
	findings = slices.DeleteFunc(findings, func(f checks.Finding) bool { return opts.config.disabled(f.Rule) })
	mark(findings, change)
	rep.Findings, rep.Stats.Hidden = inScope(findings, opts.scope)
	rep.Errors = append(rep.Errors, errs...)
	rep.Stats.Files = len(disc.Inputs)
	rep.Stats.Documents = docs
	if opts.fix != fixNone || opts.format == "patch" {
		eng.applyFixes(ctx, rep, max(opts.fix, fixSafe), opts.format != "patch")
	}
}

// report writes the report in the chosen format and returns the exit code.
func report(ctx context.Context, rep *annotate.Report, opts options, stdout, stderr io.Writer) int {
	var reporter annotate.Reporter
	switch opts.format {
	case "patch":
		reporter = annotate.Patch{W: stdout, Log: stderr}
	case "json":
		reporter = annotate.JSON{W: stdout}
	case "sarif":
		root, _ := os.Getwd()
		reporter = annotate.SARIF{W: stdout, Version: version, Root: root}
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
		if f.Rule == checks.InternalError.ID || f.Rule == checks.FileUnreadable.ID {
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
	fs.StringVar(&opts.format, "format", "text", "output `format`: text, json, sarif, or patch (a unified diff of the fixes; writes nothing)")
	fs.StringVar(&opts.failOn, "fail-on", "error", "exit 1 on findings at or over this `severity`: error, warning or never")
	fs.StringVar(&opts.platform, "platform", checks.PlatformEKS, "`platform` rules to run: eks or generic")
	fs.IntVar(&opts.workers, "workers", runtime.GOMAXPROCS(0), "files checked in parallel")
	opts.limits = defaultLimits
	fs.Var((*byteSize)(&opts.limits.maxFileSize), "max-file-size", "skip files larger than this `size` (5MiB, 512KiB, bytes; 0: no limit) with a file-too-large finding")
	fs.IntVar(&opts.limits.maxDocuments, "max-documents", defaultLimits.maxDocuments, "check at most this many documents per file (0: no limit)")
	fs.IntVar(&opts.limits.maxDepth, "max-depth", defaultLimits.maxDepth, "skip documents nested deeper than this (0: no limit)")
	fs.DurationVar(&opts.timeout, "timeout", 10*time.Minute, "stop the whole run after this `duration` (0: no limit); what was not checked is an error")
	fs.StringVar(&opts.base, "base", "", "check only files changed since the merge base of git `REF` and the working tree")
	fs.StringVar(&opts.diff, "diff", "", "check only files a unified diff names (`FILE`, or - for standard input)")
	fs.StringVar(&opts.scope, "scope", "", "`scope` of findings reported: lines (changed lines), files (changed files; default with --base/--diff) or all (default otherwise)")
	fix := fs.Bool("fix", false, "apply the safe fixes to the files in place, then report what remains")
	fixUnsafe := fs.Bool("fix-unsafe", false, "like --fix, but apply unsafe fixes too (with --format patch: put them in the patch)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	renderFlags := addRenderFlags(fs)
	configFile := fs.String("config", "", "read settings from this `file` (none: read no file); default: the nearest "+configName+" from the working directory up to the repository root")
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

	// The configuration file fills in every flag the command line left unset;
	// origin says where a value came from, so a bad one is reported there.
	cfg, origin, err := applyConfig(fs, *configFile, stderr)
	if err != nil {
		return usage("%v", err)
	}
	opts.config = cfg
	src := func(flagName string) string {
		if o, ok := origin[flagName]; ok {
			return o
		}
		return "--" + flagName
	}

	v, err := checks.ParseVersion(*target)
	if err != nil {
		return usage("%s: %v", src("target"), err)
	}
	if v.Less(checks.Version{Major: 1, Minor: 16}) {
		return usage("%s %s: kubeready checks targets from 1.16 on", src("target"), v)
	}
	opts.target = v
	if opts.render, err = renderFlags.config(v); err != nil {
		return usage("%v", err)
	}
	opts.fix = fixFlags(*fix, *fixUnsafe)
	switch opts.format {
	case "text", "json", "sarif", "patch":
	default:
		return usage("--format %q: want text, json, sarif or patch", opts.format)
	}
	switch opts.failOn {
	case "error", "warning", "never":
	default:
		return usage("%s %q: want error, warning or never", src("fail-on"), opts.failOn)
	}
	switch opts.platform {
	case checks.PlatformEKS, checks.PlatformGeneric:
	default:
		return usage("%s %q: want eks or generic", src("platform"), opts.platform)
	}
	opts.paths = fs.Args()
	changeMode := opts.base != "" || opts.diff != ""
	if opts.base != "" && opts.diff != "" {
		return usage("--base and --diff cannot be used together")
	}
	switch opts.scope {
	case "":
		opts.scope = scopeAll
		if changeMode {
			opts.scope = scopeFiles
		}
	case scopeLines, scopeFiles, scopeAll:
	default:
		return usage("%s %q: want lines, files or all", src("scope"), opts.scope)
	}
	for _, p := range opts.paths {
		if p == "-" && changeMode {
			return usage("PATH - (standard input) cannot be used with --base or --diff")
		}
	}
	if len(opts.paths) == 0 && !changeMode {
		opts.paths = []string{"."}
	}
	return opts, exitClean, true
}

// byteSize is a flag value for sizes such as 5MiB, 512KiB or 1000 (bytes).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("want a size such as 5MiB, 512KiB or 1000")
	}
	*b = byteSize(n * mult)
	return nil
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
