package action

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubeready/kubeready/annotate/github"
	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/fakegithub"
	"github.com/kubeready/kubeready/internal/sarifcheck"
	"github.com/kubeready/kubeready/internal/testfs"
)

// Files of the test repository: the base commit, then the pull request's
// head. cron.yaml's first document moves to a removed API (line 2, in the
// diff); its second document was already on a removed API (outside the
// diff); hpa.yaml is new; legacy/old.yaml is unchanged.
const (
	cronBase = `# nightly report
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: report
            image: registry.k8s.io/busybox:1.36
          restartPolicy: OnFailure
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: report
spec:
  maxUnavailable: 1
`
	hpaHead = `apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 10
`
	legacy = `apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: old
`
)

var cronHead = strings.Replace(cronBase, "apiVersion: batch/v1\n", "apiVersion: batch/v1beta1\n", 1)

// gitEnv makes git independent of the machine's configuration.
func gitEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2025-03-04T09:00:00Z", "GIT_COMMITTER_DATE=2025-03-04T09:00:00Z")
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv(filepath.Dir(dir))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// testRepo is a git repository with a base commit and a pull request head.
type testRepo struct {
	dir, base, head string
}

func newTestRepo(t *testing.T) testRepo {
	t.Helper()
	return newTestRepoWith(t, nil, nil)
}

// newTestRepoWith is newTestRepo with more files in the base commit and in
// the head commit (a value of "" removes the file at the head).
func newTestRepoWith(t *testing.T, baseFiles, headFiles map[string]string) testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, "init", "--quiet", "--initial-branch=main")
	testfs.WriteFiles(t, dir, map[string]string{"deploy/cron.yaml": cronBase, "legacy/old.yaml": legacy, "README.md": "# deploys\n"})
	testfs.WriteFiles(t, dir, baseFiles)
	gitT(t, dir, "add", ".")
	gitT(t, dir, "commit", "--quiet", "-m", "base")
	base := gitT(t, dir, "rev-parse", "HEAD")
	gitT(t, dir, "checkout", "--quiet", "-b", "nightly-report")
	testfs.WriteFiles(t, dir, map[string]string{"deploy/cron.yaml": cronHead, "deploy/hpa.yaml": hpaHead})
	for name, content := range headFiles {
		if content == "" {
			gitT(t, dir, "rm", "--quiet", name)
			continue
		}
		testfs.WriteFiles(t, dir, map[string]string{name: content})
	}
	gitT(t, dir, "add", ".")
	gitT(t, dir, "commit", "--quiet", "-m", "head")
	return testRepo{dir: dir, base: base, head: gitT(t, dir, "rev-parse", "HEAD")}
}

// prFiles is what GitHub lists for the pull request: each changed file
// with its hunks as `patch`.
func (r testRepo) prFiles(t *testing.T) []fakegithub.File {
	t.Helper()
	var files []fakegithub.File
	for _, name := range strings.Fields(gitT(t, r.dir, "diff", "--name-only", r.base, r.head)) {
		diff := gitT(t, r.dir, "diff", r.base, r.head, "--", name)
		patch := diff[strings.Index(diff, "@@"):]
		status := "modified"
		if strings.Contains(diff, "new file mode") {
			status = "added"
		} else if strings.Contains(diff, "deleted file mode") {
			status = "removed"
		}
		files = append(files, fakegithub.File{Filename: name, Status: status, Patch: patch, Changes: strings.Count(patch, "\n+") + strings.Count(patch, "\n-")})
	}
	return files
}

