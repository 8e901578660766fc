package cli

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/testfs"
)

// Issue 18 with issue 13's attacks: inputs of the GitOps and stored-release
// readers, run through the built binary (runAttack: exit 0 or 1, no secret,
// no machine path, the honest finding of good.yaml, time and memory bounds).

// A chart repository that accepts the connection and never answers: the
// download stops at the run's deadline (--timeout), the release is one
// helm-remote-chart finding saying so, and the other findings survive.
func TestAttackFetchHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := attackRepo(t, map[string]string{
		"argo.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n    repoURL: " + srv.URL +
			"\n    chart: web\n    targetRevision: 1.0.0\n---\n" + goodManifest,
	})
	r := runAttack(t, dir, 10*time.Second, 300, "--timeout", "3s", "--workers", "2", "--fetch-charts", ".")
	if r.elapsed < 3*time.Second {
		t.Errorf("ended in %v, before the deadline: the hang was not reached", r.elapsed)
	}
	fs := r.find("helm-remote-chart")
	if len(fs) != 1 || fs[0].Line != 8 || !strings.Contains(fs[0].Message, "timed out") || !strings.Contains(fs[0].Message, "--timeout 3s") {
		t.Errorf("want one helm-remote-chart on argo.yaml:8 saying the download timed out\n%s", r.describe())
	}
	if !r.has("argo.yaml", 11, "api-removed") {
		t.Errorf("the PDB beside the Application is lost\n%s", r.describe())
	}
}

// storedSecret is a Helm release Secret as `kubectl get secrets -o yaml`
// dumps it: data.release is base64(base64(payload)).
func storedSecret(name string, payload []byte) string {
	inner := base64.StdEncoding.EncodeToString(payload)
	return "  - apiVersion: v1\n    kind: Secret\n    type: helm.sh/release.v1\n    metadata:\n      name: sh.helm.release.v1." + name + ".v1\n      namespace: apps\n      labels: {owner: helm, name: " + name + ", status: deployed, version: \"1\"}\n    data:\n      release: " + base64.StdEncoding.EncodeToString([]byte(inner)) + "\n"
}

