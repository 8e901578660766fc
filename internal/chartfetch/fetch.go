// Package chartfetch downloads the remote Helm charts GitOps files declare
// (--fetch-charts): from an HTTP chart repository (its index.yaml, then the
// archive it names) or an OCI registry, through the Helm 4 SDK's own
// downloaders (pkg/getter, pkg/repo/v1, pkg/registry), at the pinned version
// only. Everything that comes over the network is hostile input:
//   - each download is bounded in bytes on the wire (MaxChartDownload for a
//     chart, MaxIndexDownload for an index) by the connection itself, and in
//     time (Timeout per request);
//   - an archive is kept only when its SHA-256 matches the digest the source
//     gives (the index entry's digest; an OCI reference pinned @sha256:),
//     and the OCI client checks every blob against its manifest;
//   - no credentials are sent: the registry client is anonymous and the HTTP
//     getter has none;
//   - the archive is unpacked through Helm's archive reader (its path checks
//     and decompression budget, which scan sets to the chart budget) into
//     the cache, and the directory is then loaded like any chart
//     (scan.LoadChart: budgets, no links out, child-process rendering).
//
// Archives are cached as <cache>/<sha256>.tgz and unpacked beside them
// (<cache>/<sha256>/); refs/ maps a source (repository, chart, version) to
// its archive, so a second run asks the network nothing.
package chartfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubeready/kubeready/internal/paths"
	"github.com/kubeready/kubeready/scan"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/registry"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// Budgets, documented in `kubeready explain helm-remote-chart` and the
// README.
const (
	// MaxChartDownload bounds what one chart's download reads from the
	// network (for OCI: manifest, config and layer together).
	MaxChartDownload int64 = 32 << 20
	// MaxIndexDownload bounds one repository's index.yaml.
	MaxIndexDownload int64 = 32 << 20
	// DefaultTimeout bounds one request (connection, headers and body).
	DefaultTimeout = 60 * time.Second
)

// Source is a remote chart at a pinned version.
type Source struct {
	// Repo is the repository: an http(s) URL of a chart repository, or an
	// OCI registry path (oci://host/path or host/path when OCI is set).
	Repo string
	// OCI says Repo is an OCI registry.
	OCI bool
	// Chart is the chart's name in the repository; Version its exact
	// version.
	Chart, Version string
	// Digest, when the source pins one (sha256:...), is the OCI manifest's.
	Digest string
}

// String names the source in messages: "chart web 1.2.3 from
// https://charts.example.com".
func (s Source) String() string {
	v := s.Version
	if s.Digest != "" {
		v = strings.TrimPrefix(v+"@"+s.Digest, "@")
	}
	return fmt.Sprintf("chart %s %s from %s", s.Chart, v, s.Repo)
}

// Fetcher downloads charts into a cache directory.
type Fetcher struct {
	// CacheDir holds the archives; Dir() when empty.
	CacheDir string
	// MaxChart and MaxIndex are the download budgets (the constants when 0).
	MaxChart, MaxIndex int64
	// Timeout bounds one request (DefaultTimeout when 0).
	Timeout time.Duration
	// PlainHTTP talks to OCI registries over plain HTTP (tests only).
	PlainHTTP bool
}

// Dir is the default cache directory: the user cache directory
// (XDG_CACHE_HOME, else ~/.cache on Linux)/kubeready/charts.
func Dir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "kubeready", "charts"), nil
}

// Error is a refused or failed download; Msg never names the cache
// directory.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refuse(format string, a ...any) error { return &Error{fmt.Sprintf(format, a...)} }

// exactVersion is a pinned chart version (SemVer 2, a leading v allowed),
// not a range.
// ociDigest is a manifest digest a GitOps file pins.
var ociDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