// eventFile writes the recorded payload with the repository's commits.
func (r testRepo) eventFile(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/action/pull_request.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	pr := ev["pull_request"].(map[string]any)
	pr["head"].(map[string]any)["sha"] = r.head
	pr["base"].(map[string]any)["sha"] = r.base
	out, _ := json.Marshal(ev)
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// kubereadyBinary builds the binary the way the Dockerfile does
// (CGO_ENABLED=0, -trimpath, version stamped with -ldflags).
func kubereadyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kubeready-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kubeready")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v0.9.0-e2e", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// actionEnv is the environment the runner gives a Docker action, inputs
// named with their hyphens as GitHub passes them.
type actionEnv map[string]string

func newActionEnv(t *testing.T, srv *fakegithub.Server, repo testRepo) actionEnv {
	t.Helper()
	tmp := t.TempDir()
	return actionEnv{
		"GITHUB_ACTIONS": "true", "CI": "true", "HOME": tmp, "PATH": os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM": "1",
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": repo.eventFile(t),
		"GITHUB_STEP_SUMMARY": filepath.Join(tmp, "step_summary.md"), "GITHUB_OUTPUT": filepath.Join(tmp, "output"),
		"GITHUB_API_URL": strings.TrimSuffix(srv.URL, "/"), "GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_REPOSITORY": "octo/deploys", "GITHUB_REPOSITORY_OWNER": "octo", "GITHUB_SHA": repo.head,
		"GITHUB_WORKSPACE": repo.dir, "GITHUB_RUN_ID": "1234", "GITHUB_RUN_NUMBER": "5", "GITHUB_RUN_ATTEMPT": "1",
		"INPUT_TARGET": "1.25", "INPUT_PLATFORM": "eks", "INPUT_PATHS": ".", "INPUT_SCOPE": "files", "INPUT_FAIL-ON": "error",
		"INPUT_COMMENT": "true", "INPUT_REVIEW": "true", "INPUT_ANNOTATIONS": "true", "INPUT_SARIF-FILE": "out/kubeready.sarif",
		"INPUT_HELM-VALUES": "", "INPUT_GITHUB-TOKEN": srv.Token,
		// action.yml's run step: the input is the workflow's token.
		"KUBEREADY_TOKEN_IS_GITHUB_TOKEN": "true",
	}
}

type actionResult struct {
	code           int
	stdout, stderr string
	summary        string
	outputs        map[string]string
}

func (e actionEnv) run(t *testing.T) actionResult {
	t.Helper()
	cmd := exec.Command(kubereadyBinary(t))
	cmd.Dir = e["GITHUB_WORKSPACE"]
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var summary, outputs []byte
	if p := e["GITHUB_STEP_SUMMARY"]; p != "" {
		summary, _ = os.ReadFile(p)
		_ = os.Truncate(p, 0) // each run appends
	}
	if p := e["GITHUB_OUTPUT"]; p != "" {
		outputs, _ = os.ReadFile(p)
		_ = os.Truncate(p, 0)
	}
	return actionResult{code: code, stdout: stdout.String(), stderr: stderr.String(), summary: string(summary), outputs: fakegithub.ParseOutputFile(string(outputs))}
}

func newActionFake(t *testing.T, repo testRepo) *fakegithub.Server {
	t.Helper()
	srv := fakegithub.New(t, fakegithub.SpecPath(t))
	srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: repo.head, BaseSHA: repo.base, Files: repo.prFiles(t)})
	return srv
}

var annotationRe = regexp.MustCompile(`(?m)^::(error|warning|notice) ([^:]*)::(.*)$`)

