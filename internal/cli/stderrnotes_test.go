package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/testfs"
)

// withStderrFile points os.Stderr at a file for the test and returns a
// function reading what reached it.
func withStderrFile(t *testing.T) func() string {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stderr
	os.Stderr = f
	t.Cleanup(func() { os.Stderr = orig; f.Close() })
	return func() string {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}

// TestCaptureStderr: kustomize's deprecation lines become one note; every
// other line reaches the real stderr unchanged, in order.
func TestCaptureStderr(t *testing.T) {
	read := withStderrFile(t)
	stop := captureStderr()
	for i := 0; i < 669; i++ {
		fmt.Fprintln(os.Stderr, "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.")
		fmt.Fprintln(os.Stderr, "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.")
	}
	fmt.Fprintln(os.Stderr, "some library: something else")
	fmt.Fprint(os.Stderr, "no newline at the end")
	note := stop()
	want := "kubeready: note: kustomize warned 1338 times about deprecated kustomization fields: commonLabels (use labels) 669×, patchesStrategicMerge (use patches) 669×;"
	if !strings.HasPrefix(note, want) {
		t.Errorf("note %q\nwant prefix %q", note, want)
	}
	if got := read(); got != "some library: something else\nno newline at the end\n" {
		t.Errorf("passed through %q", got)
	}
	if stop := captureStderr(); stop() != "" {
		t.Error("a second capture with no warnings gave a note")
	}
}

// TestKustomizeWarningsOneNote: a run over overlays of a base that uses
// deprecated fields prints one note on the CLI's stderr and nothing of
// kustomize's own lines.
func TestKustomizeWarningsOneNote(t *testing.T) {
	read := withStderrFile(t)
	dir := t.TempDir()
	files := map[string]string{
		"base/kustomization.yaml": "commonLabels: {team: shop}\nresources: [web.yaml]\npatchesStrategicMerge: [replicas.yaml]\n",
		"base/web.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers: [{name: web, image: registry.example.com/web:1}]\n",
		"base/replicas.yaml":      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
	}
	for _, o := range []string{"dev", "prod", "staging"} {
		files["overlays/"+o+"/kustomization.yaml"] = "resources: [../../base]\nnamePrefix: " + o + "-\n"
	}
	testfs.WriteFiles(t, dir, files)
	var stdout, stderr bytes.Buffer
	Run(t.Context(), []string{"--config", "none", dir}, strings.NewReader(""), &stdout, &stderr)
	if n := strings.Count(stderr.String(), "kubeready: note: kustomize warned"); n != 1 {
		t.Errorf("%d notes on stderr, want 1:\n%s", n, stderr.String())
	}
	if strings.Contains(stderr.String(), "# Warning:") || strings.Contains(read(), "# Warning:") {
		t.Errorf("kustomize's lines reached stderr:\nCLI: %s\nprocess: %s", stderr.String(), read())
	}
}
