package github

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/internal/fakegithub"
)

func TestRetryWait(t *testing.T) {
	resp := func(status int, h map[string]string, body string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}, Body: http.NoBody}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		if body != "" {
			r.Body = nopBody{strings.NewReader(body)}
		}
		return r
	}
	reset := strconv.FormatInt(time.Now().Add(42*time.Second).Unix(), 10)
	tests := []struct {
		name    string
		resp    *http.Response
		err     error
		retry   bool
		wantMin time.Duration
		wantMax time.Duration
	}{
		{"200", resp(200, nil, ""), nil, false, 0, 0},
		{"404", resp(404, nil, ""), nil, false, 0, 0},
		{"422", resp(422, nil, ""), nil, false, 0, 0},
		{"403 refusal", resp(403, nil, `{"message":"Resource not accessible by integration"}`), nil, false, 0, 0},
		{"502 backs off", resp(502, nil, ""), nil, true, time.Second, time.Second},
		{"500 backs off", resp(500, nil, ""), nil, true, time.Second, time.Second},
		{"429 with Retry-After", resp(429, map[string]string{"Retry-After": "7"}, ""), nil, true, 7 * time.Second, 7 * time.Second},
		{"429 without hint", resp(429, nil, ""), nil, true, time.Second, time.Second},
		{"429 with an HTTP date", resp(429, map[string]string{"Retry-After": time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat)}, ""), nil, true, 18 * time.Second, 21 * time.Second},
		{"403 primary limit waits for reset", resp(403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, ""), nil, true, 40 * time.Second, 43 * time.Second},
		{"403 secondary with Retry-After", resp(403, map[string]string{"Retry-After": "60"}, ""), nil, true, time.Minute, time.Minute},
		{"403 secondary without hint waits a minute", resp(403, nil, `{"message":"You have exceeded a secondary rate limit."}`), nil, true, time.Minute, time.Minute},
		{"network error", nil, errors.New("connection reset by peer"), true, time.Second, time.Second},
		{"cancelled", nil, context.Canceled, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, why := retryWait(tt.resp, tt.err, time.Second)
			if (why != "") != tt.retry {
				t.Fatalf("retry = %v (%q), want %v", why != "", why, tt.retry)
			}
			if wait < tt.wantMin || wait > tt.wantMax {
				t.Errorf("wait %v, want %v..%v", wait, tt.wantMin, tt.wantMax)
			}
		})
	}
}

type nopBody struct{ *strings.Reader }

func (nopBody) Close() error { return nil }

func listFiles(c *gogithub.Client) error {
	_, _, err := c.PullRequests.ListFiles(context.Background(), "octo", "deploys", 7, &gogithub.ListOptions{PerPage: 100})
	return err
}

func TestRetryBounded(t *testing.T) {
	srv, client, w := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "pulls/list-files", Status: 502, Times: 10})
	err := listFiles(client)
	var er *gogithub.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 502 {
		t.Fatalf("err = %v, want the last 502", err)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d tries, want 4", n)
	}
	if got := w.all(); len(got) != 3 || got[0] != time.Second || got[1] != 2*time.Second || got[2] != 4*time.Second {
		t.Errorf("waits %v, want 1s 2s 4s", got)
	}
}

func TestRetryRecovers(t *testing.T) {
	srv, client, _ := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "pulls/list-files", Status: 503, Times: 2})
	if err := listFiles(client); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d tries, want 3", n)
	}
}

func TestRetryGivesUpOnLongWaits(t *testing.T) {
	srv, client, w := newGitHub(t)
	srv.Inject(fakegithub.Fault{Op: "pulls/list-files", Status: 429, Header: map[string]string{"Retry-After": "3600"}})
	if err := listFiles(client); err == nil {
		t.Fatal("no error after a 429 asking for an hour")
	}
	if n := len(srv.Requests()); n != 1 || len(w.all()) != 0 {
		t.Errorf("%d tries and waits %v; an hour's wait must not be slept", n, w.all())
	}
}

func TestRetrySpacesWrites(t *testing.T) {
	srv, client, w := newGitHub(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, _, err := client.Issues.CreateComment(ctx, "octo", "deploys", 7, &gogithub.IssueComment{Body: gogithub.String("x")}); err != nil {
			t.Fatal(err)
		}
	}
	got := w.all()
	if len(got) != 2 {
		t.Fatalf("waits %v, want a gap before the 2nd and 3rd write", got)
	}
	for _, d := range got {
		if d <= 0 || d > time.Second {
			t.Errorf("gap %v, want up to 1s", d)
		}
	}
	if srv.MaxConcurrentWrites() != 1 {
		t.Errorf("%d writes at once", srv.MaxConcurrentWrites())
	}
}

