package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
	"github.com/sourcegraph/conc/pool"
)

// Limits bound what one input may cost; zero means no limit.
type Limits struct {
	MaxFileSize  int64 // bytes
	MaxDocuments int   // per file
	MaxDepth     int   // nesting of a parsed document
}

// DefaultLimits are generous for real manifests and tight for hostile ones.
var DefaultLimits = Limits{MaxFileSize: 5 << 20, MaxDocuments: 10000, MaxDepth: 100}

// Engine runs the rules over inputs. It holds no state between runs.
type Engine struct {
	env     checks.Env
	rules   []*checks.Rule // enabled at env
	workers int
	stdin   io.Reader
	limits  Limits
	render  Render      // see render.go
	remote  remoteState // gitops_remote.go
	// setHeld counts the documents kept for the set rules in this run.
	setHeld atomic.Int64
	// kust is the run's kustomize plan (kustomize.go).
	kust *kustPlan
	// kustCache is what the run's kustomize builds share (links resolved,
	// resource files served): one per Scan.
	kustCache *scan.BuildCache
	// rendered is checkFile's answers by rendered text (rendermemo.go):
	// one per Scan.
	rendered *renderedMemo
	progress Progress
	// partial and tree: the run checks part of tree (context.go).
	partial bool
	tree    string
}

// keepSetTrees is how many documents the set rules may hold with their
// parsed trees; past it they hold only the text and parse again (a second
// parse for a huge run, instead of memory growing with it).
const keepSetTrees = 2000

// New returns an engine for cfg: the rules enabled at cfg.Env, less those
// cfg.Disabled names.
func New(cfg Config) *Engine {
	e := newEngine(cfg.Env, cfg.Workers, cfg.Stdin)
	e.limits, e.render = cfg.Limits, cfg.Render
	e.partial, e.tree = cfg.Partial, cfg.Tree
	if cfg.Progress != nil {
		e.progress = cfg.Progress
	}
	if cfg.Disabled != nil {
		e.rules = slices.DeleteFunc(e.rules, func(r *checks.Rule) bool { return cfg.Disabled(r.ID) })
	}
	return e
}

// AddRule adds a rule to the engine's rules (for tests of isolation).
func (e *Engine) AddRule(r *checks.Rule) { e.rules = append(e.rules, r) }

func newEngine(env checks.Env, workers int, stdin io.Reader) *Engine {
	var rules []*checks.Rule
	for _, r := range checks.Rules() {
		if r.Enabled(env) {
			rules = append(rules, r)
		}
	}
	if workers < 1 {
		workers = 1
	}
	return &Engine{env: env, rules: rules, workers: workers, stdin: stdin, limits: DefaultLimits, progress: noProgress{}}
}

// fileResult is what one input produced.
type fileResult struct {
	findings  []checks.Finding
	documents int
	err       *annotate.RunError
	skipped   []annotate.Skipped
	done      bool
	// setDocs are the documents some set rule reads (checks.Rule.CheckSet).
	setDocs []*scan.Document
}

// Result is what scanning a list of inputs produced.
type Result struct {
	Findings  []checks.Finding // sorted (file, line, column, rule)
	Errors    []annotate.RunError
	Skipped   []annotate.Skipped
	Documents int // objects checked
}

// Scan reads and checks every input in parallel and returns the findings in
// deterministic order (file, line, column, rule).
func (e *Engine) Scan(ctx context.Context, inputs []scan.Input) Result {
	inputs, e.kust = planKustomize(inputs)
	e.kustCache = scan.NewBuildCache()
	e.rendered = &renderedMemo{m: map[memoKey]memoResult{}}
	findings, errs, skipped, docs := e.run(ctx, inputs)
	return Result{Findings: findings, Errors: errs, Skipped: skipped, Documents: docs}
}

