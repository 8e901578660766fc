package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
)

// FixMode says which fixes --fix applies.
type FixMode int

const (
	FixNone FixMode = iota
	FixSafe         // --fix, or --format patch
	FixAll          // --fix-unsafe
)

// fixRounds bounds how often a file is re-checked and fixed: a fix that
// conflicted with another is retried on the next round, against the file
// as the first round left it.
const fixRounds = 4

// choose returns the fix of f that mode applies: the first safe one, or
// with FixAll the first one.
func (m FixMode) choose(f checks.Finding) (checks.Fix, bool) {
	if f.Suppressed {
		return checks.Fix{}, false
	}
	for _, fx := range f.Fixes {
		if fx.Safe || m == FixAll {
			return fx, true
		}
	}
	return checks.Fix{}, false
}

// fixKey identifies a finding across re-checks of a file being fixed:
// fixes move lines, but not the rule or the object.
type fixKey struct{ rule, kind, namespace, name string }

func keyOf(f checks.Finding) fixKey { return fixKey{f.Rule, f.Kind, f.Namespace, f.Name} }

// applyFixes fixes the reported findings that mode can fix, file by file:
// it applies the fixes, re-checks the file, and repeats while reported
// findings with fixes remain (so fixes that conflicted get another go).
// Only reported findings are fixed: with --scope, findings outside the
// change stay as they are. With write, each changed file is replaced
// atomically and rep.Findings becomes what remains; either way rep.Changes
// gets the old and new content and rep.Fixed what was fixed.
func (e *Engine) applyFixes(ctx context.Context, rep *annotate.Report, mode FixMode, write bool) {
	e.fixRendered(rep, mode, write) // render.go: findings on charts and kustomizations
	reported := map[string][]checks.Finding{}
	fixing := map[string]bool{}
	var order []string
	for _, f := range rep.Findings {
		reported[f.File] = append(reported[f.File], f)
		if _, ok := mode.choose(f); ok && f.Rendered == nil && !fixing[f.File] {
			fixing[f.File] = true
			order = append(order, f.File)
		}
	}
	sort.Strings(order)
	var remaining []checks.Finding
	for _, f := range rep.Findings {
		if !fixing[f.File] || !write {
			remaining = append(remaining, f)
		}
	}
	keep := func(fs []checks.Finding) {
		if write {
			remaining = append(remaining, fs...)
		}
	}
	for _, path := range order {
		before := reported[path]
		if ctx.Err() != nil {
			keep(before)
			continue
		}
		if path == scan.StdinPath {
			rep.Stats.Skipped = append(rep.Stats.Skipped, annotate.Skipped{File: path, Reason: "standard input is not fixed: pass the file instead"})
			keep(before)
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil {
			rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
			keep(before)
			continue
		}
		allowed := map[fixKey]int{}
		for _, f := range before {
			if _, ok := mode.choose(f); ok {
				allowed[keyOf(f)]++
			}
		}
		data, fixed, left := e.fixFile(path, old, mode, allowed)
		if bytes.Equal(data, old) {
			keep(before)
			continue
		}
		if write {
			if err := writeAtomic(path, data); err != nil {
				rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
				keep(before)
				continue
			}
		}
		keep(stillReported(left, before, rep.Stats.Hidden > 0))
		rep.Fixed = append(rep.Fixed, fixed...)
		rep.Changes = append(rep.Changes, annotate.FileChange{Name: patchName(path), Old: old, New: data})
	}
	sort.SliceStable(remaining, func(i, j int) bool { return checks.Less(remaining[i], remaining[j]) })
	rep.Findings = remaining
	rep.Stats.UnsafeFixes = 0
	for _, f := range rep.Visible() {
		if _, ok := mode.choose(f); !ok {
			if _, any := FixAll.choose(f); any {
				rep.Stats.UnsafeFixes++
			}
		}
	}
}

// stillReported returns the findings of a fixed file to report: those of
// the re-check that match a finding reported before (taking its change
// marks), and, unless the report was scoped to a change, new ones too.
func stillReported(after, before []checks.Finding, scoped bool) []checks.Finding {
	marks := map[fixKey]checks.Finding{}
	for _, f := range before {
		marks[keyOf(f)] = f
	}
	var out []checks.Finding
	for _, f := range after {
		if b, ok := marks[keyOf(f)]; ok {
			f.InChangedFile, f.InChangedLines = b.InChangedFile, b.InChangedLines
		} else if scoped {
			continue
		} else if len(before) > 0 {
			f.InChangedFile, f.InChangedLines = before[0].InChangedFile, before[0].InChangedLines
		}
		out = append(out, f)
	}
	return out
}

// fixFile applies fixes to one file's content until no finding allowed (by
// key, counted) has a fix mode applies, or fixRounds is reached. It returns
// the new content, what was fixed, and the findings of the new content.
func (e *Engine) fixFile(path string, data []byte, mode FixMode, allowed map[fixKey]int) ([]byte, []annotate.Fixed, []checks.Finding) {
	var fixed []annotate.Fixed
	for round := 0; ; round++ {
		res := e.checkFile(scan.NewFile(path, data))
		sort.SliceStable(res.findings, func(i, j int) bool { return checks.Less(res.findings[i], res.findings[j]) })
		var fixes []checks.Fix
		var owners []checks.Finding
		for _, f := range res.findings {
			if fx, ok := mode.choose(f); ok && allowed[keyOf(f)] > 0 {
				fixes, owners = append(fixes, fx), append(owners, f)
			}
		}
		if len(fixes) == 0 || round == fixRounds {
			return data, fixed, res.findings
		}
		out, picked, ok := applyPicked(data, fixes)
		if !ok {
			return data, fixed, res.findings
		}
		for _, i := range picked {
			f := owners[i]
			allowed[keyOf(f)]--
			fixed = append(fixed, fixedBy(f, fixes[i]))
		}
		data = out
	}
}

// fixRendered applies the fixes mode chooses for findings on rendered
// inputs. Their edits already point into the template, values or resource
// file that wrote the bytes, so they are applied once, as they are: such a
// file is not re-checked on its own (a template is not a manifest). A file
// that plain findings also fix is left to applyFixes. With write the files
// are replaced and the fixed findings leave rep.Findings.
func (e *Engine) fixRendered(rep *annotate.Report, mode FixMode, write bool) {
	plain := map[string]bool{}
	for _, f := range rep.Findings {
		if _, ok := mode.choose(f); ok && f.Rendered == nil {
			plain[f.File] = true
		}
	}
	type job struct {
		fixes  []checks.Fix
		owners []int
	}
	jobs := map[string]*job{}
	for i, f := range rep.Findings {
		fx, ok := mode.choose(f)
		if !ok || f.Rendered == nil || len(fx.Edits) == 0 {
			continue
		}
		path := fx.Edits[0].Path
		same := true
		for _, ed := range fx.Edits {
			same = same && ed.Path == path
		}
		if !same || path == scan.StdinPath || plain[path] {
			continue
		}
		if jobs[path] == nil {
			jobs[path] = &job{}
		}
		jobs[path].fixes = append(jobs[path].fixes, fx)
		jobs[path].owners = append(jobs[path].owners, i)
	}
	paths := make([]string, 0, len(jobs))
	for p := range jobs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fixed := map[int]bool{}
	for _, path := range paths {
		j := jobs[path]
		old, err := os.ReadFile(path)
		if err != nil {
			rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
			continue
		}
		out, picked, ok := applyPicked(old, j.fixes)
		if !ok {
			continue
		}
		if write {
			if err := writeAtomic(path, out); err != nil {
				rep.Errors = append(rep.Errors, annotate.RunError{File: path, Message: "fix: " + err.Error()})
				continue
			}
		}
		for _, k := range picked {
			f := rep.Findings[j.owners[k]]
			fixed[j.owners[k]] = true
			rep.Fixed = append(rep.Fixed, fixedBy(f, j.fixes[k]))
		}
		rep.Changes = append(rep.Changes, annotate.FileChange{Name: patchName(path), Old: old, New: out})
	}
	if write && len(fixed) > 0 {
		kept := rep.Findings[:0]
		for i, f := range rep.Findings {
			if !fixed[i] {
				kept = append(kept, f)
			}
		}
		rep.Findings = kept
	}
}

// applyPicked applies to data the fixes checks.PickFixes keeps of fixes (the
// first of any that conflict) and returns the new content and the indices
// of the fixes applied; ok is false when nothing changed.
func applyPicked(data []byte, fixes []checks.Fix) (out []byte, picked []int, ok bool) {
	out, picked, _, err := checks.ApplyFixes(data, fixes)
	if err != nil || bytes.Equal(out, data) {
		return data, nil, false
	}
	return out, picked, true
}

// fixedBy is the report's entry for finding f fixed by fx.
func fixedBy(f checks.Finding, fx checks.Fix) annotate.Fixed {
	return annotate.Fixed{Rule: f.Rule, File: f.File, Line: f.Line, Column: f.Column, Description: fx.Description, Safe: fx.Safe, Reason: fx.Reason}
}

// writeAtomic replaces the file at path (or, for a symbolic link, the file
// it points to) with data: a temporary file in the same directory, with the
// same permissions, renamed over it, so a reader never sees half a file.
func writeAtomic(path string, data []byte) (err error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(real)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".kubeready-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), real)
}

// patchName is the path a patch names a file by: relative to the top of the
// git work tree the current directory is in (git apply reads paths that
// way, from any subdirectory), else to the current directory.
func patchName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	base, err := os.Getwd()
	if err != nil {
		return filepath.ToSlash(path)
	}
	if top := git.Root(base); top != "" && paths.Within(abs, top) {
		base = top
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
