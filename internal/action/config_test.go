package action

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/internal/cli"
	"github.com/kubeready/kubeready/internal/fakegithub"
)

// The configuration is part of the pull request: on pull_request events the
// settings come from .kubeready.yaml at the base commit.

const configChangedNote = "This pull request changes .kubeready.yaml; the base branch's settings were used"

// annotatedAt lists the file:line of each annotation.
func annotatedAt(stdout string) []string {
	var out []string
	for _, a := range annotationRe.FindAllStringSubmatch(stdout, -1) {
		f := regexp.MustCompile(`file=([^,]*)`).FindStringSubmatch(a[2])
		l := regexp.MustCompile(`line=(\d+)`).FindStringSubmatch(a[2])
		if f != nil && l != nil {
			out = append(out, f[1]+":"+l[1])
		}
	}
	return out
}

func summaryComment(srv *fakegithub.Server) string {
	for _, c := range srv.IssueComments(7) {
		if c.User == fakegithub.BotLogin {
			return c.Body
		}
	}
	return ""
}

// TestActionPRConfigFromBase: the pull request rewrites .kubeready.yaml to
// silence everything (fail-on never, the rule its blockers break disabled,
// its directory ignored). The base's settings decide: its blockers fail the
// step, the rule the base disables stays disabled, and the summary (step
// summary and comment) says the pull request changes the file.
func TestActionPRConfigFromBase(t *testing.T) {
	repo := newTestRepoWith(t,
		map[string]string{".kubeready.yaml": "disable: [api-deprecated]\n"},
		map[string]string{".kubeready.yaml": "fail-on: never\ndisable: [api-removed]\nignore: [deploy]\nscope: lines\n"})
	srv := newActionFake(t, repo)
	res := newActionEnv(t, srv, repo).run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d: the base's fail-on (the default) decides\n%s\n%s", res.code, cli.ExitFindings, res.stdout, res.stderr)
	}
	if got := strings.Join(annotatedAt(res.stdout), " "); got != "deploy/cron.yaml:2 deploy/cron.yaml:17" {
		t.Errorf("annotations at %s, want cron.yaml:2 and :17 (the base disables api-deprecated; the PR's ignore, disable and scope count for nothing)", got)
	}
	if !strings.Contains(res.summary, configChangedNote) {
		t.Errorf("step summary lacks %q:\n%s", configChangedNote, res.summary)
	}
	if c := summaryComment(srv); !strings.Contains(c, configChangedNote) || strings.Count(c, configChangedNote) != 1 {
		t.Errorf("summary comment should say it once:\n%s", c)
	}
}

// TestActionPRAddsConfig: the base has no .kubeready.yaml and the pull
// request adds one that ignores everything: the defaults are used, and
// the note says so.
func TestActionPRAddsConfig(t *testing.T) {
	repo := newTestRepoWith(t, nil, map[string]string{".kubeready.yaml": "fail-on: never\nignore: ['**']\n"})
	srv := newActionFake(t, repo)
	res := newActionEnv(t, srv, repo).run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d (the defaults)\n%s", res.code, cli.ExitFindings, res.stdout)
	}
	if n := len(annotatedAt(res.stdout)); n != 3 {
		t.Errorf("%d annotations, want the 3 findings", n)
	}
	if !strings.Contains(res.summary, configChangedNote+": it has no .kubeready.yaml, so kubeready's defaults.") {
		t.Errorf("step summary:\n%s", res.summary)
	}
}

