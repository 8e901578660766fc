package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/sourcegraph/conc/pool"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// engine runs the rules over inputs. It holds no state between runs.
type engine struct {
	env     checks.Env
	rules   []*checks.Rule // enabled at env
	workers int
	stdin   io.Reader
}

func newEngine(env checks.Env, workers int, stdin io.Reader) *engine {
	var rules []*checks.Rule
	for _, r := range checks.Rules() {
		if r.Enabled(env) {
			rules = append(rules, r)
		}
	}
	if workers < 1 {
		workers = 1
	}
	return &engine{env: env, rules: rules, workers: workers, stdin: stdin}
}

// fileResult is what one input produced.
type fileResult struct {
	findings  []checks.Finding
	documents int
	err       *annotate.RunError
	skipped   []annotate.Skipped
}

// run reads and checks every input in parallel and returns the findings in
// deterministic order (file, line, column, rule).
func (e *engine) run(ctx context.Context, inputs []scan.Input) ([]checks.Finding, []annotate.RunError, []annotate.Skipped, int) {
	results := e.each(ctx, len(inputs), func(i int) fileResult {
		f, err := e.read(inputs[i])
		if err != nil {
			return fileResult{err: &annotate.RunError{File: inputs[i].Path, Message: err.Error()}}
		}
		return e.checkFile(f)
	})
	var findings []checks.Finding
	var errs []annotate.RunError
	var skipped []annotate.Skipped
	docs := 0
	for _, r := range results {
		findings = append(findings, r.findings...)
		skipped = append(skipped, r.skipped...)
		docs += r.documents
		if r.err != nil {
			errs = append(errs, *r.err)
		}
	}
	sort.SliceStable(findings, func(i, j int) bool { return checks.Less(findings[i], findings[j]) })
	return findings, errs, skipped, docs
}

// each runs fn for 0..n-1 on the worker pool and returns the results by
// index, so their order never depends on scheduling.
func (e *engine) each(ctx context.Context, n int, fn func(i int) fileResult) []fileResult {
	results := make([]fileResult, n)
	p := pool.New().WithMaxGoroutines(e.workers).WithContext(ctx)
	for i := 0; i < n; i++ {
		p.Go(func(ctx context.Context) error {
			if ctx.Err() == nil {
				results[i] = fn(i)
			}
			return nil
		})
	}
	_ = p.Wait()
	return results
}

func (e *engine) read(in scan.Input) (*scan.File, error) {
	if in.Path == scan.StdinPath {
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return scan.NewFile(in.Path, data), nil
	}
	data, err := os.ReadFile(in.Path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	return scan.NewFile(in.Path, data), nil
}

// checkFile parses one file and runs every enabled rule on each object in it.
func (e *engine) checkFile(f *scan.File) fileResult {
	var res fileResult
	docs, perrs := scan.Parse(f)
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
		if e.wantsNode(d.Sig.Kind) {
			if _, err := d.Node(); err != nil {
				pe := &scan.ParseError{Line: d.StartLine, Msg: err.Error()}
				errors.As(err, &pe)
				res.findings = append(res.findings, invalidYAML(f.Path, pe, d))
				continue
			}
		}
		res.findings = append(res.findings, checks.Check(d, e.env, e.rules)...)
	}
	res.findings = suppress(f, res.findings)
	return res
}

// wantsNode reports whether any enabled rule reads the full Node of kind;
// only then is a cheaply-signed document parsed.
func (e *engine) wantsNode(kind string) bool {
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
