package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoot(t *testing.T) {
	top := t.TempDir()
	sub := filepath.Join(top, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Root(sub); got != "" {
		t.Errorf("Root outside a work tree = %q", got)
	}
	if err := os.Mkdir(filepath.Join(top, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Root(sub); got != top {
		t.Errorf("Root = %q, want %q", got, top)
	}
	// a linked worktree or submodule has a .git file
	inner := filepath.Join(top, "a")
	if err := os.WriteFile(filepath.Join(inner, ".git"), []byte("gitdir: ../.git/worktrees/a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Root(sub); got != inner {
		t.Errorf("Root = %q, want %q", got, inner)
	}
}

func TestRunError(t *testing.T) {
	_, err := Run(context.Background(), t.TempDir(), "rev-parse", "HEAD")
	if err == nil || !strings.HasPrefix(err.Error(), "git rev-parse HEAD: ") {
		t.Errorf("err = %v", err)
	}
}
