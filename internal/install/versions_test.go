package install

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const semver = `v[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?`

// readmeVersions are the places in README.md that name a release.
var readmeVersions = []*regexp.Regexp{
	regexp.MustCompile(`kubeready/kubeready@(` + semver + `)`),
	regexp.MustCompile(`ghcr\.io/kubeready/kubeready:(` + semver + `)`),
	regexp.MustCompile(`releases/download/(` + semver + `)`),
	regexp.MustCompile(`(?m)^\s*rev: (` + semver + `)`),
	regexp.MustCompile(`kubeready_(` + semver[1:] + `)_`), // archive names: no v
}

// pinned returns each place under dir that names the release kubeready's
// users get, with the version it names.
func pinned(t *testing.T, dir string) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	var a actionYML
	readYAML(t, filepath.Join(dir, "action.yml"), &a)
	found["action.yml KUBEREADY_VERSION"] = []string{a.step(t, "install").Env["KUBEREADY_VERSION"]}

	var hooks []struct{ ID, Entry, Language string }
	readYAML(t, filepath.Join(dir, ".pre-commit-hooks.yaml"), &hooks)
	for _, h := range hooks {
		if h.Language == "docker_image" {
			img, tag, _ := strings.Cut(h.Entry, ":")
			if img != "ghcr.io/kubeready/kubeready" {
				t.Errorf("hook %s runs %s, not the image the release publishes", h.ID, h.Entry)
			}
			found[".pre-commit-hooks.yaml "+h.ID] = []string{tag}
		}
	}

	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range readmeVersions {
		for _, m := range re.FindAllStringSubmatch(string(readme), -1) {
			v := m[1]
			if !strings.HasPrefix(v, "v") {
				v = "v" + v
			}
			found["README.md "+re.String()] = append(found["README.md "+re.String()], v)
		}
	}
	return found
}

// checkOneVersion fails unless every place names want.
func checkOneVersion(t *testing.T, found map[string][]string, want string) {
	t.Helper()
	for where, vs := range found {
		for _, v := range vs {
			if v != want {
				t.Errorf("%s names %s, want %s", where, v, want)
			}
		}
	}
}

// TestPinnedVersions: the Action's release, the docker hook's image and the
// README's install steps name one version, and the release publishes that
// image. In the release workflow KUBEREADY_RELEASE_TAG is the tag pushed:
// then it must be that version, with a CHANGELOG.md section.
func TestPinnedVersions(t *testing.T) {
	found := pinned(t, root)
	want := found["action.yml KUBEREADY_VERSION"][0]
	if !regexp.MustCompile(`^` + semver + `$`).MatchString(want) {
		t.Fatalf("action.yml's KUBEREADY_VERSION %q is not vX.Y.Z", want)
	}
	for _, key := range []string{".pre-commit-hooks.yaml kubeready-docker", "README.md " + readmeVersions[0].String(), "README.md " + readmeVersions[2].String()} {
		if len(found[key]) == 0 {
			t.Errorf("no version found for %s", key)
		}
	}
	checkOneVersion(t, found, want)

	images := readGoreleaser(t).images(t, want)
	if hook := "ghcr.io/kubeready/kubeready:" + found[".pre-commit-hooks.yaml kubeready-docker"][0]; !slices.Contains(images, hook) {
		t.Errorf("the docker hook runs %s; release %s publishes %v", hook, want, images)
	}

	if tag := os.Getenv("KUBEREADY_RELEASE_TAG"); tag != "" {
		if tag != want {
			t.Errorf("releasing %s, but action.yml, the hooks and the README name %s: run .ci/set-version.sh %s", tag, want, tag)
		}
		if out, err := exec.Command("bash", filepath.Join(root, ".ci", "release-notes.sh"), tag).CombinedOutput(); err != nil {
			t.Errorf("release notes for %s: %v\n%s", tag, err, out)
		}
	}
}

