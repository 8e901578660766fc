package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/registry"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/chartfetch"
	"github.com/kubeready/kubeready/internal/testfs"
	"github.com/kubeready/kubeready/scan"
)

// Remote GitOps charts (--fetch-charts), against a chart repository and an
// OCI registry the test serves on 127.0.0.1: no external network.

// testChart packages a chart with the Helm SDK (chartutil.Save) and
// returns the archive.
func testChart(t *testing.T, name, version, appVersion, values string, templates map[string]string) []byte {
	t.Helper()
	c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version, AppVersion: appVersion, Type: "application"}}
	c.Raw = append(c.Raw, &common.File{Name: "values.yaml", Data: []byte(values)})
	vals, err := common.ReadValues([]byte(values))
	if err != nil {
		t.Fatal(err)
	}
	c.Values = vals
	for n, text := range templates {
		c.Templates = append(c.Templates, &common.File{Name: "templates/" + n, Data: []byte(text)})
	}
	dir := t.TempDir()
	p, err := chartutil.Save(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// webChart always renders a policy/v1beta1 PDB (the defaults give it) and
// an extensions/v1beta1 Ingress only when ingress.enabled.
func webChart(t *testing.T) []byte {
	return testChart(t, "web", "1.0.0", "1.0.0", "ingress:\n  enabled: false\n", map[string]string{
		"pdb.yaml":     "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
		"ingress.yaml": "{{- if .Values.ingress.enabled }}\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  backend:\n    serviceName: web\n    servicePort: 80\n{{- end }}\n",
	})
}

// albChart is the AWS Load Balancer Controller's chart at 1.4.6 (app
// v2.4.5), reduced to the Deployment and its enableEndpointSlices flag as
// eks-charts renders it.
func albChart(t *testing.T) []byte {
	return testChart(t, "aws-load-balancer-controller", "1.4.6", "v2.4.5", "enableEndpointSlices:\n", map[string]string{
		"deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels:
      app: alb
  template:
    metadata:
      labels:
        app: alb
    spec:
      containers:
        - name: controller
          image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-load-balancer-controller:{{ .Chart.AppVersion }}
          args:
            - --cluster-name=demo
          {{- if kindIs "bool" .Values.enableEndpointSlices }}
            - --enable-endpoint-slices={{ .Values.enableEndpointSlices }}
          {{- end }}
`,
	})
}

// chartRepo serves index.yaml and the archives; requests counts what it
// was asked.
type chartRepo struct {
	srv      *httptest.Server
	requests atomic.Int64
	files    map[string][]byte
}

// newChartRepo serves archives (file name → data) with an index built by
// repo.IndexFile; digests overrides an entry's digest (a tampered archive).
func newChartRepo(t *testing.T, archives map[string][]byte, digests map[string]string) *chartRepo {
	t.Helper()
	r := &chartRepo{files: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		data, ok := r.files[strings.TrimPrefix(req.URL.Path, "/")]
		if !ok {
			http.NotFound(w, req)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(r.srv.Close)
	idx := repo.NewIndexFile()
	dir := t.TempDir()
	for name, data := range archives {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r.files[name] = data
	}
	got, err := repo.IndexDirectory(dir, r.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	idx.Merge(got)
	for name, vs := range idx.Entries {
		for _, v := range vs {
			if d, ok := digests[name]; ok {
				v.Digest = d
			}
		}
	}
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r.files["index.yaml"] = data
	return r
}

// newOCIRegistry starts go-containerregistry's in-process registry and
// pushes the archives with Helm's registry client (plain HTTP); it returns
// host:port and the manifest digests by chart name.
func newOCIRegistry(t *testing.T, requests *atomic.Int64, archives ...[]byte) (string, map[string]string) {
	t.Helper()
	reg := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		reg.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "none.json")))
	if err != nil {
		t.Fatal(err)
	}
	digests := map[string]string{}
	for _, data := range archives {
		ch, err := scanArchiveMeta(data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Push(data, fmt.Sprintf("%s/charts/%s:%s", u.Host, ch.Name, ch.Version))
		if err != nil {
			t.Fatal(err)
		}
		digests[ch.Name] = res.Manifest.Digest
	}
	requests.Store(0)
	return u.Host, digests
}

// scanArchiveMeta reads an archive's Chart.yaml.
func scanArchiveMeta(data []byte) (*chart.Metadata, error) {
	dir, err := os.MkdirTemp("", "meta")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "c.tgz")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return nil, err
	}
	cv, err := repo.IndexDirectory(dir, "http://x")
	if err != nil {
		return nil, err
	}
	for _, vs := range cv.Entries {
		return vs[0].Metadata, nil
	}
	return nil, fmt.Errorf("no chart")
}

// gitRepo makes dir a git work tree (the repository root GitOps paths and
// the HelmRepository lookup start from).
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Skipf("git init: %v %s", err, out)
	}
}

func remoteEngine(fetch bool, f *chartfetch.Fetcher) *Engine {
	env := checks.Env{Target: checks.MustVersion("1.25"), Platform: checks.PlatformEKS}
	return New(Config{Env: env, Workers: 1, Limits: DefaultLimits, Render: Render{FetchCharts: fetch, Fetcher: f}})
}

func scanDir(t *testing.T, e *Engine, dir string) []checks.Finding {
	t.Helper()
	d := scan.Discover([]string{dir})
	return e.Scan(context.Background(), d.Inputs).Findings
}

func describe(fs []checks.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d %s %s %s: %s\n", filepath.Base(f.File), f.Line, f.Rule, f.Severity, f.Kind, f.Message)
	}
	return b.String()
}

// find returns the findings of rule on file:line.
func find(fs []checks.Finding, file string, line int, rule string) []checks.Finding {
	var out []checks.Finding
	for _, f := range fs {
		if filepath.Base(f.File) == file && f.Line == line && f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestFetchCharts(t *testing.T) {
	web, alb := webChart(t), albChart(t)
	repoSrv := newChartRepo(t, map[string][]byte{"web-1.0.0.tgz": web, "aws-load-balancer-controller-1.4.6.tgz": alb}, nil)
	var ociRequests atomic.Int64
	host, _ := newOCIRegistry(t, &ociRequests, web)

	dir := t.TempDir()
	gitRepo(t, dir)
	testfs.WriteFiles(t, dir, map[string]string{
		// line 9: targetRevision; 12: ingress; 13: enabled: true
		"argo.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  source:
    repoURL: ` + repoSrv.srv.URL + `
    chart: web
    targetRevision: 1.0.0
    helm:
      valuesObject:
        ingress:
          enabled: true
`,
		// HelmRepository in another file, found by name
		"flux/repo.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: internal\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://" + host + "/charts\n",
		// line 11: version; 16: enabled: true
		"flux/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: flux-system
spec:
  interval: 10m
  chart:
    spec:
      chart: web
      version: 1.0.0
      sourceRef:
        kind: HelmRepository
        name: internal
  values:
    ingress:
      enabled: true
`,
		// web: 7 chart, 8 version, 10 values map, 11 ingress, 12 enabled; alb: 13 version, 15 values, 16 enableEndpointSlices
		"helmfile.yaml": `repositories:
  - name: example
    url: ` + repoSrv.srv.URL + `
releases:
  - name: web
    chart: example/web
    version: 1.0.0
    values:
      - ingress:
          enabled: true
  - name: alb
    chart: example/aws-load-balancer-controller
    version: 1.4.6
    values:
      - clusterName: demo
        enableEndpointSlices: true
`,
		// 9: targetRevision; 12: enableEndpointSlices: true
		"alb.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: alb
spec:
  source:
    repoURL: ` + repoSrv.srv.URL + `
    chart: aws-load-balancer-controller
    targetRevision: 1.4.6
    helm:
      valuesObject:
        enableEndpointSlices: true
        clusterName: demo
`,
	})

	// Without --fetch-charts nothing is asked of the network, and each
	// remote release is one helm-remote-chart.
	off := scanDir(t, remoteEngine(false, &chartfetch.Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}), dir)
	if n := repoSrv.requests.Load() + ociRequests.Load(); n != 0 {
		t.Fatalf("%d requests without --fetch-charts", n)
	}
	remoteNotes := 0
	for _, f := range off {
		if f.Rule == checks.HelmRemoteChart.ID {
			remoteNotes++
			if !strings.Contains(f.Message, "--fetch-charts") {
				t.Errorf("the note does not name the switch: %s", f.Message)
			}
		}
	}
	if remoteNotes != 5 {
		t.Errorf("%d helm-remote-chart findings without --fetch-charts, want 5:\n%s", remoteNotes, describe(off))
	}

	cache := t.TempDir()
	fetcher := &chartfetch.Fetcher{CacheDir: cache, PlainHTTP: true}
	got := scanDir(t, remoteEngine(true, fetcher), dir)
	all := describe(got)
	t.Log(all)
	if strings.Contains(all, cache) {
		t.Errorf("a finding names the cache directory:\n%s", all)
	}
	for _, w := range []struct {
		file       string
		line       int
		rule, kind string
		says       string
	}{
		{"argo.yaml", 9, "api-removed", "PodDisruptionBudget", "templates/pdb.yaml"},   // the defaults give it: the version line
		{"argo.yaml", 13, "api-removed", "Ingress", "Values: Argo CD Application web"}, // the value that turns it on
		{"release.yaml", 11, "api-removed", "PodDisruptionBudget", "chart web 1.0.0 from oci://"},
		{"release.yaml", 17, "api-removed", "Ingress", "Values: Flux HelmRelease web"},
		{"helmfile.yaml", 7, "api-removed", "PodDisruptionBudget", "templates/pdb.yaml"},
		{"helmfile.yaml", 10, "api-removed", "Ingress", "helmfile release web"},
		{"helmfile.yaml", 16, "eks-alb-endpointslices", "Deployment", "chart 1.4.8+ / app v2.4.7+"},
		{"alb.yaml", 12, "eks-alb-endpointslices", "Application", "chart 1.4.8+ / app v2.4.7+"},
	} {
		fs := find(got, w.file, w.line, w.rule)
		if len(fs) != 1 || fs[0].Kind != w.kind || !strings.Contains(fs[0].Message, w.says) {
			t.Errorf("%s:%d %s: got %d findings, want one %s saying %q:\n%s", w.file, w.line, w.rule, len(fs), w.kind, w.says, all)
		}
	}
	// One finding per problem: the ALB Application's version+value rule and
	// the render of its chart say the same, once.
	n := 0
	for _, f := range got {
		if f.Rule == "eks-alb-endpointslices" && filepath.Base(f.File) == "alb.yaml" {
			n++
		}
		if f.Rule == checks.HelmRemoteChart.ID {
			t.Errorf("with --fetch-charts: %s:%d %s", f.File, f.Line, f.Message)
		}
	}
	if n != 1 {
		t.Errorf("%d eks-alb-endpointslices findings on alb.yaml, want 1:\n%s", n, all)
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "*.tgz"))
	if len(entries) != 2 {
		t.Errorf("cache holds %d archives, want 2 (web, the ALB chart; web from OCI is the same archive)", len(entries))
	}
	for _, p := range entries {
		data, _ := os.ReadFile(p)
		sum := sha256.Sum256(data)
		if filepath.Base(p) != hex.EncodeToString(sum[:])+".tgz" {
			t.Errorf("cache entry %s is not named by its SHA-256", filepath.Base(p))
		}
	}

	// The second run reads the cache: no request.
	repoSrv.requests.Store(0)
	ociRequests.Store(0)
	again := scanDir(t, remoteEngine(true, fetcher), dir)
	if n := repoSrv.requests.Load() + ociRequests.Load(); n != 0 {
		t.Errorf("the second run made %d requests", n)
	}
	if describe(again) != all {
		t.Errorf("the second run differs:\n%s\nwant\n%s", describe(again), all)
	}
}

