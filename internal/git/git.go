// Package git is kubeready's one way to run git.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Error is a git command that failed, with git's own message.
type Error struct {
	Args []string
	Msg  string // git's standard error, trimmed (or how it failed to start)
}

func (e *Error) Error() string { return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), e.Msg) }

// Run runs git in dir and returns its standard output; the error carries
// git's own message.
func Run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, &Error{Args: args, Msg: msg}
	}
	return stdout.Bytes(), nil
}

// Root returns the top of the work tree at or above dir: the nearest
// directory holding a .git entry (a directory, or the file of a linked
// worktree or submodule), or "" when there is none or dir cannot be made
// absolute. It reads the filesystem only: no git process, so start-up and
// the configuration lookup stay cheap.
func Root(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		} else if !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