type flaky struct {
	fails int
	base  http.RoundTripper
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("connection reset by peer")
	}
	return f.base.RoundTrip(r)
}

func TestRetryNetworkErrorAndCancel(t *testing.T) {
	srv, _, _ := newGitHub(t)
	w := &waits{}
	c, err := NewClient(srv.URL, srv.Token, &RetryTransport{Base: &flaky{fails: 1, base: http.DefaultTransport}, Sleep: w.sleep})
	if err != nil {
		t.Fatal(err)
	}
	if err := listFiles(c); err != nil {
		t.Fatalf("one network error should be retried: %v", err)
	}
	// A cancelled context stops the wait at once.
	srv.Inject(fakegithub.Fault{Op: "pulls/list-files", Status: 502, Times: 5})
	c2, _ := NewClient(srv.URL, srv.Token, &RetryTransport{Backoff: time.Hour, MaxWait: 2 * time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = c2.PullRequests.ListFiles(ctx, "octo", "deploys", 7, nil)
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("err = %v after %v; want the context's error, quickly", err, time.Since(start))
	}
}

func TestNewClient(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com":            "https://api.github.com/",
		"https://ghes.example.com/api/v3":   "https://ghes.example.com/api/v3/",
		"https://ghes.example.com/api/v3/":  "https://ghes.example.com/api/v3/",
		"http://127.0.0.1:8080/":            "http://127.0.0.1:8080/",
		"http://127.0.0.1:8080/prefix/path": "http://127.0.0.1:8080/prefix/path/",
	} {
		c, err := NewClient(in, "t", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURL.String() != want {
			t.Errorf("%s: BaseURL %s, want %s", in, c.BaseURL, want)
		}
	}
	if _, err := NewClient("not a url", "t", nil); err == nil {
		t.Error("a relative URL was accepted")
	}
}

// TestRetryHungCall: a call that never answers fails at PerTry and is tried
// again; the summary comment still gets written.
func TestRetryHungCall(t *testing.T) {
	srv := fakegithub.New(t, fakegithub.SpecPath(t))
	srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: headSHA, BaseSHA: strings.Repeat("b", 40)})
	w := &waits{}
	client, err := NewClient(srv.URL, srv.Token, &RetryTransport{Sleep: w.sleep, PerTry: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(fakegithub.Fault{Op: "issues/list-comments", Hang: true})
	start := time.Now()
	if err := (&Comment{Client: client, PR: testPR(srv)}).Report(context.Background(), cronReport()); err != nil {
		t.Fatal(err)
	}
	if n := len(summaryComments(srv)); n != 1 || time.Since(start) > 10*time.Second {
		t.Errorf("%d summary comments after %s", n, time.Since(start))
	}
}

// TestRetryHugeBody: a response body over MaxBody is an error, not memory.
func TestRetryHugeBody(t *testing.T) {
	srv := fakegithub.New(t, fakegithub.SpecPath(t))
	srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: headSHA, BaseSHA: strings.Repeat("b", 40)})
	client, err := NewClient(srv.URL, srv.Token, &RetryTransport{MaxBody: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(fakegithub.Fault{Op: "issues/list-comments", Status: 200, Body: `[{"body":"` + strings.Repeat("x", 3<<20) + `"}]`})
	err = (&Comment{Client: client, PR: testPR(srv)}).Report(context.Background(), cronReport())
	if err == nil || !strings.Contains(err.Error(), "over 1 MiB") {
		t.Errorf("err = %v, want the body limit", err)
	}
}

// TestLimitedBodyExactly: a body of exactly MaxBody bytes reads whole; one
// byte more is the error.
func TestLimitedBodyExactly(t *testing.T) {
	for _, tc := range []struct {
		size    int
		wantErr bool
	}{{1 << 10, false}, {1<<10 + 1, true}} {
		b := &limitedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("x", tc.size))), left: 1 << 10, max: 1 << 10, cancel: func() {}}
		data, err := io.ReadAll(b)
		if (err != nil) != tc.wantErr || (!tc.wantErr && len(data) != tc.size) {
			t.Errorf("size %d: %d bytes, err %v", tc.size, len(data), err)
		}
	}
}
