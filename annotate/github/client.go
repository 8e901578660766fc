// Package github writes a run's findings to GitHub: workflow-command
// annotations, the sticky summary comment and review comments on a pull
// request, the step summary and the Action's outputs, through a go-github
// client whose transport retries and spaces its requests. The texts come
// from package annotate (annotate.Markdown); this package only delivers.
package github

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// PullRequest says where the GitHub reporters write: the repository, the
// pull request (0 outside one) and the commit whose lines the findings are
// on, which links and review comments point at.
type PullRequest struct {
	Owner, Repo string
	Number      int
	// HeadSHA is the commit that was scanned: the pull request's head, or
	// the pushed commit.
	HeadSHA string
	// ServerURL is the web address of GitHub (GITHUB_SERVER_URL).
	ServerURL string
}

// BlobURL implements annotate.Links: it links to lines start..end of path
// at the scanned commit; end <= start links to one line, start 0 to the
// whole file.
func (p PullRequest) BlobURL(path string, start, end int) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := fmt.Sprintf("%s/blob/%s/%s", p.repoURL(), p.HeadSHA, strings.Join(segs, "/"))
	switch {
	case start <= 0:
	case end > start:
		u += fmt.Sprintf("#L%d-L%d", start, end)
	default:
		u += fmt.Sprintf("#L%d", start)
	}
	return u
}

// Commit implements annotate.Links: the scanned commit and its address.
func (p PullRequest) Commit() (id, url string) {
	return p.HeadSHA, p.repoURL() + "/commit/" + p.HeadSHA
}

// repoURL is the repository's web address, on ServerURL or else
// https://github.com.
func (p PullRequest) repoURL() string {
	server := strings.TrimSuffix(p.ServerURL, "/")
	if server == "" {
		server = "https://github.com"
	}
	return server + "/" + p.Owner + "/" + p.Repo
}

// NewClient returns a go-github client for the REST API at apiURL
// (GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub
// Enterprise Server; used as given), authenticated with token, whose
// requests go through transport.
func NewClient(apiURL, token string, transport http.RoundTripper) (*gogithub.Client, error) {
	base, err := url.Parse(apiURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not an absolute URL", apiURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	c := gogithub.NewClient(&http.Client{Transport: transport})
	if token != "" {
		c = c.WithAuthToken(token)
	}
	c.BaseURL = base
	return c, nil
}

// IsPermissionError reports whether err is GitHub refusing a write the token
// may not make: 403 (a fork's read-only token: "Resource not accessible by
// integration") or 404 (some endpoints hide what the token cannot see).
// Rate limits are not permission errors.
func IsPermissionError(err error) bool {
	var er *gogithub.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	return er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound
}

// isUnprocessable reports whether GitHub refused a request as invalid (422),
// as it does for a review comment on a line outside the diff.
func isUnprocessable(err error) bool {
	var er *gogithub.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity
}

// DescribeError shortens a go-github error to a status and GitHub's
// message ("HTTP 403: Resource not accessible by integration"), never the
// request's headers or URL.
func DescribeError(err error) string {
	var er *gogithub.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += ": " + e.Message
			}
		}
		return fmt.Sprintf("HTTP %d: %s", er.Response.StatusCode, msg)
	}
	var rl *gogithub.RateLimitError
	if errors.As(err, &rl) {
		return "rate limit exceeded: " + rl.Message
	}
	var al *gogithub.AbuseRateLimitError
	if errors.As(err, &al) {
		return "secondary rate limit: " + al.Message
	}
	return err.Error()
}
