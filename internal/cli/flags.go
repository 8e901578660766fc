package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/engine"
)

// Options are the parsed command-line flags and configuration file.
type Options struct {
	// Engine is what the pipeline runs with.
	Engine engine.Config
	Format string // one of annotate.Formats
	FailOn string // error, warning or never
	Fix    engine.FixMode
	Base   string // --base REF
	Diff   string // --diff FILE
	Paths  []string
	// Config is the .kubeready.yaml in effect, or nil.
	Config *Config
	// CPUProfile and MemProfile name the files --cpuprofile and
	// --memprofile write (runtime/pprof); command line only.
	CPUProfile, MemProfile string
	// Progress is --progress: show progress on stderr even when it is not
	// a terminal.
	Progress bool
}

// setFix sets the fix mode and what the engine does with fixes: --fix and
// --fix-unsafe write them; --format patch collects the safe ones (all with
// --fix-unsafe) as a diff; plain text shows none, so unless they will be
// applied they are not built.
func (o *Options) setFix(m engine.FixMode) {
	o.Fix = m
	o.Engine.Fix, o.Engine.WriteFixes = m, m != engine.FixNone
	if o.Format == "patch" {
		o.Engine.Fix, o.Engine.WriteFixes = max(m, engine.FixSafe), false
	}
	o.Engine.Env.NoFixes = o.Format == "text" && m == engine.FixNone
}

