package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfiles: --cpuprofile and --memprofile write pprof files (gzipped
// protocol buffers), and a file that cannot be created stops the run
// before it starts.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	_, errOut, code := runCLI([]string{"--cpuprofile", cpu, "--memprofile", mem, "-"}, cronV1beta1)
	if code != ExitFindings || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, p := range []string{cpu, mem} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: not a pprof profile: %v", filepath.Base(p), err)
		}
		if b, err := io.ReadAll(zr); err != nil || len(b) == 0 {
			t.Errorf("%s: %d bytes, %v", filepath.Base(p), len(b), err)
		}
	}
	out, errOut, code := runCLI([]string{"--cpuprofile", filepath.Join(dir, "no", "such", "dir"), "-"}, cronV1beta1)
	if code != ExitError || !strings.Contains(errOut, "--cpuprofile") || out != "" {
		t.Errorf("bad --cpuprofile: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = runCLI([]string{"--memprofile", filepath.Join(dir, "no", "such", "dir"), "-"}, cronV1beta1)
	if code != ExitError || !strings.Contains(errOut, "--memprofile") {
		t.Errorf("bad --memprofile: exit %d, stderr %q", code, errOut)
	}
	help, _, _ := runCLI([]string{"--help"}, "")
	for _, f := range []string{"-cpuprofile FILE", "-memprofile FILE"} {
		if !strings.Contains(help, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
}

// TestProfileNotFromConfig: a repository's .kubeready.yaml cannot make
// kubeready write a profile (a file written where the repository says).
func TestProfileNotFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "k.yaml")
	if err := os.WriteFile(cfg, []byte("cpuprofile: "+filepath.Join(dir, "x")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI([]string{"--config", cfg, "-"}, cronV1beta1)
	if code != ExitError || !strings.Contains(errOut, "unknown setting") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("the configuration file wrote a profile")
	}
}