var exactVersion = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// Fetch returns the directory of the unpacked chart, downloading it when the
// cache does not hold it.
func (f *Fetcher) Fetch(ctx context.Context, s Source) (dir string, err error) {
	if s.Digest != "" && !ociDigest.MatchString(s.Digest) {
		return "", refuse("digest %q is not a sha256 manifest digest: not downloaded", s.Digest)
	}
	if s.Digest != "" && !s.OCI {
		return "", refuse("a digest pins an OCI manifest, and %s is not an OCI registry: not downloaded", s.Repo)
	}
	// An OCI chart pinned by its manifest digest alone needs no version.
	if !exactVersion.MatchString(s.Version) && (s.Version != "" || s.Digest == "") {
		return "", refuse("version %q is not a pinned chart version (a range or none): not downloaded", s.Version)
	}
	if s.Chart == "" || strings.ContainsAny(s.Chart, "/\\@:") || s.Chart == "." || s.Chart == ".." {
		return "", refuse("chart name %q is not a chart name: not downloaded", s.Chart)
	}
	cache := f.CacheDir
	if cache == "" {
		if cache, err = Dir(); err != nil {
			return "", refuse("no user cache directory: %v", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(cache, "refs"), 0o755); err != nil {
		return "", refuse("cannot create the chart cache: %v", unwrapPath(err))
	}
	ref := filepath.Join(cache, "refs", keyOf(s))
	if sum, err := os.ReadFile(ref); err == nil {
		if dir, err := unpacked(cache, strings.TrimSpace(string(sum))); err == nil {
			return dir, nil
		}
	}
	if ctx.Err() != nil {
		return "", stopped(ctx)
	}
	var data []byte
	if s.OCI {
		data, err = f.pullOCI(ctx, s)
	} else {
		data, err = f.pullHTTP(ctx, s)
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", stopped(ctx)
		}
		return "", err
	}
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if err := writeAtomic(filepath.Join(cache, hexSum+".tgz"), data); err != nil {
		return "", refuse("cannot write the chart cache: %v", unwrapPath(err))
	}
	dir, err = unpacked(cache, hexSum)
	if err != nil {
		return "", err
	}
	if err := writeAtomic(ref, []byte(hexSum+"\n")); err != nil {
		return "", refuse("cannot write the chart cache: %v", unwrapPath(err))
	}
	return dir, nil
}

// stopped is the error of a download the run's context ended (--timeout).
func stopped(ctx context.Context) error {
	return refuse("the download timed out: stopped at the run's deadline (%v)", context.Cause(ctx))
}

// keyOf names a source in refs/.
func keyOf(s Source) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%t\x00%s\x00%s\x00%s\x00%s", s.OCI, strings.TrimSuffix(s.Repo, "/"), s.Chart, s.Version, s.Digest)))
	return hex.EncodeToString(h[:])
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

// unpacked returns <cache>/<sum>/, unpacking <cache>/<sum>.tgz first when
// needed; the archive must hash to sum.
func unpacked(cache, sum string) (string, error) {
	if !hexSHA.MatchString(sum) {
		return "", refuse("bad cache entry")
	}
	dir := filepath.Join(cache, sum)
	if st, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err == nil && st.Mode().IsRegular() {
		return dir, nil
	}
	data, err := os.ReadFile(filepath.Join(cache, sum+".tgz"))
	if err != nil {
		return "", refuse("cache entry missing")
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
		return "", refuse("cache entry corrupt")
	}
	files, err := archive.LoadArchiveFiles(bytes.NewReader(data))
	if err != nil {
		return "", refuse("the chart archive is refused: %v", err)
	}
	tmp, err := os.MkdirTemp(cache, ".unpack-")
	if err != nil {
		return "", refuse("cannot unpack into the chart cache: %v", unwrapPath(err))
	}
	defer os.RemoveAll(tmp)
	var total int64
	for _, fl := range files {
		if int64(len(fl.Data)) > scan.MaxChartFileSize {
			return "", refuse("the chart archive holds %s, over the budget of %s for one chart file", fl.Name, scan.FormatSize(scan.MaxChartFileSize))
		}
		total += int64(len(fl.Data))
		if total > scan.MaxChartSize {
			return "", refuse("the chart archive unpacks to more than the budget of %s for one chart", scan.FormatSize(scan.MaxChartSize))
		}
		name := path.Clean(fl.Name)
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return "", refuse("the chart archive holds a path outside the chart: %q", fl.Name)
		}
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if !paths.Within(p, tmp) {
			return "", refuse("the chart archive holds a path outside the chart: %q", fl.Name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", refuse("the chart archive cannot be unpacked (%s): %v", fl.Name, unwrapPath(err))
		}
		if err := os.WriteFile(p, fl.Data, 0o644); err != nil {
			return "", refuse("the chart archive cannot be unpacked (%s): %v", fl.Name, unwrapPath(err))
		}
	}
	if st, err := os.Stat(filepath.Join(tmp, "Chart.yaml")); err != nil || !st.Mode().IsRegular() {
		return "", refuse("the chart archive holds no Chart.yaml")
	}
	if err := os.Rename(tmp, dir); err != nil {
		if st, err2 := os.Stat(filepath.Join(dir, "Chart.yaml")); err2 == nil && st.Mode().IsRegular() {
			return dir, nil // another worker or run unpacked it first
		}
		// a directory left without its Chart.yaml (renames are atomic, so
		// not by kubeready): replace it once
		_ = os.RemoveAll(dir)
		if err := os.Rename(tmp, dir); err != nil {
			return "", refuse("cannot unpack into the chart cache: %v", unwrapPath(err))
		}
	}
	return dir, nil
}

// pullHTTP reads the repository's index.yaml, finds the chart version and
// downloads its archive, checked against the entry's digest.
func (f *Fetcher) pullHTTP(ctx context.Context, s Source) ([]byte, error) {
	u := strings.TrimSuffix(s.Repo, "/")
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return nil, refuse("repository %s is neither http(s) nor OCI: not downloaded", s.Repo)
	}
	idxData, err := f.get(ctx, u+"/index.yaml", u, f.maxIndex(), "the repository index")
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "kubeready-index-*.yaml")
	if err != nil {
		return nil, refuse("cannot read the repository index: %v", unwrapPath(err))
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(idxData)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, refuse("cannot read the repository index: %v", unwrapPath(err))
	}
	idx, err := repo.LoadIndexFile(tmp.Name())
	if err != nil {
		return nil, refuse("the repository index of %s does not load: %v", s.Repo, errors.Unwrap(err))
	}
	cv, err := idx.Get(s.Chart, s.Version)
	if err != nil || cv.Version != strings.TrimPrefix(s.Version, "v") && cv.Version != s.Version {
		return nil, refuse("the repository index of %s has no chart %s version %s", s.Repo, s.Chart, s.Version)
	}
	if len(cv.URLs) == 0 {
		return nil, refuse("the repository index of %s gives no URL for chart %s %s", s.Repo, s.Chart, s.Version)
	}
	chartURL, err := repo.ResolveReferenceURL(u, cv.URLs[0])
	if err != nil || !strings.HasPrefix(chartURL, "https://") && !strings.HasPrefix(chartURL, "http://") {
		return nil, refuse("the repository index of %s gives a bad URL for chart %s %s", s.Repo, s.Chart, s.Version)
	}
	data, err := f.get(ctx, chartURL, u, f.maxChart(), "the chart archive")
	if err != nil {
		return nil, err
	}
	if cv.Digest != "" {
		want := strings.ToLower(strings.TrimPrefix(cv.Digest, "sha256:"))
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != want {
			return nil, refuse("the archive of chart %s %s does not match the digest its repository index gives (sha256:%s): refused", s.Chart, s.Version, want)
		}
	}
	return data, nil
}

