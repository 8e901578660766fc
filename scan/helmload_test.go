package scan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

func loadFiles(t *testing.T, dir string) (names []string, err error) {
	t.Helper()
	ch, err := loadChartDir(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range ch.Raw {
		names = append(names, f.Name)
	}
	return names, nil
}

func TestLoadChartDirRules(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{
		"Chart.yaml":             "apiVersion: v2\nname: c\nversion: 0.1.0\n",
		"templates/cm.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
		".helmignore":            "secret.txt\nprivate/\n",
		"secret.txt":             "no",
		"private/key":            "no",
		"files/ok.txt":           "yes",
		".git/config":            "no",
		"sub/.git":               "gitdir: ../.git/modules/sub",
		".hg/hgrc":               "no",
		"files/.svn/entries":     "no",
		"linked/real.txt":        "yes",
		"templates/_helpers.tpl": "{{/* */}}",
	})
	if err := os.Symlink("real.txt", filepath.Join(dir, "linked", "link.txt")); err != nil {
		t.Fatal(err)
	}
	names, err := loadFiles(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"files/ok.txt", "linked/real.txt", "linked/link.txt", "templates/cm.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not loaded: %s", want, got)
		}
	}
	for _, bad := range []string{".git", ".hg", ".svn", "secret.txt", "private/"} {
		if strings.Contains(got, bad) {
			t.Errorf("%s loaded: %s", bad, got)
		}
	}
}

func TestLoadChartDirRefuses(t *testing.T) {
	base := func(t *testing.T) string {
		dir := t.TempDir()
		testfs.WriteFiles(t, dir, map[string]string{"Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"})
		return dir
	}
	t.Run("fifo", func(t *testing.T) {
		dir := base(t)
		if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadFiles(t, dir); err == nil || !strings.Contains(err.Error(), "pipe is not a regular file") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("link out", func(t *testing.T) {
		dir := base(t)
		if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
			t.Fatal(err)
		}
		if _, err := loadFiles(t, dir); err == nil || !strings.Contains(err.Error(), "points out of the chart") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("file over budget", func(t *testing.T) {
		dir := base(t)
		if err := os.Truncate(filepath.Join(dir, "Chart.yaml"), MaxChartFileSize+1); err != nil {
			t.Fatal(err)
		}
		_, err := loadFiles(t, dir)
		var be *ChartBudgetError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "Chart.yaml") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("chart over budget", func(t *testing.T) {
		dir := base(t)
		for i := range MaxChartSize/MaxChartFileSize + 1 {
			f, err := os.Create(filepath.Join(dir, "z"+strings.Repeat("z", i)))
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(MaxChartFileSize)
			f.Close()
		}
		_, err := loadFiles(t, dir)
		var be *ChartBudgetError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "64.0 MiB") {
			t.Errorf("err = %v", err)
		}
	})
}
