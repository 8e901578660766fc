package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
)

// The configuration file comes from the pull request: every path it names
// must stay inside the repository, name a regular file and be small. Each
// case is an attack: a values file outside the repository that a template
// would print ({{ fail (toJson .Values) }}), a device that never ends or
// never answers, a FIFO. Each must be one clear error naming the setting,
// quickly, and no byte of the secret may reach any output.
func TestConfigPathsStayInTheRepository(t *testing.T) {
	const secret = "aws_secret_access_key: AKIA-SECRET-DO-NOT-LEAK"
	outside := filepath.Join(t.TempDir(), "kubeconfig.yaml")
	if err := os.WriteFile(outside, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chart := map[string]string{
		"chart/Chart.yaml":          "apiVersion: v2\nname: leak\nversion: 0.1.0\n",
		"chart/templates/leak.yaml": "{{ fail (toJson .Values) }}\n",
		"chart/values.yaml":         "a: 1\n",
		"manifests/values-ok.yaml":  "a: 2\n",
		"manifests/big-values.yaml": "a: " + strings.Repeat("x", 6<<20) + "\n",
	}
	for _, tc := range []struct {
		name   string
		values string // the helm-values setting
		setup  func(t *testing.T, root string)
		want   string
	}{
		{"parent directory", "../x/kubeconfig.yaml", func(t *testing.T, root string) {
			if err := os.MkdirAll(filepath.Join(filepath.Dir(root), "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(filepath.Dir(root), "x", "kubeconfig.yaml"), []byte(secret+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "outside the repository"},
		{"absolute path", outside, nil, "absolute paths are not allowed"},
		{"symlink out", "link.yaml", func(t *testing.T, root string) {
			if err := os.Symlink(outside, filepath.Join(root, "link.yaml")); err != nil {
				t.Fatal(err)
			}
		}, "outside the repository"},
		{"symlink to /dev/zero", "zero.yaml", func(t *testing.T, root string) {
			if err := os.Symlink("/dev/zero", filepath.Join(root, "zero.yaml")); err != nil {
				t.Fatal(err)
			}
		}, "outside the repository"},
		{"/dev/stdin", "/dev/stdin", nil, "absolute paths are not allowed"},
		{"fifo", "fifo.yaml", func(t *testing.T, root string) {
			if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}, "not a regular file"},
		{"directory", "chart", nil, "not a regular file"},
		{"too large", "manifests/big-values.yaml", nil, "over 5.0 MiB"},
		{"missing", "nowhere.yaml", nil, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := repoWithConfig(t, "helm-values: "+tc.values+"\n", chart)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			start := time.Now()
			stdout, stderr, code := runCLI([]string{"--format", "json", "../chart"}, "")
			if time.Since(start) > 20*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if code != ExitError {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, "helm-values") || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q, want the setting and %q", stderr, tc.want)
			}
			if strings.Contains(stdout+stderr, "AKIA-SECRET") {
				t.Errorf("the secret leaked: %s %s", stdout, stderr)
			}
		})
	}
	// a values file inside the repository still works
	repoWithConfig(t, "helm-values: manifests/values-ok.yaml\n", chart)
	if _, stderr, code := runCLI([]string{"--format", "json", "../chart"}, ""); code == ExitError && strings.Contains(stderr, "helm-values") {
		t.Errorf("a values file inside the repository was refused: %s", stderr)
	}
}

// The configuration file itself may be a link to a device, a FIFO or a file
// outside the repository: it is refused, not read.
func TestConfigFileItselfHostile(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("target: \"1.29\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, cfg string)
		want  string
	}{
		{"link to /dev/zero", func(t *testing.T, cfg string) { symlink(t, "/dev/zero", cfg) }, "outside the repository"},
		{"link to a FIFO inside", func(t *testing.T, cfg string) {
			fifo := filepath.Join(filepath.Dir(cfg), "manifests", "pipe")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			symlink(t, fifo, cfg)
		}, "not a regular file"},
		{"link outside", func(t *testing.T, cfg string) { symlink(t, outside, cfg) }, "outside the repository"},
		{"fifo", func(t *testing.T, cfg string) {
			if err := syscall.Mkfifo(cfg, 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}, "not a regular file"},
		{"huge", func(t *testing.T, cfg string) {
			testfs.WriteFiles(t, filepath.Dir(cfg), map[string]string{".kubeready.yaml": "# " + strings.Repeat("x", 2<<20) + "\n"})
		}, "over 1.0 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := repoWithConfig(t, "", nil)
			cfg := filepath.Join(root, ".kubeready.yaml")
			if err := os.Remove(cfg); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, cfg)
			start := time.Now()
			_, stderr, code := runCLI([]string{"."}, "")
			if time.Since(start) > 20*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if code != ExitError || !strings.Contains(stderr, ".kubeready.yaml") || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// --helm-values on the command line may name any file, but not a device or
// a FIFO, which would block or never end.
func TestHelmValuesFlagRegularFile(t *testing.T) {
	for _, p := range []string{"/dev/stdin", "/dev/zero", "testdata"} {
		start := time.Now()
		_, stderr, code := runCLI([]string{"--config", "none", "--helm-values", p, "testdata/helm/psp"}, "")
		if code != ExitError || !strings.Contains(stderr, "--helm-values "+p+": not a regular file") || time.Since(start) > 20*time.Second {
			t.Errorf("%s: exit %d, stderr %q", p, code, stderr)
		}
	}
}
