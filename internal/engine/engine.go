package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/sourcegraph/conc/pool"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
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
	render  Render // see render.go
	// setHeld counts the documents kept for the set rules in this run.
	setHeld atomic.Int64
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
	return &Engine{env: env, rules: rules, workers: workers, stdin: stdin, limits: DefaultLimits}
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
	findings, errs, skipped, docs := e.run(ctx, inputs)
	return Result{Findings: findings, Errors: errs, Skipped: skipped, Documents: docs}
}

func (e *Engine) run(ctx context.Context, inputs []scan.Input) ([]checks.Finding, []annotate.RunError, []annotate.Skipped, int) {
	var errs []annotate.RunError
	results := e.each(ctx, len(inputs), func(i int) (res fileResult) {
		defer func() {
			if p := recover(); p != nil {
				f := fileProblem(checks.InternalError, inputs[i].Path, fmt.Sprintf("kubeready failed on this file: %v", p))
				res = fileResult{findings: []checks.Finding{*f}}
			}
		}()
		if inputs[i].Kind != scan.InputFile {
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
		if inputs[i].Path == scan.StdinPath {
			e.placeHelmOutput(f, &res)
		}
		return res
	}, func(i int) int64 { return inputSize(inputs[i]) })
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
		findings = append(findings, e.placeSet(setDocs, e.checkSet(setDocs))...)
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

// read loads one input. A file over the size limit or one that cannot be
// read gives a finding (problem) instead of content; err is for standard
// input failing.
func (e *Engine) read(in scan.Input) (f *scan.File, problem *checks.Finding, err error) {
	max := e.limits.MaxFileSize
	if in.Path == scan.StdinPath {
		r := e.stdin
		if max > 0 {
			r = io.LimitReader(r, max+1)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, nil, fmt.Errorf("reading standard input: %w", err)
		}
		if max > 0 && int64(len(data)) > max {
			return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("standard input is over %s (--max-file-size): not checked", size(max))), nil
		}
		return scan.NewFile(in.Path, data), nil, nil
	}
	fh, err := os.Open(in.Path)
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	if st.IsDir() {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "is a directory"), nil
	}
	if max > 0 && st.Size() > max {
		return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("%s is over %s (--max-file-size): not checked", size(st.Size()), size(max))), nil
	}
	var r io.Reader = fh
	if max > 0 {
		r = io.LimitReader(fh, max+1) // the file may grow while we read
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fileProblem(checks.FileUnreadable, in.Path, "cannot read: "+unwrapPath(err)), nil
	}
	if max > 0 && int64(len(data)) > max {
		return nil, fileProblem(checks.FileTooLarge, in.Path, fmt.Sprintf("over %s (--max-file-size): not checked", size(max))), nil
	}
	return scan.NewFile(in.Path, data), nil, nil
}

