package github

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryTransport retries GitHub API requests that failed for reasons that
// pass: server errors (5xx) and network errors (except for POST, which
// creates: see RoundTrip), 429, and 403s that are rate limits (primary,
// with X-RateLimit-Remaining: 0, or secondary). It honours Retry-After and
// X-RateLimit-Reset, backs off exponentially otherwise, and gives up after
// Tries attempts or when GitHub asks for a wait longer than MaxWait.
// go-github v60 classifies only 403s as rate limits, so 429 is handled here.
//
// It also sends writes one at a time, at least MinWriteGap apart, as
// GitHub's best practices ask. It never logs headers, so the token cannot
// leak through it.
type RetryTransport struct {
	// Base does the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Tries is the most attempts per request; 0 means 4.
	Tries int
	// MaxWait is the longest single wait honoured; 0 means 90 seconds.
	MaxWait time.Duration
	// MinWriteGap is the least time between two writes; 0 means none.
	MinWriteGap time.Duration
	// Backoff is the first wait without a hint from GitHub, doubled on each
	// try; 0 means one second.
	Backoff time.Duration
	// Sleep waits; nil means a timer that stops when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf, if set, is told of each retry.
	Logf func(format string, args ...any)
	// PerTry bounds one try, answer and body included, so that a call that
	// never answers fails and can be retried; 0 means 30 seconds.
	PerTry time.Duration
	// MaxBody bounds a response body; reading past it is an error (a huge
	// comment list must not take the runner's memory); 0 means 32 MiB.
	MaxBody int64

	writeMu   sync.Mutex
	lastWrite time.Time
}

// secondaryWait is how long GitHub asks a client to wait after a secondary
// rate limit that came without Retry-After ("at least one minute").
const secondaryWait = time.Minute

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	write := req.Method != http.MethodGet && req.Method != http.MethodHead
	if write {
		t.writeMu.Lock()
		defer t.writeMu.Unlock()
		if gap := t.MinWriteGap - time.Since(t.lastWrite); gap > 0 && !t.lastWrite.IsZero() {
			if err := t.sleep(ctx, gap); err != nil {
				return nil, err
			}
		}
		defer func() { t.lastWrite = time.Now() }()
	}
	body, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	tries := t.Tries
	if tries <= 0 {
		tries = 4
	}
	maxWait := t.MaxWait
	if maxWait <= 0 {
		maxWait = 90 * time.Second
	}
	backoff := t.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	perTry := t.PerTry
	if perTry <= 0 {
		perTry = 30 * time.Second
	}
	maxBody := t.MaxBody
	if maxBody <= 0 {
		maxBody = 32 << 20
	}
	for try := 1; ; try++ {
		tryCtx, cancel := context.WithTimeoutCause(ctx, perTry, fmt.Errorf("GitHub did not answer %s %s within %s", req.Method, req.URL.Path, perTry))
		r := req.Clone(tryCtx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		resp, err := base.RoundTrip(r)
		if err != nil && tryCtx.Err() != nil && ctx.Err() == nil {
			// this try's own deadline, not the caller's: a hung call, worth another try
			err = fmt.Errorf("%v", context.Cause(tryCtx))
		}
		if resp != nil {
			resp.Body = &limitedBody{rc: resp.Body, left: maxBody, max: maxBody, cancel: cancel}
		} else {
			cancel()
		}
		wait, why := retryWait(resp, err, backoff<<(try-1))
		if why == "" || try >= tries || ctx.Err() != nil {
			return resp, err
		}
		if req.Method == http.MethodPost && !refusedUndone(resp) {
			// A POST is not idempotent: after a 5xx or a broken connection
			// GitHub may have made the comment all the same, and another
			// try would make a second one. The caller looks and decides.
			if t.Logf != nil {
				t.Logf("GitHub answered %s to %s %s; not retrying a create, which may have happened", why, req.Method, req.URL.Path)
			}
			return resp, err
		}
		if wait > maxWait {
			if t.Logf != nil {
				t.Logf("GitHub answered %s to %s %s and asks to wait %s, longer than %s: not retrying", why, req.Method, req.URL.Path, wait.Round(time.Second), maxWait)
			}
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if t.Logf != nil {
			t.Logf("GitHub answered %s to %s %s; retrying in %s (try %d of %d)", why, req.Method, req.URL.Path, wait.Round(time.Millisecond), try+1, tries)
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (t *RetryTransport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// requestBody reads a request's body once so each try can send it again.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// retryWait says whether a response is worth another try (why is empty when
// it is not) and how long to wait first. backoff is the wait to use when
// GitHub gives no hint.
func retryWait(resp *http.Response, err error, backoff time.Duration) (wait time.Duration, why string) {
	if err != nil {
		if errorsIsContext(err) {
			return 0, ""
		}
		return backoff, "a network error"
	}
	hinted, ok := retryAfter(resp.Header)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		why = "429 Too Many Requests"
	case resp.StatusCode >= 500 && resp.StatusCode <= 599:
		why = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	case resp.StatusCode == http.StatusForbidden:
		if !isRateLimit(resp) {
			return 0, ""
		}
		why = "403 (rate limit)"
		if !ok && resp.Header.Get("X-RateLimit-Remaining") != "0" {
			// A secondary limit without Retry-After: GitHub asks for at
			// least a minute.
			return max(secondaryWait, backoff), why
		}
	default:
		return 0, ""
	}
	if ok {
		return hinted, why
	}
	return backoff, why
}

// refusedUndone reports whether GitHub refused a request without doing it:
// a rate limit (429, or a 403 rate limit) is answered before the request is
// handled, so a write it refused may be sent again.
func refusedUndone(resp *http.Response) bool {
	return resp != nil && (resp.StatusCode == http.StatusTooManyRequests || (resp.StatusCode == http.StatusForbidden && isRateLimit(resp)))
}

// limitedBody is a response body that fails past max bytes and ends its
// try's context when closed.
type limitedBody struct {
	rc        io.ReadCloser
	left, max int64
	cancel    context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a body of exactly max from a larger one
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, fmt.Errorf("GitHub's response is over %d MiB: not read", b.max>>20)
	}
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

func errorsIsContext(err error) bool {
	return err == context.Canceled || err == context.DeadlineExceeded ||
		strings.Contains(err.Error(), context.Canceled.Error()) || strings.Contains(err.Error(), context.DeadlineExceeded.Error())
}

// retryAfter reads Retry-After (seconds or an HTTP date), else the reset
// time of an exhausted primary rate limit.
func retryAfter(h http.Header) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, time.Until(t)), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(0, time.Until(time.Unix(s, 0))), true
		}
	}
	return 0, false
}

// isRateLimit reports whether a 403 is a rate limit rather than a refusal.
// It reads the body and puts it back.
func isRateLimit(resp *http.Response) bool {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "" {
		return true
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	s := strings.ToLower(string(b))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "secondary-rate-limits") || strings.Contains(s, "abuse")
}
