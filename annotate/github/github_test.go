package github

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/fakegithub"
	"github.com/kubeready/kubeready/scan"
)

const headSHA = "0123456789abcdef0123456789abcdef01234567"

// cronYAML is deploy/cron.yaml at the head commit.
const cronYAML = `# nightly job
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: k8s.gcr.io/busybox
          restartPolicy: OnFailure
`

// cronPatch changes lines 2 and 14 of cronYAML, in two hunks.
const cronPatch = "@@ -1,4 +1,4 @@\n # nightly job\n-apiVersion: batch/v1\n+apiVersion: batch/v1beta1\n kind: CronJob\n metadata:\n" +
	"@@ -12,3 +12,3 @@\n           containers:\n           - name: job\n-            image: busybox\n+            image: k8s.gcr.io/busybox"

// waits records the retry transport's sleeps instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newGitHub starts the fake with pull request 7 and returns a client for it
// whose retries do not sleep.
func newGitHub(t *testing.T) (*fakegithub.Server, *gogithub.Client, *waits) {
	t.Helper()
	srv := fakegithub.New(t, fakegithub.SpecPath(t))
	srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: headSHA, BaseSHA: strings.Repeat("b", 40), Files: []fakegithub.File{
		{Filename: "deploy/cron.yaml", Status: "modified", Additions: 2, Deletions: 2, Changes: 4, Patch: cronPatch},
	}})
	w := &waits{}
	c, err := NewClient(srv.URL, srv.Token, &RetryTransport{Sleep: w.sleep, MinWriteGap: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, w
}

func testPR(srv *fakegithub.Server) PullRequest {
	return PullRequest{Owner: srv.Owner, Repo: srv.Repo, Number: 7, HeadSHA: headSHA, ServerURL: "https://github.com"}
}

// cronFindings are findings on cronYAML: line 2 with a safe fix (inside
// the first hunk), line 14 (second hunk), line 7 (outside the diff).
func cronFindings() []checks.Finding {
	off := strings.Index(cronYAML, "batch/v1beta1")
	return []checks.Finding{
		{Rule: "api-removed", Severity: checks.Error, File: "deploy/cron.yaml", Line: 2, Column: 1,
			Message: "CronJob batch/v1beta1 is not served by Kubernetes 1.25: it was removed in 1.25. Use batch/v1.",
			URL:     "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#cronjob-v125",
			Kind:    "CronJob", APIVersion: "batch/v1beta1", Name: "nightly", InChangedFile: true, InChangedLines: true,
			Fixes: []checks.Fix{{Description: "Change apiVersion to batch/v1", Safe: true,
				Edits: []checks.Edit{{Path: "deploy/cron.yaml", Start: off, End: off + len("batch/v1beta1"), New: "batch/v1"}}}}},
		{Rule: "api-deprecated", Severity: checks.Warning, File: "deploy/cron.yaml", Line: 7, Column: 3,
			Message: "A warning on a line outside the diff.", URL: "https://example.com/x", Kind: "CronJob", Name: "nightly", InChangedFile: true},
		{Rule: "api-deprecated", Severity: checks.Warning, File: "deploy/cron.yaml", Line: 14, Column: 20,
			Message: "Image k8s.gcr.io/busybox is on the frozen registry.", URL: "https://example.com/y", Kind: "CronJob", Name: "nightly",
			InChangedFile: true, InChangedLines: true},
	}
}

func cronReport() *annotate.Report {
	return &annotate.Report{Target: "1.25", Platform: "eks", Findings: cronFindings(), Stats: annotate.Stats{Files: 1, Documents: 1}}
}

func cronHunks() map[string][]scan.LineRange {
	fc, err := scan.ParsePatch("deploy/cron.yaml", cronPatch)
	if err != nil {
		panic(err)
	}
	return map[string][]scan.LineRange{"deploy/cron.yaml": fc.Hunks}
}

func readCron(path string) ([]byte, error) {
	if path != "deploy/cron.yaml" {
		return nil, fmt.Errorf("no file %s", path)
	}
	return []byte(cronYAML), nil
}

func TestBlobURL(t *testing.T) {
	p := PullRequest{Owner: "o", Repo: "r", HeadSHA: "abc", ServerURL: "https://ghes.example.com/"}
	tests := []struct {
		path       string
		start, end int
		want       string
	}{
		{"a/b.yaml", 0, 0, "https://ghes.example.com/o/r/blob/abc/a/b.yaml"},
		{"a/b.yaml", 3, 0, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3"},
		{"a/b.yaml", 3, 3, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3"},
		{"a/b.yaml", 3, 5, "https://ghes.example.com/o/r/blob/abc/a/b.yaml#L3-L5"},
		{"my dir/#x?.yaml", 1, 0, "https://ghes.example.com/o/r/blob/abc/my%20dir/%23x%3F.yaml#L1"},
	}
	for _, tt := range tests {
		if got := p.BlobURL(tt.path, tt.start, tt.end); got != tt.want {
			t.Errorf("BlobURL(%q, %d, %d) = %q, want %q", tt.path, tt.start, tt.end, got, tt.want)
		}
	}
}

func TestCommitURL(t *testing.T) {
	for server, want := range map[string]string{
		"https://ghes.example.com/": "https://ghes.example.com/o/r/commit/abc",
		"":                          "https://github.com/o/r/commit/abc",
	} {
		id, u := PullRequest{Owner: "o", Repo: "r", HeadSHA: "abc", ServerURL: server}.Commit()
		if id != "abc" || u != want {
			t.Errorf("server %q: Commit() = %q, %q, want abc, %q", server, id, u, want)
		}
	}
}