// get downloads one URL through Helm's HTTP getter, bounded by budget bytes
// on the wire.
func (f *Fetcher) get(ctx context.Context, href, repoURL string, budget int64, what string) ([]byte, error) {
	tr, over, done := budgetTransport(ctx, budget)
	defer done()
	g, err := getter.NewHTTPGetter(getter.WithURL(repoURL), getter.WithTimeout(f.timeout()), getter.WithTransport(tr))
	if err != nil {
		return nil, refuse("cannot download: %v", err)
	}
	buf, err := g.Get(href)
	if over.Load() {
		return nil, refuse("%s at %s is over the download budget of %s: refused", what, href, scan.FormatSize(budget))
	}
	if err != nil {
		return nil, refuse("cannot download %s: %v", what, err)
	}
	return buf.Bytes(), nil
}

// pullOCI pulls the chart from an OCI registry with Helm's registry client.
func (f *Fetcher) pullOCI(ctx context.Context, s Source) ([]byte, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(s.Repo, registry.OCIScheme+"://"), "/")
	ref := base + "/" + s.Chart
	if s.Version != "" {
		ref += ":" + s.Version
	}
	if s.Digest != "" {
		ref += "@" + s.Digest
	}
	tr, over, done := budgetTransport(ctx, f.maxChart())
	defer done()
	hc := &http.Client{Transport: tr, Timeout: f.timeout()}
	opts := []registry.ClientOption{
		registry.ClientOptHTTPClient(hc),
		// Anonymous: no credential store is consulted, so a repository
		// naming a registry cannot make kubeready send the runner's logins.
		registry.ClientOptAuthorizer(auth.Client{Client: hc, Cache: auth.NewCache()}),
	}
	if f.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	c, err := registry.NewClient(opts...)
	if err != nil {
		return nil, refuse("cannot create the registry client: %v", err)
	}
	res, err := c.Pull(ref)
	if over.Load() {
		return nil, refuse("chart %s %s from %s is over the download budget of %s: refused", s.Chart, s.Version, s.Repo, scan.FormatSize(f.maxChart()))
	}
	if err != nil {
		return nil, refuse("cannot pull %s: %v", ref, err)
	}
	if s.Digest != "" && res.Manifest.Digest != s.Digest {
		return nil, refuse("the manifest of %s has digest %s, not the pinned %s: refused", ref, res.Manifest.Digest, s.Digest)
	}
	if res.Chart.Meta != nil && (res.Chart.Meta.Name != s.Chart || s.Version != "" && strings.TrimPrefix(res.Chart.Meta.Version, "v") != strings.TrimPrefix(s.Version, "v")) {
		return nil, refuse("%s holds chart %s %s, not %s %s: refused", ref, res.Chart.Meta.Name, res.Chart.Meta.Version, s.Chart, s.Version)
	}
	return res.Chart.Data, nil
}