// A chart whose archive does not match its index entry's digest, and one
// over the download budget, are refused: one finding each, nothing cached.
func TestFetchChartsRefused(t *testing.T) {
	web := webChart(t)
	big := make([]byte, 64<<10)
	_, _ = rand.Read(big)
	huge := testChart(t, "huge", "2.0.0", "2.0.0", "blob: "+hex.EncodeToString(big)+"\n", map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
	repoSrv := newChartRepo(t, map[string][]byte{"web-1.0.0.tgz": web, "huge-2.0.0.tgz": huge}, map[string]string{"web": "sha256:" + strings.Repeat("0", 64)})
	dir := t.TempDir()
	gitRepo(t, dir)
	app := func(name, chartName, version string) string {
		return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\nspec:\n  source:\n    repoURL: " + repoSrv.srv.URL + "\n    chart: " + chartName + "\n    targetRevision: " + version + "\n"
	}
	testfs.WriteFiles(t, dir, map[string]string{
		"tampered.yaml": app("tampered", "web", "1.0.0"),
		"huge.yaml":     app("huge", "huge", "2.0.0"),
		"range.yaml":    app("range", "web", "1.x"),
	})
	cache := t.TempDir()
	got := scanDir(t, remoteEngine(true, &chartfetch.Fetcher{CacheDir: cache, MaxChart: 32 << 10}), dir)
	all := describe(got)
	for _, w := range []struct{ file, says string }{
		{"tampered.yaml", "does not match the digest its repository index gives"},
		{"huge.yaml", "over the download budget of 32.0 KiB"},
		{"range.yaml", "not a pinned chart version"},
	} {
		var fs []checks.Finding
		for _, f := range got {
			if filepath.Base(f.File) == w.file {
				fs = append(fs, f)
			}
		}
		if len(fs) != 1 || fs[0].Rule != checks.HelmRemoteChart.ID || fs[0].Severity != checks.Warning || !strings.Contains(fs[0].Message, w.says) || fs[0].Line != 8 {
			t.Errorf("%s: want one helm-remote-chart warning on the chart line saying %q:\n%s", w.file, w.says, all)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(cache, "*.tgz")); len(entries) != 0 {
		t.Errorf("refused archives were cached: %v", entries)
	}
}

// Pinned OCI digests in GitOps files reach the fetcher: an Argo CD
// targetRevision that is a digest, a helmfile version@sha256:…; the pull
// is kept only when the manifest is that one.
func TestFetchChartsDigest(t *testing.T) {
	var requests atomic.Int64
	host, digests := newOCIRegistry(t, &requests, webChart(t))
	good, wrong := digests["web"], "sha256:"+strings.Repeat("1", 64)
	dir := t.TempDir()
	gitRepo(t, dir)
	app := func(name, rev string) string {
		return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\nspec:\n  source:\n    repoURL: " + host + "/charts\n    chart: web\n    targetRevision: " + rev + "\n"
	}
	helmfile := func(version string) string {
		return "releases:\n  - name: web\n    chart: oci://" + host + "/charts/web\n    version: " + version + "\n"
	}
	testfs.WriteFiles(t, dir, map[string]string{
		"argo-digest.yaml":       app("digest", good),
		"argo-wrong.yaml":        app("wrong", wrong),
		"helmfile.yaml":          helmfile("1.0.0@" + good),
		"helmfile.d/wrong.yaml":  helmfile("1.0.0@" + wrong),
		"helmfile.d/notsha.yaml": helmfile("1.0.0@sha256:abc"),
	})
	got := scanDir(t, remoteEngine(true, &chartfetch.Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}), dir)
	all := describe(got)
	t.Log(all)
	for _, w := range []struct {
		file       string
		line       int
		rule, says string
	}{
		{"argo-digest.yaml", 9, "api-removed", "chart web " + good + " from"},
		{"helmfile.yaml", 4, "api-removed", "chart web 1.0.0@" + good},
		{"argo-wrong.yaml", 8, checks.HelmRemoteChart.ID, wrong},
		{"wrong.yaml", 3, checks.HelmRemoteChart.ID, wrong},
		{"notsha.yaml", 3, checks.HelmRemoteChart.ID, "not a sha256 manifest digest"},
	} {
		fs := find(got, w.file, w.line, w.rule)
		if len(fs) != 1 || !strings.Contains(fs[0].Message, w.says) {
			t.Errorf("%s:%d: want one %s saying %q:\n%s", w.file, w.line, w.rule, w.says, all)
		}
	}
	for _, f := range got {
		if f.Rule == "api-removed" && strings.Contains(f.File, "wrong") {
			t.Errorf("a chart with the wrong digest was rendered: %s:%d %s", f.File, f.Line, f.Message)
		}
	}
}

// A Flux HelmRelease's chartRef: an OCIRepository (tag, digest; a semver
// range is no pin) or a HelmChart (its HelmRepository), found among the
// repository's files, pulled with --fetch-charts and rendered; without it,
// one helm-remote-chart each.
func TestFetchChartsFluxChartRef(t *testing.T) {
	var requests atomic.Int64
	host, digests := newOCIRegistry(t, &requests, webChart(t))
	dir := t.TempDir()
	gitRepo(t, dir)
	rel := func(name, kind, ref string) string {
		// line 8: chartRef's kind; 12: enabled
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n  chartRef:\n    kind: " + kind + "\n    name: " + ref + "\n  values:\n    ingress:\n      enabled: true\n"
	}
	ocirepo := func(name, ref string) string {
		return "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n  url: oci://" + host + "/charts/web\n  ref:\n    " + ref + "\n---\n"
	}
	testfs.WriteFiles(t, dir, map[string]string{
		"sources.yaml": ocirepo("by-tag", "tag: 1.0.0") + ocirepo("by-digest", "digest: "+digests["web"]) + ocirepo("by-range", "semver: '>=1.0.0'") +
			"apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: web-chart\n  namespace: apps\nspec:\n  chart: web\n  version: 1.0.0\n  sourceRef:\n    kind: HelmRepository\n    name: oci\n---\n" +
			"apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: oci\n  namespace: apps\nspec:\n  type: oci\n  url: oci://" + host + "/charts\n",
		"tag.yaml":     rel("tag", "OCIRepository", "by-tag"),
		"digest.yaml":  rel("digest", "OCIRepository", "by-digest"),
		"range.yaml":   rel("range", "OCIRepository", "by-range"),
		"chart.yaml":   rel("chart", "HelmChart", "web-chart"),
		"missing.yaml": rel("missing", "OCIRepository", "nowhere"),
	})
	off := scanDir(t, remoteEngine(false, &chartfetch.Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}), dir)
	if n := len(off); n != 5 || requests.Load() != 0 {
		t.Errorf("without --fetch-charts: %d findings (want 5 helm-remote-chart), %d requests:\n%s", n, requests.Load(), describe(off))
	}
	got := scanDir(t, remoteEngine(true, &chartfetch.Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}), dir)
	all := describe(got)
	t.Log(all)
	for _, w := range []struct {
		file       string
		line       int
		rule, says string
	}{
		{"tag.yaml", 8, "api-removed", "PodDisruptionBudget"},
		{"tag.yaml", 12, "api-removed", "Values: Flux HelmRelease tag"},
		{"digest.yaml", 8, "api-removed", digests["web"]},
		{"chart.yaml", 8, "api-removed", "chart web 1.0.0 from oci://"},
		{"range.yaml", 8, checks.HelmRemoteChart.ID, "pins no tag or digest"},
		{"missing.yaml", 8, checks.HelmRemoteChart.ID, "is not among the repository's files"},
	} {
		fs := find(got, w.file, w.line, w.rule)
		if len(fs) != 1 || !strings.Contains(fs[0].Message, w.says) {
			t.Errorf("%s:%d: want one %s saying %q:\n%s", w.file, w.line, w.rule, w.says, all)
		}
	}
}
