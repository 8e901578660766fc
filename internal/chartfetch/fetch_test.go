package chartfetch

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/registry"
)

// The cache follows XDG_CACHE_HOME (os.UserCacheDir).
func TestDirHonoursXDG(t *testing.T) {
	d := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", d)
	got, err := Dir()
	if err != nil || got != filepath.Join(d, "kubeready", "charts") {
		t.Errorf("Dir() = %q, %v", got, err)
	}
}

func packaged(t *testing.T, name, version string) []byte {
	t.Helper()
	c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version},
		Templates: []*common.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")}}}
	p, err := chartutil.Save(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// An OCI reference pinned by digest is pulled only when the manifest is
// that one; an unpinned one is checked by the registry client against its
// manifest. Both go through Helm's registry client, anonymously.
func TestOCIDigest(t *testing.T) {
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "none.json")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Push(packaged(t, "app", "0.1.0"), u.Host+"/charts/app:0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}
	src := Source{Repo: "oci://" + u.Host + "/charts", OCI: true, Chart: "app", Version: "0.1.0", Digest: res.Manifest.Digest}
	dir, err := f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "templates", "cm.yaml")); err != nil {
		t.Errorf("not unpacked: %v", err)
	}
	src.Digest = "sha256:" + strings.Repeat("1", 64)
	if _, err := f.Fetch(context.Background(), src); err == nil {
		t.Error("a wrong pinned digest was accepted")
	}
	// a name with a path in it is not a chart name
	if _, err := f.Fetch(context.Background(), Source{Repo: src.Repo, OCI: true, Chart: "../x", Version: "0.1.0"}); err == nil || !strings.Contains(err.Error(), "not a chart name") {
		t.Errorf("chart ../x: %v", err)
	}
}

// A repository that never answers is left when the caller's context ends
// (the run's --timeout), not at the per-request timeout: the SDK's getters
// make their requests under context.Background(), so the transport closes
// its connections itself.
func TestFetchStopsWithContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	u, _ := url.Parse(srv.URL)
	f := &Fetcher{CacheDir: t.TempDir(), PlainHTTP: true}
	for _, src := range []Source{
		{Repo: srv.URL, Chart: "web", Version: "1.0.0"},
		{Repo: "oci://" + u.Host + "/charts", OCI: true, Chart: "web", Version: "1.0.0"},
	} {
		ctx, cancel := context.WithTimeoutCause(context.Background(), 300*time.Millisecond, errors.New("--timeout 300ms reached"))
		start := time.Now()
		_, err := f.Fetch(ctx, src)
		cancel()
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%s: took %v after a 300ms deadline", src, el)
		}
		if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "--timeout 300ms") {
			t.Errorf("%s: %v, want the download timed out", src, err)
		}
	}
}