func gzipped(t *testing.T, write func(w io.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	write(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A releases dump holding a gzip bomb (256 MiB of zeros in a few hundred
// KB), a huge record that is not a release, and one honest release whose
// stored manifest has a PodSecurityPolicy: the bomb and the junk are one
// warning each, decoded within the budget, and the honest release is
// reported.
func TestAttackStoredReleasesDump(t *testing.T) {
	bomb := gzipped(t, func(w io.Writer) {
		zero := make([]byte, 1<<20)
		for i := 0; i < 256; i++ {
			_, _ = w.Write(zero)
		}
	})
	honest := gzipped(t, func(w io.Writer) {
		_, _ = io.WriteString(w, `{"name":"honest","namespace":"apps","version":1,"info":{"status":"deployed"},"manifest":"---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: honest\n"}`)
	})
	junk := make([]byte, 3<<19) // 1.5 MiB: more than a Secret can hold
	_, _ = rand.Read(junk)
	dump := "apiVersion: v1\nkind: List\nitems:\n" + storedSecret("bomb", bomb) + storedSecret("junk", junk) + storedSecret("honest", honest)
	dir := attackRepo(t, map[string]string{"releases.yaml": dump})
	r := runAttack(t, dir, 20*time.Second, 500, "releases.yaml", "good.yaml")
	var warned []string
	for _, f := range r.find("helm-stored-release") {
		warned = append(warned, f.Message)
	}
	all := strings.Join(warned, "\n")
	for _, says := range []string{"bomb.v1 could not be decoded (it decompresses to more than the 32 MiB budget)", "junk.v1 could not be decoded", "honest"} {
		if !strings.Contains(all, says) {
			t.Errorf("no helm-stored-release saying %q:\n%s", says, r.describe())
		}
	}
	if len(warned) != 3 {
		t.Errorf("%d helm-stored-release findings, want 3\n%s", len(warned), r.describe())
	}
}

// A GitOps Application whose chart path or values files point outside the
// repository (../../, an absolute path, a symbolic link out, the process's
// environment) renders nothing from there and reads no such file: one note
// each, no secret in any output.
func TestAttackGitOpsPathsOutside(t *testing.T) {
	outside := t.TempDir()
	testfs.WriteFiles(t, outside, map[string]string{
		"chart/Chart.yaml":          fmt.Sprintf(chartYAML, "outside"),
		"chart/templates/leak.yaml": "{{ fail \"" + secret + "\" }}\n",
		"secret-values.yaml":        "leak: " + secret + "\n",
	})
	app := func(name, path, valueFile string) string {
		s := "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\nspec:\n  source:\n    repoURL: https://example.com/repo.git\n    path: " + path + "\n"
		if valueFile != "" {
			s += "    helm:\n      valueFiles: [" + valueFile + "]\n"
		}
		return s + "---\n"
	}
	apps := app("up", "../../", "") + app("abs", "/etc", "") + app("linked", "charts/link", "") +
		app("env", "charts/printer", "/proc/self/environ") + app("up-values", "charts/printer", "../../../../../../../../etc/passwd") +
		app("linked-values", "charts/printer", "values-link.yaml")
	dir := attackRepo(t, map[string]string{
		"apps.yaml":                          apps,
		"charts/printer/Chart.yaml":          fmt.Sprintf(chartYAML, "printer"),
		"charts/printer/templates/leak.yaml": "{{ fail (toJson .Values) }}\n",
	})
	if err := os.Symlink(filepath.Join(outside, "chart"), filepath.Join(dir, "charts", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret-values.yaml"), filepath.Join(dir, "charts", "printer", "values-link.yaml")); err != nil {
		t.Fatal(err)
	}
	r := runAttack(t, dir, 20*time.Second, 400, ".")
	t.Log(r.describe())
	if why := r.skipped["apps.yaml"]; why == "" {
		t.Errorf("no note on apps.yaml\n%s", r.describe())
	}
	notes := 0
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "inside the repository") {
			notes++
		}
	}
	if notes < 5 {
		t.Errorf("%d notes saying a path is not inside the repository, want 5 or more (../../, /etc, the link, /proc/self/environ, the values path up, the values link)\n%s", notes, r.stdout)
	}
}

// A helmfile with 10,000 releases (local charts with values, remote charts)
// is bounded: at most 16 local renders, one limit-exceeded, one note per
// remote chart, within time and memory.
func TestAttackHelmfileManyReleases(t *testing.T) {
	var b strings.Builder
	b.WriteString("releases:\n")
	for i := 0; i < 10000; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - name: local-%d\n    chart: ./chart\n    values:\n      - n: %d\n", i, i)
		} else {
			fmt.Fprintf(&b, "  - name: remote-%d\n    chart: example/remote-%d\n    version: 1.0.%d\n", i, i, i)
		}
	}
	dir := attackRepo(t, map[string]string{
		"helmfile.yaml":           b.String(),
		"chart/Chart.yaml":        fmt.Sprintf(chartYAML, "local"),
		"chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{{ .Values.n }}\n",
	})
	r := runAttack(t, dir, 60*time.Second, 600, ".")
	if n := len(r.find("limit-exceeded")); n != 1 {
		t.Errorf("%d limit-exceeded findings, want 1\n%s", n, r.stderr)
	}
	// the loop stops at the limit: the remote charts after it are covered
	// by the limit-exceeded finding, not listed one by one
	if n := len(r.find("helm-remote-chart")); n == 0 || n > 17 {
		t.Errorf("%d helm-remote-chart findings, want 1 to 17", n)
	}
}

// An Argo CD ApplicationSet whose generator lists 10,000 elements: its
// template is one release, read once; the run stays bounded.
func TestAttackApplicationSetMany(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: many\nspec:\n  generators:\n    - list:\n        elements:\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "          - name: app-%d\n            path: charts/web\n", i)
	}
	b.WriteString("  template:\n    metadata:\n      name: '{{name}}'\n    spec:\n      project: default\n      source:\n        repoURL: https://example.com/repo.git\n        path: '{{path}}'\n        helm:\n          valuesObject:\n            ingress:\n              enabled: true\n      destination:\n        server: https://kubernetes.default.svc\n")
	dir := attackRepo(t, map[string]string{
		"appset.yaml":                  b.String(),
		"charts/web/Chart.yaml":        fmt.Sprintf(chartYAML, "web"),
		"charts/web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	r := runAttack(t, dir, 30*time.Second, 500, ".")
	if len(r.findings) > 50 {
		t.Errorf("%d findings from one ApplicationSet\n%s", len(r.findings), r.describe())
	}
}