func TestActionEndToEnd(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Docker actions run on Linux")
	}
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	// Faults on the first run: a 502 on the file list, a 429 on the comment.
	srv.Inject(fakegithub.Fault{Op: "pulls/list-files", Status: 502})
	srv.Inject(fakegithub.Fault{Op: "issues/create-comment", Status: 429, Header: map[string]string{"Retry-After": "1"}})

	first := env.run(t)
	if first.code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d (an error finding)\nstdout:\n%s\nstderr:\n%s", first.code, cli.ExitFindings, first.stdout, first.stderr)
	}

	// Annotations on stdout, errors first, with the repository-relative
	// path and the line; the unchanged file's finding is out of scope.
	anns := annotationRe.FindAllStringSubmatch(first.stdout, -1)
	var got []string
	for _, a := range anns {
		got = append(got, a[1]+" "+a[2])
	}
	want := []string{
		"error col=1,endLine=2,file=deploy/cron.yaml,line=2,title=api-removed%3A API version no longer served by the target version",
		"error col=1,endLine=17,file=deploy/cron.yaml,line=17,title=api-removed%3A API version no longer served by the target version",
		"warning col=1,endLine=1,file=deploy/hpa.yaml,line=1,title=api-deprecated%3A API version deprecated%2C removed in a later version",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("annotations:\n%s\nwant:\n%s\nstdout:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), first.stdout)
	}
	for name, s := range map[string]string{"stdout": first.stdout, "step summary": first.summary} {
		if strings.Contains(s, "legacy/old.yaml") {
			t.Errorf("%s: a finding in an unchanged file was reported with scope files", name)
		}
	}

	// The token is masked and never printed otherwise.
	if strings.Count(first.stdout, srv.Token) != 1 || !strings.Contains(first.stdout, "::add-mask::"+srv.Token) {
		t.Errorf("token printed outside ::add-mask::")
	}
	for name, s := range map[string]string{"stderr": first.stderr, "step summary": first.summary} {
		if strings.Contains(s, srv.Token) {
			t.Errorf("token in %s", name)
		}
	}

	// Outputs.
	wantOut := map[string]string{"findings": "3", "errors": "2", "warnings": "1", "sarif-file": "out/kubeready.sarif"}
	for k, v := range wantOut {
		if first.outputs[k] != v {
			t.Errorf("output %s = %q, want %q (all: %v)", k, first.outputs[k], v, first.outputs)
		}
	}

	// The step summary.
	for _, s := range []string{"**3 findings** (2 errors, 1 warning, 0 info) in 2 files.",
		"/octo/deploys/blob/" + repo.head + "/deploy/cron.yaml#L2",
		"2 files, 3 documents scanned",
		"2 review comments posted on changed lines in one review",
		"1 finding is on lines outside the pull request's diff"} {
		if !strings.Contains(first.summary, s) {
			t.Errorf("step summary lacks %q:\n%s", s, first.summary)
		}
	}

	// SARIF.
	sarif, err := os.ReadFile(filepath.Join(repo.dir, "out", "kubeready.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	sarifcheck.Validate(t, sarifcheck.Schema(t), sarif)
	if !bytes.Contains(sarif, []byte(`"uri": "deploy/cron.yaml"`)) {
		t.Errorf("SARIF does not name files from the repository root")
	}

	// One summary comment, one review of two comments.
	comments := srv.IssueComments(7)
	if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, github.CommentMarker) {
		t.Fatalf("%d comments after the first run", len(comments))
	}
	rcs := srv.ReviewComments(7)
	if n := len(rcs); n != 2 {
		t.Errorf("%d review comments, want 2 (cron.yaml:2 and hpa.yaml:1): %v", n, fakegithub.SortedPaths(rcs))
	}
	for _, c := range rcs {
		if c.Path == "deploy/cron.yaml" && (c.Line != 2 || !strings.Contains(c.Body, "```suggestion\napiVersion: batch/v1\n```")) {
			t.Errorf("cron.yaml's safe fix is not a suggestion on line 2 (line %d):\n%s", c.Line, c.Body)
		}
	}

	// Second run on the same PR: the comment is edited, nothing is repeated.
	second := env.run(t)
	if second.code != cli.ExitFindings {
		t.Fatalf("second run: exit %d\n%s\n%s", second.code, second.stdout, second.stderr)
	}
	comments = srv.IssueComments(7)
	if len(comments) != 1 || comments[0].Edits != 1 {
		t.Fatalf("after two runs: %d comments (edits %d), want 1 edited once", len(comments), comments[0].Edits)
	}
	if n := len(srv.ReviewComments(7)); n != 2 {
		t.Errorf("after two runs: %d review comments, want 2 without duplicates", n)
	}
	if n := len(srv.Reviews(7)); n != 1 {
		t.Errorf("%d reviews, want 1: the second run had nothing new", n)
	}
	if !strings.Contains(second.summary, "2 findings already have a review comment on the same line") {
		t.Errorf("second step summary:\n%s", second.summary)
	}
	if srv.MaxConcurrentWrites() != 1 {
		t.Errorf("%d writes at once", srv.MaxConcurrentWrites())
	}
	if os.Getenv(sarifcheck.MultitoolEnv) != "" {
		sarifcheck.Multitool(t, sarif)
	}
}

func TestActionForkReadOnlyToken(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	srv.ReadOnly = true
	res := newActionEnv(t, srv, repo).run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d: decided by the findings only\n%s\n%s", res.code, cli.ExitFindings, res.stdout, res.stderr)
	}
	warnings := regexp.MustCompile(`(?m)^::warning::.*$`).FindAllString(res.stdout, -1)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "could not post the review comments and the summary comment") ||
		!strings.Contains(warnings[0], "forks") {
		t.Errorf("want one clear warning, got %q", warnings)
	}
	if n := len(annotationRe.FindAllString(res.stdout, -1)); n != 3 {
		t.Errorf("%d annotations, want the 3 findings", n)
	}
	if !strings.Contains(res.summary, "**3 findings**") || !strings.Contains(res.summary, "could not post") {
		t.Errorf("step summary:\n%s", res.summary)
	}
	if len(srv.IssueComments(7)) != 0 || len(srv.ReviewComments(7)) != 0 {
		t.Error("a read-only token wrote")
	}
}