// TestActionPRConfigUnchanged: pull_request_target checks out the base and
// kubeready scans the head from a temporary worktree; the base's ignore
// glob names the pull request's files there. The file is unchanged: no
// note.
func TestActionPRConfigUnchanged(t *testing.T) {
	repo := newTestRepoWith(t, map[string]string{".kubeready.yaml": "ignore: [deploy/hpa.yaml]\nfail-on: warning\n"}, nil)
	srv := newActionFake(t, repo)
	for _, event := range []string{"pull_request", "pull_request_target"} {
		if event == "pull_request_target" {
			gitT(t, repo.dir, "checkout", "--quiet", "main")
		}
		env := newActionEnv(t, srv, repo)
		env["GITHUB_EVENT_NAME"] = event
		res := env.run(t)
		if res.code != cli.ExitFindings {
			t.Fatalf("%s: exit %d\n%s\n%s", event, res.code, res.stdout, res.stderr)
		}
		if got := strings.Join(annotatedAt(res.stdout), " "); got != "deploy/cron.yaml:2 deploy/cron.yaml:17" {
			t.Errorf("%s: annotations at %s, want hpa.yaml ignored by the base's glob", event, got)
		}
		if strings.Contains(res.summary, "changes .kubeready.yaml") {
			t.Errorf("%s: a note about a change the pull request does not make:\n%s", event, res.summary)
		}
	}
}

// TestActionPushKeepsWorkingTreeConfig: on a push the working tree's
// .kubeready.yaml decides, as for the CLI.
func TestActionPushKeepsWorkingTreeConfig(t *testing.T) {
	repo := newTestRepoWith(t, nil, map[string]string{".kubeready.yaml": "disable: [api-deprecated]\n"})
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	env["GITHUB_EVENT_NAME"] = "push"
	p := filepath.Join(t.TempDir(), "push.json")
	ev, _ := json.Marshal(map[string]string{"before": repo.base, "after": repo.head})
	if err := os.WriteFile(p, ev, 0o644); err != nil {
		t.Fatal(err)
	}
	env["GITHUB_EVENT_PATH"] = p
	res := env.run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", res.code, res.stdout)
	}
	if got := strings.Join(annotatedAt(res.stdout), " "); got != "deploy/cron.yaml:2 deploy/cron.yaml:17" {
		t.Errorf("annotations at %s, want hpa.yaml's warning disabled by the working tree's file", got)
	}
	if strings.Contains(res.summary, ".kubeready.yaml") {
		t.Errorf("a configuration note on a push:\n%s", res.summary)
	}
}

// TestActionBaseConfigPathsChecked: the base's file still goes through the
// configuration's checks: a values file outside the repository is refused.
func TestActionBaseConfigPathsChecked(t *testing.T) {
	repo := newTestRepoWith(t, map[string]string{".kubeready.yaml": "helm-values: ../../../etc/passwd\n"}, nil)
	srv := newActionFake(t, repo)
	res := newActionEnv(t, srv, repo).run(t)
	if res.code != cli.ExitError || !strings.Contains(res.stdout, "outside the repository") || !strings.Contains(res.stdout, "base commit") {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 2 naming the base's file and the refused path", res.code, res.stdout)
	}
	if len(srv.IssueComments(7)) != 0 {
		t.Error("a comment was written")
	}
}

// TestActionBaseUnreadable: the base commit is not in the checkout and
// cannot be fetched: the defaults are used (never the pull request's own
// file), with a warning and a note.
func TestActionBaseUnreadable(t *testing.T) {
	repo := newTestRepoWith(t, nil, map[string]string{".kubeready.yaml": "fail-on: never\n"})
	srv := newActionFake(t, repo)
	env := newActionEnv(t, srv, repo)
	data, err := os.ReadFile(env["GITHUB_EVENT_PATH"])
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	ev["pull_request"].(map[string]any)["base"].(map[string]any)["sha"] = strings.Repeat("e", 40)
	data, _ = json.Marshal(ev)
	if err := os.WriteFile(env["GITHUB_EVENT_PATH"], data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := env.run(t)
	if res.code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d: the pull request's fail-on never must not apply\n%s", res.code, cli.ExitFindings, res.stdout)
	}
	if !strings.Contains(res.stdout, "::warning::kubeready: could not read .kubeready.yaml at the pull request's base commit") {
		t.Errorf("no warning:\n%s", res.stdout)
	}
	if !strings.Contains(res.summary, "kubeready's defaults were used, not the pull request's file") {
		t.Errorf("step summary:\n%s", res.summary)
	}
}
