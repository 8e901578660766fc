package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// Scopes accepted by --scope.
const (
	scopeLines = "lines"
	scopeFiles = "files"
	scopeAll   = "all"
)

// gitRoot returns the top of the git work tree containing the working
// directory, or "" outside one.
func gitRoot(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// changeFromBase is what `--base REF` means: the files changed between the
// merge base of REF and the working tree (renames followed, deletions
// skipped), plus untracked files, which are new to any base.
func changeFromBase(ctx context.Context, ref string) (*scan.Change, []error) {
	root := gitRoot(ctx)
	if root == "" {
		return nil, []error{fmt.Errorf("--base %s: not inside a git work tree", ref)}
	}
	if strings.HasPrefix(ref, "-") {
		return nil, []error{fmt.Errorf("--base %q: not a git revision", ref)}
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "-c", "core.quotePath=false", "diff", "--merge-base", "-M",
		"--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", ref, "--")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, []error{fmt.Errorf("--base %s: git diff failed: %s", ref, firstLine(stderr.String(), err))}
	}
	change, errs := scan.ParseDiff(bytes.NewReader(out), root)
	untracked, err := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--others", "--exclude-standard").Output()
	if err != nil {
		return change, append(errs, fmt.Errorf("--base %s: listing untracked files: %v", ref, err))
	}
	for _, p := range strings.Split(string(untracked), "\x00") {
		if p != "" {
			change.Add(&scan.FileChange{Path: filepath.ToSlash(p), Whole: true})
		}
	}
	return change, errs
}

// changeFromDiff is what `--diff FILE` (or `-`) means: the files a unified
// diff names, read from the working tree, relative to the repository root
// (or the working directory outside a repository).
func changeFromDiff(ctx context.Context, name string, stdin io.Reader) (*scan.Change, []error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, []error{fmt.Errorf("--diff: %v", err)}
		}
		defer f.Close()
		r = f
	}
	root := gitRoot(ctx)
	if root == "" {
		root = "."
	}
	return scan.ParseDiff(r, root)
}

// changeInputs turns a change into the paths to scan, limited to paths under
// the PATH arguments when any were given. Files that no longer exist in the
// working tree are skipped with the reason.
func changeInputs(change *scan.Change, limit []string) (paths []string, skipped []annotate.Skipped) {
	for _, fc := range change.Files() {
		p := change.PathFor(fc.Path)
		if !scan.IsManifestName(p) || !under(p, limit) {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			skipped = append(skipped, annotate.Skipped{File: p, Reason: "changed in the diff but not in the working tree"})
			continue
		}
		paths = append(paths, p)
	}
	for _, s := range change.Skipped {
		skipped = append(skipped, annotate.Skipped{File: s.Path, Reason: s.Reason})
	}
	return paths, skipped
}

// under reports whether p lies under one of the roots (all paths when there
// are none).
func under(p string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, r := range roots {
		ra, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(ra, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// mark records on each finding whether its file and its line (or, for an
// object-level finding, any line of its document) are part of the change.
// Without a change every finding counts as changed.
func mark(findings []checks.Finding, change *scan.Change) {
	for i := range findings {
		f := &findings[i]
		if change == nil {
			f.InChangedFile, f.InChangedLines = true, true
			continue
		}
		fc := change.Lookup(f.File)
		f.InChangedFile = fc != nil
		switch {
		case fc == nil:
			f.InChangedLines = false
		case f.ObjectLevel:
			f.InChangedLines = fc.Overlaps(f.DocStart, f.DocEnd)
		default:
			end := f.EndLine
			if end < f.Line {
				end = f.Line
			}
			f.InChangedLines = fc.Overlaps(f.Line, end)
		}
	}
}

// inScope filters findings by --scope and returns how many it left out.
func inScope(findings []checks.Finding, scope string) ([]checks.Finding, int) {
	out := findings[:0:0]
	for _, f := range findings {
		switch {
		case scope == scopeLines && !f.InChangedLines, scope == scopeFiles && !f.InChangedFile:
			continue
		}
		out = append(out, f)
	}
	return out, len(findings) - len(out)
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return err.Error()
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
