package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubeready/kubeready/internal/git"
	"github.com/kubeready/kubeready/scan"
)

// changeFromBase is what `--base REF` means: the files changed between the
// merge base of REF and the working tree (renames followed, deletions
// skipped), plus untracked files, which are new to any base.
func changeFromBase(ctx context.Context, ref string) (*scan.Change, []error) {
	root := git.Root(".")
	if root == "" {
		return nil, []error{fmt.Errorf("--base %s: not inside a git work tree", ref)}
	}
	if strings.HasPrefix(ref, "-") {
		return nil, []error{fmt.Errorf("--base %q: not a git revision", ref)}
	}
	if _, err := git.Run(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		return nil, []error{fmt.Errorf("--base %s: no such commit in this repository%s", ref, fetchHint(ctx, root, ref))}
	}
	out, err := git.Run(ctx, root, "-c", "core.quotePath=false", "diff", "--merge-base", "-M",
		"--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", ref, "--")
	if err != nil {
		return nil, []error{fmt.Errorf("--base %s: git diff failed: %s%s", ref, firstLine(err), fetchHint(ctx, root, ref))}
	}
	change, errs := scan.ParseDiff(bytes.NewReader(out), root)
	untracked, err := git.Run(ctx, root, "ls-files", "-z", "--others", "--exclude-standard")
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
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, []error{fmt.Errorf("--diff %s: %v", name, err)}
	}
	// An empty diff is almost always a failed command upstream of the pipe
	// (git diff origin/main with origin/main never fetched prints its error
	// to stderr and nothing to stdout): checking nothing and exiting 0 would
	// pass a pull request unchecked.
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []error{fmt.Errorf("--diff %s: the diff is empty: if it comes from git diff REF, check that REF exists here (git fetch?)", name)}
	}
	if !looksLikeDiff(data) {
		return nil, []error{fmt.Errorf("--diff %s: not a unified diff (no diff --git or ---/+++ file headers)", name)}
	}
	root := git.Root(".")
	if root == "" {
		root = "."
	}
	return scan.ParseDiff(bytes.NewReader(data), root)
}

// looksLikeDiff reports whether data has a file header of a git or plain
// unified diff.
func looksLikeDiff(data []byte) bool {
	for line := range bytes.Lines(data) {
		if bytes.HasPrefix(line, []byte("diff --git ")) || bytes.HasPrefix(line, []byte("+++ ")) {
			return true
		}
	}
	return false
}

// fetchHint suggests fetching the ref: shallow CI checkouts often lack the
// base branch. For a remote-tracking ref (origin/main, with origin a remote
// of the repository) it names the command.
func fetchHint(ctx context.Context, root, ref string) string {
	remote, branch, ok := strings.Cut(ref, "/")
	if ok && branch != "" {
		if out, err := git.Run(ctx, root, "remote"); err == nil && slices.Contains(strings.Fields(string(out)), remote) {
			return fmt.Sprintf(" (not fetched? git fetch %s %s)", remote, branch)
		}
	}
	return " (not fetched? git fetch)"
}

// firstLine is the first line of git's message.
func firstLine(err error) string {
	msg := err.Error()
	var ge *git.Error
	if errors.As(err, &ge) {
		msg = ge.Msg
	}
	s, _, _ := strings.Cut(msg, "\n")
	return s
}
