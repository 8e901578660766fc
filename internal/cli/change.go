package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	out, err := git.Run(ctx, root, "-c", "core.quotePath=false", "diff", "--merge-base", "-M",
		"--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", ref, "--")
	if err != nil {
		return nil, []error{fmt.Errorf("--base %s: git diff failed: %s", ref, firstLine(err))}
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
	root := git.Root(".")
	if root == "" {
		root = "."
	}
	return scan.ParseDiff(r, root)
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