func (f *Fetcher) maxChart() int64 {
	if f.MaxChart > 0 {
		return f.MaxChart
	}
	return MaxChartDownload
}

func (f *Fetcher) maxIndex() int64 {
	if f.MaxIndex > 0 {
		return f.MaxIndex
	}
	return MaxIndexDownload
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

// errOverBudget ends a connection that read past its budget.
var errOverBudget = errors.New("download over budget")

// budgetTransport is an http.Transport whose connections together read at
// most budget bytes (headers included; compression is off, so the body
// cannot grow after the count) and that dials under ctx; over reports that
// the budget stopped a read. The SDK's getters take an *http.Transport, not
// any RoundTripper, so the bound sits in the connection.
//
// The SDK's getters and registry client make their requests under
// context.Background(), so ctx (the run's --timeout) cannot reach them
// through the request: the transport closes every connection it opened
// when ctx ends, and refuses to dial after it. A registry that never
// answers is then left at the run's deadline, not at the per-request
// timeout.
func budgetTransport(ctx context.Context, budget int64) (tr *http.Transport, over *atomic.Bool, done func()) {
	left := &atomic.Int64{}
	left.Store(budget)
	over = &atomic.Bool{}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	ended := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		ended = true
		for c := range conns {
			_ = c.Close()
		}
	})
	tr = &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			defer mu.Unlock()
			if ended {
				_ = c.Close()
				return nil, context.Cause(ctx)
			}
			conns[c] = true
			return &budgetConn{Conn: c, left: left, over: over}, nil
		},
		DisableCompression:     true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	return tr, over, func() { stop(); tr.CloseIdleConnections() }
}

type budgetConn struct {
	net.Conn
	left *atomic.Int64
	over *atomic.Bool
}

func (c *budgetConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.left.Add(-int64(n)) < 0 {
		c.over.Store(true)
		_ = c.Conn.Close()
		return 0, errOverBudget
	}
	return n, err
}

// writeAtomic writes data to p through a temporary file and a rename.
func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// unwrapPath drops the path an *os.PathError carries (the cache directory
// is the runner's).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
