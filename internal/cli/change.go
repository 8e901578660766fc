package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kubeready/kubeready/scan"
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