func (e *Engine) run(ctx context.Context, inputs []scan.Input) ([]checks.Finding, []annotate.RunError, []annotate.Skipped, int) {
	var errs []annotate.RunError
	e.progress.Start(len(inputs))
	results := e.each(ctx, len(inputs), func(i int) (res fileResult) {
		defer e.progress.Done()
		defer func() {
			if p := recover(); p != nil {
				f := fileProblem(checks.InternalError, inputs[i].Path, fmt.Sprintf("kubeready failed on this file: %v", p))
				res = fileResult{findings: []checks.Finding{*f}}
			}
		}()
		if inputs[i].Kind != scan.InputFile {
			e.progress.Begin(inputs[i].Path)
			return e.checkRendered(inputs[i]) // render.go
		}
		f, problem, err := e.read(inputs[i])
		if err != nil {
			return fileResult{err: &annotate.RunError{File: inputs[i].Path, Message: err.Error()}}
		}
		if problem != nil {
			return fileResult{findings: []checks.Finding{*problem}}
		}
		res = e.checkFile(f)
		e.checkGitOps(ctx, f, &res) // gitops.go
		if inputs[i].Path == scan.StdinPath {
			e.placeHelmOutput(f, &res)
		}
		return res
	}, func(i int) int64 {
		if inputs[i].Kind == scan.InputKustomization {
			return e.kust.sizeOf(inputs[i].Path)
		}
		return inputSize(inputs[i])
	})
	if ctx.Err() != nil {
		left := 0
		for _, r := range results {
			if !r.done {
				left++
			}
		}
		if left > 0 {
			errs = append(errs, annotate.RunError{Message: fmt.Sprintf("run stopped (%v): %d of %d files not checked", context.Cause(ctx), left, len(inputs))})
		}
	}
	var findings []checks.Finding
	var skipped []annotate.Skipped
	var setDocs []*scan.Document
	docs := 0
	for _, r := range results {
		findings = append(findings, r.findings...)
		skipped = append(skipped, r.skipped...)
		setDocs = append(setDocs, r.setDocs...)
		docs += r.documents
		if r.err != nil {
			errs = append(errs, *r.err)
		}
	}
	if ctx.Err() == nil {
		set := setDocs
		var context map[string]bool
		if e.partial && e.tree != "" && len(setDocs) > 0 {
			// The rest of the repository, for the set rules only (context.go);
			// not read when nothing in the run is a set rule's subject, as
			// their findings land only on the run's own documents.
			extra := e.contextDocs(ctx, e.tree, inputs)
			context = map[string]bool{}
			for _, d := range extra {
				context[d.File.Path] = true
			}
			set = append(append([]*scan.Document{}, setDocs...), extra...)
		}
		for _, f := range e.placeSet(set, e.checkSet(set)) {
			switch {
			case context[f.File]:
				continue // a file of the repository this run does not report on
			case e.partial && e.tree == "" && absenceRules[f.Rule]:
				continue // without the whole tree, an absence is not known
			}
			findings = append(findings, f)
		}
	}
	sort.SliceStable(findings, func(i, j int) bool { return checks.Less(findings[i], findings[j]) })
	return dedupe(findings), errs, skipped, docs
}

// each runs fn for 0..n-1 on the worker pool and returns the results by
// index, so their order never depends on scheduling.
func (e *Engine) each(ctx context.Context, n int, fn func(i int) fileResult, sizes func(i int) int64) []fileResult {
	results := make([]fileResult, n)
	p := pool.New().WithMaxGoroutines(e.workers).WithContext(ctx)
	for _, i := range largestFirst(n, sizes) {
		p.Go(func(ctx context.Context) error {
			if ctx.Err() == nil {
				results[i] = fn(i)
				results[i].done = true
			}
			return nil
		})
	}
	_ = p.Wait()
	return results
}

// largestFirst orders 0..n-1 by decreasing size, so that the biggest inputs
// start first and no worker is left with one at the end while the others
// idle. Results stay indexed, so output order does not change.
func largestFirst(n int, sizes func(i int) int64) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if sizes == nil || n < 2 {
		return order
	}
	size := make([]int64, n)
	for i := range size {
		size[i] = sizes(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	return order
}

// inputSize is the size of an input on disk, for scheduling (0 when unknown:
// standard input, a chart directory, an error the reader will report).
func inputSize(in scan.Input) int64 {
	if in.Path == scan.StdinPath {
		return 0
	}
	st, err := os.Stat(in.Path)
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	return st.Size()
}