// fileProblem is a finding about a whole file, on its first line.
func fileProblem(r *checks.Rule, path, msg string) *checks.Finding {
	return &checks.Finding{Rule: r.ID, Severity: r.Severity, File: path, Line: 1, Column: 1, Message: msg, URL: r.Source, DocStart: 1, DocEnd: 1}
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkFile parses one file and runs every enabled rule on each object in it.
func (e *Engine) checkFile(f *scan.File) fileResult {
	var res fileResult
	docs, perrs, next := scan.ParseN(f, e.limits.MaxDocuments)
	if next > 0 {
		p := fileProblem(checks.LimitExceeded, f.Path, fmt.Sprintf("more than %d documents (--max-documents): documents from this line on are not checked", e.limits.MaxDocuments))
		p.Line, p.DocStart, p.DocEnd = next, next, next
		res.findings = append(res.findings, *p)
	}
	for _, pe := range perrs {
		if !pe.Object {
			res.skipped = append(res.skipped, annotate.Skipped{File: f.Path,
				Reason: fmt.Sprintf("not YAML (line %d: %s) and no apiVersion/kind: not a manifest", pe.Line, pe.Msg)})
			continue
		}
		res.findings = append(res.findings, invalidYAML(f.Path, pe, nil))
	}
	for _, d := range docs {
		if !d.Sig.IsObject() {
			continue
		}
		res.documents++
		rules, whole := e.rules, true
		if e.wantsNode(d.Sig.Kind) {
			if problem := e.nodeProblem(d); problem != nil {
				// the rules that read only the signature (api-removed) still run
				res.findings = append(res.findings, *problem)
				rules, whole = e.signatureRules(d.Sig.Kind), false
			}
		}
		res.findings = append(res.findings, checks.Check(d, e.env, rules)...)
		if whole && checks.WantsSet(d.Sig.Kind, e.rules) {
			if e.setHeld.Add(1) > keepSetTrees {
				d = d.Detached() // its tree is parsed again when the set rules read it
			}
			res.setDocs = append(res.setDocs, d)
		}
	}
	res.findings = suppress(f, res.findings)
	return res
}

// checkSet runs the set rules once over the documents kept from every file
// of the run (in input order) and applies each file's inline suppressions
// to what they find.
func (e *Engine) checkSet(docs []*scan.Document) []checks.Finding {
	fs := checks.CheckSet(docs, e.env, e.rules)
	files := map[string]*scan.File{}
	for _, d := range docs {
		files[d.File.Path] = d.File
	}
	byFile := map[string][]checks.Finding{}
	var order []string
	for _, f := range fs {
		if _, ok := byFile[f.File]; !ok {
			order = append(order, f.File)
		}
		byFile[f.File] = append(byFile[f.File], f)
	}
	var out []checks.Finding
	for _, path := range order {
		if f := files[path]; f != nil {
			out = append(out, suppress(f, byFile[path])...)
		} else {
			out = append(out, byFile[path]...)
		}
	}
	return out
}

// nodeProblem parses a document for the rules that read it and returns the
// finding that stops them: invalid YAML, or nesting past --max-depth.
func (e *Engine) nodeProblem(d *scan.Document) *checks.Finding {
	root, err := d.Node()
	if err != nil {
		pe := &scan.ParseError{Line: d.StartLine, Msg: err.Error()}
		errors.As(err, &pe)
		f := invalidYAML(d.File.Path, pe, d)
		return &f
	}
	if max := e.limits.MaxDepth; max > 0 && root != nil && scan.Depth(root, max) > max {
		p := fileProblem(checks.LimitExceeded, d.File.Path, fmt.Sprintf("%s nests deeper than %d levels (--max-depth): its content is not checked", d.Sig.Kind, max))
		p.Line, p.Column, p.DocStart, p.DocEnd = d.Sig.APIVersionPos.Line, d.Sig.APIVersionPos.Col, d.StartLine, d.EndLine
		return p
	}
	return nil
}

// signatureRules are the enabled rules that do not read the Node of kind.
func (e *Engine) signatureRules(kind string) []*checks.Rule {
	var out []*checks.Rule
	for _, r := range e.rules {
		if !r.WantsNode(kind) {
			out = append(out, r)
		}
	}
	return out
}

// wantsNode reports whether any enabled rule reads the full Node of kind;
// only then is a cheaply-signed document parsed.
func (e *Engine) wantsNode(kind string) bool {
	for _, r := range e.rules {
		if r.WantsNode(kind) {
			return true
		}
	}
	return false
}

// invalidYAML is the finding for a document that does not parse.
func invalidYAML(path string, pe *scan.ParseError, d *scan.Document) checks.Finding {
	f := checks.Finding{
		Rule: checks.InvalidYAML.ID, Severity: checks.Error, File: path, Line: pe.Line, Column: 1,
		Message: "invalid YAML: " + pe.Msg, URL: checks.InvalidYAML.Source, DocStart: pe.Line, DocEnd: pe.Line,
	}
	if d != nil {
		f.DocStart, f.DocEnd = d.StartLine, d.EndLine
		f.APIVersion, f.Kind, f.Name, f.Namespace = d.Sig.APIVersion, d.Sig.Kind, d.Sig.Name, d.Sig.Namespace
	}
	return f
}
