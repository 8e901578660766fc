package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

func TestValuesSets(t *testing.T) {
	dir := t.TempDir()
	chart := filepath.Join(dir, "chart")
	for _, f := range []string{"Chart.yaml", "values.yaml", "ci/a.yaml", "ci/b.yml", "values-prod.yaml", "values/eu.yaml", "ci/.hidden.yaml", "other.yaml"} {
		p := filepath.Join(chart, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("a: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(dir, "secret.yaml")
	os.WriteFile(secret, []byte("token: x\n"), 0o644)
	if err := os.Symlink(secret, filepath.Join(chart, "values-leak.yaml")); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if err := syscall.Mkfifo(filepath.Join(chart, "ci/fifo.yaml"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sets, skipped := ValuesSets(chart)
	got := fmt.Sprint(skipped)
	for _, s := range sets {
		got += " " + s.Name
	}
	if want := "0 ci/a.yaml ci/b.yml values-prod.yaml values/eu.yaml"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for i := 0; i < MaxValuesSets+2; i++ {
		os.WriteFile(filepath.Join(chart, fmt.Sprintf("values/x%02d.yaml", i)), []byte("a: 1\n"), 0o644)
	}
	if sets, skipped := ValuesSets(chart); len(sets) != MaxValuesSets || skipped != 6 {
		t.Errorf("budget: %d sets, %d skipped", len(sets), skipped)
	}
}