// TestSetVersion runs .ci/set-version.sh on a copy of the files it edits:
// afterwards every place names the new version, and nothing else changed.
func TestSetVersion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	files := []string{"action.yml", ".pre-commit-hooks.yaml", "README.md", ".ci/set-version.sh"}
	before := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		before[f] = string(data)
		writeFile(t, filepath.Join(dir, f), string(data))
	}
	old := pinned(t, dir)["action.yml KUBEREADY_VERSION"][0]
	for _, v := range []string{"v10.20.30-rc.1", "v1.2.3"} {
		if out, err := exec.Command("bash", filepath.Join(dir, ".ci", "set-version.sh"), v).CombinedOutput(); err != nil {
			t.Fatalf("set-version.sh %s: %v\n%s", v, err, out)
		}
		checkOneVersion(t, pinned(t, dir), v)
	}
	// Back to the version it was: the files are as they were.
	if out, err := exec.Command("bash", filepath.Join(dir, ".ci", "set-version.sh"), old).CombinedOutput(); err != nil {
		t.Fatalf("set-version.sh %s: %v\n%s", old, err, out)
	}
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		if string(data) != before[f] {
			t.Errorf("%s changed after setting %s again", f, old)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.bak"))
	if out, err := exec.Command("bash", filepath.Join(dir, ".ci", "set-version.sh"), "1.2").CombinedOutput(); err == nil {
		t.Errorf("set-version.sh 1.2 succeeded: %s", out)
	}
	if len(left) != 0 {
		t.Errorf("left %v", left)
	}
}

// TestReleaseNotes: the release notes are the version's CHANGELOG.md section.
func TestReleaseNotes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	changelog := filepath.Join(t.TempDir(), "CHANGELOG.md")
	writeFile(t, changelog, `# Changelog

## [Unreleased]

- next

## [0.2.0] - 2026-03-01

### Fixed

- two

## [0.1.0] - 2026-01-01

- one
`)
	notes := func(v string) (string, error) {
		out, err := exec.Command("bash", filepath.Join(root, ".ci", "release-notes.sh"), v, changelog).Output()
		return string(out), err
	}
	if got, err := notes("v0.2.0"); err != nil || got != "\n### Fixed\n\n- two\n" {
		t.Errorf("notes for v0.2.0: %q, %v", got, err)
	}
	if got, err := notes("v0.1.0"); err != nil || got != "\n- one\n" {
		t.Errorf("notes for v0.1.0: %q, %v", got, err)
	}
	if got, err := notes("v0.3.0"); err == nil {
		t.Errorf("notes for v0.3.0, which has no section: %q", got)
	}
}

// TestReadmeGoVersion: the README states the minimum Go version as go.mod
// states it, wherever it names one.
func TestReadmeGoVersion(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`Go (1\.[0-9]+(?:\.[0-9]+)?)\b`).FindAllStringSubmatch(string(readme), -1)
	if len(named) == 0 {
		t.Fatal("README.md names no Go version")
	}
	for _, n := range named {
		if n[1] != string(m[1]) {
			t.Errorf("README.md says Go %s; go.mod says go %s", n[1], m[1])
		}
	}
	if want := fmt.Sprintf("Go %s or newer (`go %s` in go.mod)", m[1], m[1]); !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q", want)
	}
}

// TestHooks: the system hook is the golang hook's check with the kubeready
// on PATH; the docker hook runs the same check in the image.
func TestHooks(t *testing.T) {
	var hooks []map[string]any
	readYAML(t, filepath.Join(root, ".pre-commit-hooks.yaml"), &hooks)
	byID := map[string]map[string]any{}
	for _, h := range hooks {
		byID[h["id"].(string)] = h
	}
	golang, system, docker := byID["kubeready"], byID["kubeready-system"], byID["kubeready-docker"]
	if golang == nil || system == nil || docker == nil {
		t.Fatalf("hooks %v: want kubeready, kubeready-system and kubeready-docker", hooks)
	}
	if system["language"] != "system" || system["entry"] != "kubeready" || golang["language"] != "golang" || docker["language"] != "docker_image" {
		t.Errorf("languages/entries: %v %v %v", golang, system, docker)
	}
	for _, h := range []map[string]any{system, docker} {
		for _, k := range []string{"files", "exclude", "pass_filenames", "require_serial", "minimum_pre_commit_version"} {
			a, _ := yaml.Marshal(golang[k])
			b, _ := yaml.Marshal(h[k])
			if string(a) != string(b) {
				t.Errorf("hook %s: %s is %s, the kubeready hook's is %s", h["id"], k, b, a)
			}
		}
	}
}