// TestActionReviewForbiddenCommentAllowed: a token with issues: write but
// not pull-requests: write gets the summary comment, which says the review
// comments were not posted, and one warning.
func TestActionReviewForbiddenCommentAllowed(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	srv.Inject(fakegithub.Fault{Op: "pulls/create-review", Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	res := newActionEnv(t, srv, repo).run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	warnings := regexp.MustCompile(`(?m)^::warning::.*$`).FindAllString(res.stdout, -1)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "could not post the review comments:") {
		t.Errorf("warnings %q", warnings)
	}
	comments := srv.IssueComments(7)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "Review comments were not posted") {
		t.Fatalf("comment: %+v", comments)
	}
	if strings.Contains(res.summary, "Review comments were not posted") || !strings.Contains(res.summary, "could not post the review comments") {
		t.Errorf("the step summary should carry the one combined note:\n%s", res.summary)
	}
}

// TestActionConfigFile: inputs left at their defaults let the repository's
// .kubeready.yaml (on a pull request, the base commit's) decide, as for the
// CLI; an input set otherwise wins.
func TestActionConfigFile(t *testing.T) {
	repo := newTestRepoWith(t, map[string]string{".kubeready.yaml": "fail-on: never\nscope: lines\ndisable: [api-deprecated]\nfix: true\n"}, nil)
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	env["INPUT_COMMENT"], env["INPUT_REVIEW"] = "false", "false"
	res := env.run(t)
	if res.code != cli.ExitClean {
		t.Errorf("exit %d, want 0 (fail-on: never from the file)\n%s", res.code, res.stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(repo.dir, "deploy", "cron.yaml")); string(b) != cronHead {
		t.Error("the Action rewrote a file: it must only suggest fixes, whatever `fix` says")
	}
	// scope lines drops cron.yaml:17 (unchanged object); disable drops hpa.yaml.
	if got := annotationRe.FindAllString(res.stdout, -1); len(got) != 1 || !strings.Contains(got[0], "file=deploy/cron.yaml,line=2,") {
		t.Errorf("annotations %q, want only cron.yaml:2", got)
	}
	env["INPUT_FAIL-ON"], env["INPUT_SCOPE"] = "warning", "all"
	res = env.run(t)
	if res.code != cli.ExitFindings {
		t.Errorf("exit %d, want 1: the fail-on input wins over the file", res.code)
	}
	if !strings.Contains(res.stdout, "legacy/old.yaml") {
		t.Errorf("scope all from the input did not scan the unchanged file:\n%s", res.stdout)
	}
}

func TestActionCleanPullRequest(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	env["INPUT_TARGET"] = "1.20" // nothing is removed yet at 1.20 but extensions/v1beta1, which is unchanged
	env["INPUT_FAIL-ON"] = "error"
	res := env.run(t)
	if res.code != cli.ExitClean {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := len(srv.IssueComments(7)); n != 0 {
		t.Errorf("a clean pull request got %d comments", n)
	}
	if res.outputs["findings"] != "0" || res.outputs["sarif-file"] != "out/kubeready.sarif" {
		t.Errorf("outputs %v", res.outputs)
	}
}

func TestActionOtherEvents(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	tests := []struct {
		name, event, payload string
		wantFiles            []string
		wantNote             string
	}{
		{"push", "push", `{"before":"` + repo.base + `","after":"` + repo.head + `"}`, []string{"deploy/cron.yaml", "deploy/hpa.yaml"}, ""},
		{"push of a new branch", "push", `{"before":"0000000000000000000000000000000000000000","after":"` + repo.head + `"}`,
			[]string{"deploy/cron.yaml", "deploy/hpa.yaml", "legacy/old.yaml"}, "A new branch"},
		{"workflow_dispatch", "workflow_dispatch", `{"inputs":{}}`, []string{"deploy/cron.yaml", "deploy/hpa.yaml", "legacy/old.yaml"}, "has no change to compare against"},
		{"scope all on a pull request", "pull_request", "", []string{"deploy/cron.yaml", "deploy/hpa.yaml", "legacy/old.yaml"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newActionEnv(t, srv, repo)
			env["GITHUB_EVENT_NAME"] = tt.event
			if tt.payload != "" {
				p := filepath.Join(t.TempDir(), "event.json")
				if err := os.WriteFile(p, []byte(tt.payload), 0o644); err != nil {
					t.Fatal(err)
				}
				env["GITHUB_EVENT_PATH"] = p
			} else {
				env["INPUT_SCOPE"] = "all"
				env["INPUT_REVIEW"] = "false"
				env["INPUT_COMMENT"] = "false"
			}
			before := len(srv.Requests())
			res := env.run(t)
			if res.code != cli.ExitFindings {
				t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			var files []string
			for _, a := range annotationRe.FindAllStringSubmatch(res.stdout, -1) {
				f := regexp.MustCompile(`file=([^,]*)`).FindStringSubmatch(a[2])[1]
				if len(files) == 0 || files[len(files)-1] != f {
					files = append(files, f)
				}
			}
			slices.Sort(files)
			files = slices.Compact(files)
			if strings.Join(files, " ") != strings.Join(tt.wantFiles, " ") {
				t.Errorf("annotated files %v, want %v", files, tt.wantFiles)
			}
			if tt.wantNote != "" && !strings.Contains(res.summary, tt.wantNote) {
				t.Errorf("step summary lacks %q:\n%s", tt.wantNote, res.summary)
			}
			if tt.payload != "" && len(srv.Requests()) != before {
				t.Errorf("%s made %d API requests; only pull requests talk to the API", tt.event, len(srv.Requests())-before)
			}
		})
	}
}

// TestActionScansHeadNotMergeCommit checks out a merge commit whose lines
// differ from the head's, as actions/checkout does for pull_request
// events: findings must carry the head's line numbers.
func TestActionScansHeadNotMergeCommit(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	// main moves on: three lines at the top of cron.yaml.
	gitT(t, repo.dir, "checkout", "--quiet", "main")
	testfs.WriteFiles(t, repo.dir, map[string]string{"deploy/cron.yaml": "# owner: team-a\n# tier: batch\n# see docs\n" + cronBase})
	gitT(t, repo.dir, "commit", "--quiet", "-am", "main moves")
	gitT(t, repo.dir, "merge", "--quiet", "--no-edit", "nightly-report")
	env := newActionEnv(t, srv, repo)
	res := env.run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "file=deploy/cron.yaml,line=2,") || strings.Contains(res.stdout, "line=5,") {
		t.Errorf("findings are not on the head's lines:\n%s", res.stdout)
	}
	if !strings.Contains(res.summary, "from a temporary worktree") {
		t.Errorf("step summary does not say the head was scanned from a worktree:\n%s", res.summary)
	}
	if out := gitT(t, repo.dir, "worktree", "list"); strings.Count(out, "\n") != 0 {
		t.Errorf("temporary worktree left behind:\n%s", out)
	}
}

// TestActionPullRequestTarget: pull_request_target checks out the base;
// kubeready scans the head from a worktree, and comments with its lines.
func TestActionPullRequestTarget(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	gitT(t, repo.dir, "checkout", "--quiet", "main")
	env := newActionEnv(t, srv, repo)
	env["GITHUB_EVENT_NAME"] = "pull_request_target"
	res := env.run(t)
	if res.code != cli.ExitFindings || !strings.Contains(res.stdout, "file=deploy/hpa.yaml,line=1,") {
		t.Fatalf("exit %d; the head's new file was not scanned:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := len(srv.ReviewComments(7)); n != 2 {
		t.Errorf("%d review comments, want 2", n)
	}
}

// TestActionWithoutFileCommands: with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// unset (an old runner, act), go-githubactions would panic on them; the
// Action skips them.
func TestActionWithoutFileCommands(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	delete(env, "GITHUB_OUTPUT")
	delete(env, "GITHUB_STEP_SUMMARY")
	res := env.run(t)
	if res.code != cli.ExitFindings || strings.Contains(res.stderr, "panic") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
}

func TestActionInputErrors(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	for name, tt := range map[string]struct{ key, value, want string }{
		"target":   {"INPUT_TARGET", "1.2x", "--target"},
		"scope":    {"INPUT_SCOPE", "some", "--scope"},
		"boolean":  {"INPUT_REVIEW", "yes", "input review"},
		"fail-on":  {"INPUT_FAIL-ON", "sometimes", "--fail-on"},
		"platform": {"INPUT_PLATFORM", "gke", "--platform"},
		"current":  {"INPUT_CURRENT", "1.25", "--current 1.25: want a version older than --target"},
		"paths":    {"INPUT_PATHS", "../elsewhere", "outside the repository"},
	} {
		t.Run(name, func(t *testing.T) {
			env := newActionEnv(t, srv, repo)
			env[tt.key] = tt.value
			res := env.run(t)
			if res.code != cli.ExitError || !strings.Contains(res.stdout, "::error::kubeready: ") || !strings.Contains(res.stdout, tt.want) {
				t.Errorf("exit %d, stdout %q; want exit 2 and an error naming %q", res.code, res.stdout, tt.want)
			}
		})
	}
}

func TestActionMode(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	action := map[string]string{"GITHUB_ACTIONS": "true", "INPUT_TARGET": "1.25", "INPUT_GITHUB-TOKEN": "x"}
	if !Mode(nil, env(action)) {
		t.Error("the Docker action was not detected")
	}
	if Mode([]string{"."}, env(action)) {
		t.Error("arguments should mean the CLI")
	}
	if Mode(nil, env(map[string]string{"GITHUB_ACTIONS": "true"})) {
		t.Error("a `run: kubeready` step (no inputs) became the Action")
	}
	if Mode(nil, env(map[string]string{"INPUT_TARGET": "1.25"})) {
		t.Error("outside GitHub Actions")
	}
}

func TestPRChangeFallsBackToGit(t *testing.T) {
	repo := newTestRepo(t)
	for name, files := range map[string]func([]fakegithub.File) []fakegithub.File{
		"past the 3,000-file cap": func(fs []fakegithub.File) []fakegithub.File {
			for i := len(fs); i < 3005; i++ {
				fs = append(fs, fakegithub.File{Filename: "docs/" + strings.Repeat("x", 1+i%7) + string(rune('a'+i%26)) + ".md", Status: "modified"})
			}
			return fs
		},
		"a patch left out": func(fs []fakegithub.File) []fakegithub.File {
			fs[0].Patch = ""
			return fs
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := fakegithub.New(t, fakegithub.SpecPath(t))
			srv.AddPullRequest(&fakegithub.PullRequest{Number: 7, HeadSHA: repo.head, BaseSHA: repo.base, Files: files(repo.prFiles(t))})
			client, err := github.NewClient(srv.URL, srv.Token, &github.RetryTransport{})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := readEvent(repo.eventFile(t))
			if err != nil {
				t.Fatal(err)
			}
			a := &actionRun{ev: ev, workspace: repo.dir, client: client, place: &github.Placement{},
				pr: github.PullRequest{Owner: "octo", Repo: "deploys", Number: 7}}
			c := a.prChange(context.Background())
			if c == nil {
				t.Fatalf("no change; notes %v", a.place.Notes)
			}
			files := changedFiles(c)
			cron := files["deploy/cron.yaml"]
			if cron == nil || !cron.HasLine(2) || cron.HasLine(17) || files["deploy/hpa.yaml"] == nil || len(files) != 2 {
				t.Errorf("change from git: %v", c.Files())
			}
			if len(a.place.Notes) != 1 || !strings.Contains(a.place.Notes[0], "come from `git diff") {
				t.Errorf("notes %q", a.place.Notes)
			}
		})
	}
}

func TestReadEvent(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "e.json")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if ev, err := readEvent(filepath.Join(dir, "missing.json")); err != nil || ev.PullRequest != nil {
		t.Errorf("missing file: %v %v", ev, err)
	}
	if _, err := readEvent(write("{not json")); err == nil {
		t.Error("bad JSON accepted")
	}
	if _, err := readEvent(write(`{"pull_request":{"number":3}}`)); err == nil || !strings.Contains(err.Error(), "head.sha") {
		t.Errorf("pull_request without head.sha: %v", err)
	}
	ev, err := readEvent(write(`{"before":"a","after":"b"}`))
	if err != nil || ev.Before != "a" || ev.After != "b" {
		t.Errorf("push: %+v %v", ev, err)
	}
}

// TestActionHungAPI: every GitHub call hangs. The annotations, the step
// summary and the outputs are written before any API call, the run ends
// within its API budget (KUBEREADY_API_TIMEOUT), the exit code is the
// findings', and the token is never printed.
func TestActionHungAPI(t *testing.T) {
	repo := newTestRepo(t)
	srv := newActionFake(t, repo)
	srv.Inject(fakegithub.Fault{Hang: true, Times: 1000})
	env := newActionEnv(t, srv, repo)
	env["KUBEREADY_API_TIMEOUT"] = "3s"
	env["INPUT_REVIEW"] = "true"
	start := time.Now()
	res := env.run(t)
	took := time.Since(start)
	if took > 30*time.Second {
		t.Errorf("the run took %s with a 3s API budget", took)
	}
	if res.code != cli.ExitFindings {
		t.Errorf("exit %d, want %d (the findings decide)\n%s\n%s", res.code, cli.ExitFindings, res.stdout, res.stderr)
	}
	if n := len(annotationRe.FindAllString(res.stdout, -1)); n != 3 {
		t.Errorf("%d annotations, want the 3 findings", n)
	}
	if !strings.Contains(res.summary, "**3 findings**") {
		t.Errorf("step summary:\n%s", res.summary)
	}
	if res.outputs["findings"] == "" {
		t.Errorf("outputs %v", res.outputs)
	}
	for _, l := range strings.Split(res.stdout+res.stderr+res.summary, "\n") {
		if strings.Contains(l, srv.Token) && !strings.HasPrefix(l, "::add-mask::") {
			t.Errorf("the token was printed: %q", l)
		}
	}
	if len(srv.IssueComments(7)) != 0 {
		t.Error("a comment was written")
	}
}