const usageText = `Usage: kubeready [flags] [PATH...]
       kubeready --base REF [flags] [PATH...]
       git diff | kubeready --diff - [flags]
       kubeready rules            list every rule
       kubeready explain RULE     why a rule matters, an example, the fix
       kubeready help | version   this text | the version (./help is the path)

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

// ParseFlags reads the flags (and the configuration file). ok=false means stop with code.
func ParseFlags(args []string, stdout, stderr io.Writer) (opts Options, code int, ok bool) {
	return parseFlags(args, nil, stdout, stderr)
}

// parseFlags is ParseFlags, with the configuration given (not read from a
// file) when given is not nil.
func parseFlags(args []string, given *givenConfig, stdout, stderr io.Writer) (opts Options, code int, ok bool) {
	fs := flag.NewFlagSet("kubeready", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "1.25", "Kubernetes `version` to check against (1.25, v1.25 or 1.25.3)")
	fs.StringVar(&opts.Format, "format", "text", "output `format`: "+strings.Join(annotate.Formats, ", ")+" (patch: a unified diff of the fixes; writes nothing)")
	fs.StringVar(&opts.FailOn, "fail-on", "error", "exit 1 on findings at or over this `severity`: error, warning or never")
	fs.StringVar(&opts.Engine.Env.Platform, "platform", checks.PlatformEKS, "`platform` rules to run: eks or generic")
	fs.IntVar(&opts.Engine.Workers, "workers", runtime.GOMAXPROCS(0), "files checked in parallel")
	opts.Engine.Limits = engine.DefaultLimits
	fs.Var((*byteSize)(&opts.Engine.Limits.MaxFileSize), "max-file-size", "skip files larger than this `size` (5MiB, 512KiB, bytes; 0: no limit) with a file-too-large finding")
	fs.IntVar(&opts.Engine.Limits.MaxDocuments, "max-documents", engine.DefaultLimits.MaxDocuments, "check at most this many documents per file (0: no limit)")
	fs.IntVar(&opts.Engine.Limits.MaxDepth, "max-depth", engine.DefaultLimits.MaxDepth, "skip documents nested deeper than this (0: no limit)")
	fs.DurationVar(&opts.Engine.Timeout, "timeout", 10*time.Minute, "stop the whole run after this `duration` (0: no limit); what was not checked is an error")
	fs.StringVar(&opts.Base, "base", "", "check only files changed since the merge base of git `REF` and the working tree")
	fs.StringVar(&opts.Diff, "diff", "", "check only files a unified diff names (`FILE`, or - for standard input)")
	fs.StringVar(&opts.Engine.Scope, "scope", "", "`scope` of findings reported: lines (changed lines), files (changed files; default with --base/--diff) or all (default otherwise)")
	fs.TextVar(&opts.Engine.MinSeverity, "min-severity", checks.Info, "report only findings at or over this `severity`: info, warning or error (the GitHub Action's default is warning)")
	fs.StringVar(&opts.Engine.Context, "context", "", "on a partial run (a change, files named one by one), the `DIR` whose manifests the set rules (PodDisruptionBudgets, autoscalers) also read; default the repository, none: no context (then drain-no-pdb is not reported)")
	fix := fs.Bool("fix", false, "apply the safe fixes to the files in place, then report what remains")
	fixUnsafe := fs.Bool("fix-unsafe", false, "like --fix, but apply unsafe fixes too (with --format patch: put them in the patch)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	renderFlags := addRenderFlags(fs)
	fs.BoolVar(&opts.Progress, "progress", false, "show progress on stderr (inputs done, the chart or kustomization being built, elapsed time) even when stderr is not a terminal; on a terminal it shows once a run passes 2s")
	fs.StringVar(&opts.CPUProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof FILE)")
	fs.StringVar(&opts.MemProfile, "memprofile", "", "write a heap profile (allocations and what is live at the end) to `FILE` (go tool pprof FILE)")
	configFile := fs.String("config", "", "read settings from this `file` (none: read no file); default: the nearest "+configName+" from the working directory up to the repository root")
	// The usage is printed here, once: to stdout for --help, to stderr after
	// the flag package's error (Parse would print it too, to stderr).
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		w, code := stderr, ExitError
		if errors.Is(err, flag.ErrHelp) {
			w, code = stdout, ExitClean
		}
		fs.SetOutput(w)
		fmt.Fprint(w, usageText)
		fs.PrintDefaults()
		return opts, code, false
	}
	if *showVersion {
		fmt.Fprintf(stdout, "kubeready %s\n", Version)
		return opts, ExitClean, false
	}
	usage := func(format string, a ...any) (Options, int, bool) {
		fmt.Fprintf(stderr, "kubeready: "+format+"\n", a...)
		return opts, ExitError, false
	}

	// The configuration file fills in every flag the command line left unset;
	// origin says where a value came from, so a bad one is reported there.
	cfg, origin, err := applyConfig(fs, *configFile, given, stderr)
	if err != nil {
		return usage("%v", err)
	}
	opts.Config = cfg
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
	opts.Engine.Env.Target = v
	if opts.Engine.Render, err = renderFlags.config(v, src); err != nil {
		return usage("%v", err)
	}
	opts.Engine.Current = renderFlags.plan(opts.Engine.Render)
	opts.Fix = fixFlags(*fix, *fixUnsafe)
	if _, err := annotate.New(opts.Format, annotate.Options{}); err != nil {
		return usage("--%v", err)
	}
	switch opts.FailOn {
	case "error", "warning", "never":
	default:
		return usage("%s %q: want error, warning or never", src("fail-on"), opts.FailOn)
	}
	switch opts.Engine.Env.Platform {
	case checks.PlatformEKS, checks.PlatformGeneric:
	default:
		return usage("%s %q: want eks or generic", src("platform"), opts.Engine.Env.Platform)
	}
	opts.Paths = fs.Args()
	changeMode := opts.Base != "" || opts.Diff != ""
	if opts.Base != "" && opts.Diff != "" {
		return usage("--base and --diff cannot be used together")
	}
	switch opts.Engine.Scope {
	case "":
		opts.Engine.Scope = engine.ScopeAll
		if changeMode {
			opts.Engine.Scope = engine.ScopeFiles
		}
	case engine.ScopeLines, engine.ScopeFiles, engine.ScopeAll:
	default:
		return usage("%s %q: want lines, files or all", src("scope"), opts.Engine.Scope)
	}
	for _, p := range opts.Paths {
		if p == "-" && changeMode {
			return usage("PATH - (standard input) cannot be used with --base or --diff")
		}
	}
	if len(opts.Paths) == 0 && !changeMode {
		opts.Paths = []string{"."}
	}
	opts.Engine.Disabled = opts.Config.disabled
	opts.Engine.Filter = opts.Config.filter
	opts.Engine.Env.CustomAPIs = opts.Config.customAPIs()
	opts.setFix(opts.Fix)
	return opts, ExitClean, true
}

// fixFlags reads --fix and --fix-unsafe.
func fixFlags(fix, unsafe bool) engine.FixMode {
	switch {
	case unsafe:
		return engine.FixAll
	case fix:
		return engine.FixSafe
	}
	return engine.FixNone
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
