package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

var script = filepath.Join(root, ".github", "action", "install.sh")

// runners are the runners the Action serves, as the runner names them
// (RUNNER_OS, RUNNER_ARCH), with the GOOS and GOARCH of their release.
var runners = []struct{ os, arch, goos, goarch string }{
	{"Linux", "X64", "linux", "amd64"},
	{"Linux", "ARM64", "linux", "arm64"},
	{"macOS", "X64", "darwin", "amd64"},
	{"macOS", "ARM64", "darwin", "arm64"},
	{"Windows", "X64", "windows", "amd64"},
	{"Windows", "ARM64", "windows", "arm64"},
}

// TestRunnersAreTheReleaseTargets: the runners the script serves are the
// targets .goreleaser.yaml builds, no more and no fewer.
func TestRunnersAreTheReleaseTargets(t *testing.T) {
	g := readGoreleaser(t)
	var targets, served []string
	for _, goos := range g.Builds[0].Goos {
		for _, goarch := range g.Builds[0].Goarch {
			targets = append(targets, goos+"/"+goarch)
		}
	}
	for _, r := range runners {
		served = append(served, r.goos+"/"+r.goarch)
	}
	slices.Sort(targets)
	slices.Sort(served)
	if !slices.Equal(targets, served) {
		t.Errorf("release targets %v, runners served %v", targets, served)
	}
}

// release is a fake GitHub release: the archives and checksums file the
// real one has, by the names .goreleaser.yaml gives them, served under
// /kubeready/kubeready/releases/download/TAG/ with GitHub's redirect to
// another address.
type release struct {
	tag      string
	assets   map[string][]byte // by name
	binaries map[string][]byte // the binary inside each archive, by archive name
	srv      *httptest.Server

	mu       sync.Mutex
	requests []string
}

const fakeTag = "v1.2.3"

func newRelease(t *testing.T) *release {
	t.Helper()
	g := readGoreleaser(t)
	r := &release{tag: fakeTag, assets: map[string][]byte{}, binaries: map[string][]byte{}}
	var sums strings.Builder
	for _, rn := range runners {
		name := g.archiveName(t, r.tag, rn.goos, rn.goarch)
		bin := fmt.Appendf(nil, "#!/bin/sh\necho 'fake kubeready %s %s/%s'\n", r.tag, rn.goos, rn.goarch)
		exe := g.Builds[0].Binary
		if rn.goos == "windows" {
			exe += ".exe"
		}
		r.assets[name] = tarGz(t, map[string][]byte{"LICENSE": []byte("Apache-2.0\n"), exe: bin, "README.md": []byte("# kubeready\n")})
		r.binaries[name] = bin
		sum := sha256.Sum256(r.assets[name])
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	r.assets[g.checksumsName(t, r.tag)] = []byte(sums.String())

	mux := http.NewServeMux()
	mux.HandleFunc("GET /kubeready/kubeready/releases/download/{tag}/{name}", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.PathValue("tag")+"/"+req.PathValue("name"))
		r.mu.Unlock()
		http.Redirect(w, req, "/assets/"+req.PathValue("tag")+"/"+req.PathValue("name"), http.StatusFound)
	})
	mux.HandleFunc("GET /assets/{tag}/{name}", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		data, ok := r.assets[req.PathValue("name")]
		r.mu.Unlock()
		if !ok || req.PathValue("tag") != r.tag {
			http.NotFound(w, req)
			return
		}
		w.Write(data)
	})
	r.srv = httptest.NewServer(mux) // on 127.0.0.1
	t.Cleanup(r.srv.Close)
	return r
}

// set replaces an asset while the server runs (the handler reads under mu).
func (r *release) set(name string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.assets[name] = data
}

func (r *release) url() string { return r.srv.URL + "/kubeready/kubeready/releases/download" }

func (r *release) requested() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

func tarGz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[name])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// runner is the environment a runner gives the action's steps: a clean one
// (the tests may themselves run in GitHub Actions), the action checked out
// under _actions as for `uses: kubeready/kubeready@TAG`.
type runner struct {
	env  map[string]string
	temp string // RUNNER_TEMP
}

func newRunner(t *testing.T, osName, arch string) *runner {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	r := &runner{temp: filepath.Join(dir, "_temp")}
	for _, d := range []string{r.temp, filepath.Join(dir, "work"), filepath.Join(dir, "_actions", "kubeready", "kubeready", fakeTag)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.env = map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": dir, "GITHUB_ACTIONS": "true",
		"RUNNER_OS": osName, "RUNNER_ARCH": arch, "RUNNER_TEMP": r.temp,
		"GITHUB_OUTPUT":      filepath.Join(dir, "output"),
		"GITHUB_WORKSPACE":   filepath.Join(dir, "work"),
		"GITHUB_ACTION_PATH": filepath.Join(dir, "_actions", "kubeready", "kubeready", fakeTag),
		"KUBEREADY_VERSION":  fakeTag,
	}
	return r
}

type result struct {
	code           int
	stdout, stderr string
	outputs        map[string]string // written to GITHUB_OUTPUT
}

// run runs install.sh as action.yml does: bash SCRIPT [ARGS].
func (r *runner) run(t *testing.T, args ...string) result {
	t.Helper()
	os.Remove(r.env["GITHUB_OUTPUT"])
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(r.env["GITHUB_OUTPUT"])
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			res.outputs[k] = v
		}
	}
	return res
}

// TestInstallEachRunner installs the release on each runner: the script asks
// for the archive .goreleaser.yaml names for that OS and architecture (the
// fake server has no other), checks it, and puts the binary from it under
// RUNNER_TEMP.
func TestInstallEachRunner(t *testing.T) {
	g := readGoreleaser(t)
	rel := newRelease(t)
	for _, rn := range runners {
		t.Run(rn.os+"/"+rn.arch, func(t *testing.T) {
			r := newRunner(t, rn.os, rn.arch)
			r.env["KUBEREADY_RELEASES_URL"] = rel.url()
			before := len(rel.requested())
			res := r.run(t)
			if res.code != 0 {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			archive := g.archiveName(t, fakeTag, rn.goos, rn.goarch)
			if got, want := rel.requested()[before:], []string{fakeTag + "/" + g.checksumsName(t, fakeTag), fakeTag + "/" + archive}; !slices.Equal(got, want) {
				t.Errorf("requested %v, want %v", got, want)
			}
			if want := "kubeready: " + fakeTag + " for " + rn.goos + "/" + rn.goarch + ", SHA-256 "; !strings.Contains(res.stdout, want) {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			exe := "kubeready"
			if rn.goos == "windows" {
				exe += ".exe"
			}
			want := filepath.Join(r.temp, "kubeready-"+fakeTag, exe)
			if res.outputs["bin"] != want {
				t.Errorf("bin=%q, want %q", res.outputs["bin"], want)
			}
			got, err := os.ReadFile(want)
			if err != nil || !bytes.Equal(got, rel.binaries[archive]) {
				t.Errorf("%s is not the binary from %s: %q, %v", want, archive, got, err)
			}
			if rn.goos == runtime.GOOS && runtime.GOOS != "windows" {
				out, err := exec.Command(want).Output()
				if err != nil || !strings.Contains(string(out), "fake kubeready") {
					t.Errorf("running %s: %q, %v", want, out, err)
				}
			}
		})
	}
}

func TestInstallFails(t *testing.T) {
	g := readGoreleaser(t)
	archive := g.archiveName(t, fakeTag, "linux", "amd64")
	sums := g.checksumsName(t, fakeTag)
	for _, tc := range []struct {
		name   string
		change func(r *runner, rel *release)
		want   string
	}{{
		name: "wrong checksum",
		change: func(_ *runner, rel *release) {
			rel.set(archive, append(slices.Clone(rel.assets[archive]), 0)) // tampered with, or cut short
		},
		want: "checksum mismatch for " + archive + ": its SHA-256 is ",
	}, {
		name: "no checksum for the archive",
		change: func(_ *runner, rel *release) {
			var kept []string
			for line := range strings.Lines(string(rel.assets[sums])) {
				if !strings.HasSuffix(strings.TrimSpace(line), " "+archive) {
					kept = append(kept, line)
				}
			}
			rel.set(sums, []byte(strings.Join(kept, "")))
		},
		want: sums + " has no checksum for " + archive,
	}, {
		name:   "missing archive",
		change: func(_ *runner, rel *release) { rel.mu.Lock(); delete(rel.assets, archive); rel.mu.Unlock() },
		want:   "/" + fakeTag + "/" + archive + ": HTTP 404 (is kubeready " + fakeTag + " released, with an archive for linux/amd64?)",
	}, {
		name:   "unreleased version",
		change: func(r *runner, _ *release) { r.env["KUBEREADY_VERSION"] = "v9.9.9" },
		want:   "HTTP 404 (is kubeready v9.9.9 released",
	}, {
		name:   "not a version",
		change: func(r *runner, _ *release) { r.env["KUBEREADY_VERSION"] = "dev" },
		want:   "KUBEREADY_VERSION 'dev' is not a release (vX.Y.Z)",
	}, {
		name:   "unknown architecture",
		change: func(r *runner, _ *release) { r.env["RUNNER_ARCH"] = "ARM" },
		want:   "no release for the runner architecture 'ARM'",
	}, {
		name:   "unknown OS",
		change: func(r *runner, _ *release) { r.env["RUNNER_OS"] = "Plan9" },
		want:   "no release for the runner OS 'Plan9'",
	}, {
		name:   "server down",
		change: func(_ *runner, rel *release) { rel.srv.Close() },
		want:   "could not download http://127.0.0.1:",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rel := newRelease(t)
			r := newRunner(t, "Linux", "X64")
			r.env["KUBEREADY_RELEASES_URL"] = rel.url()
			tc.change(r, rel)
			res := r.run(t)
			if res.code == 0 {
				t.Fatalf("exit 0, want a failure")
			}
			if !strings.Contains(res.stderr, "::error title=kubeready::") || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr %q, want an error annotation with %q", res.stderr, tc.want)
			}
			if len(res.outputs) != 0 {
				t.Errorf("outputs %v after a failure", res.outputs)
			}
			if _, err := os.Stat(filepath.Join(r.temp, "kubeready-"+r.env["KUBEREADY_VERSION"], "kubeready")); err == nil {
				t.Error("a binary was installed")
			}
			if left, _ := filepath.Glob(filepath.Join(r.temp, "kubeready-download.*")); len(left) != 0 {
				t.Errorf("download directories left: %v", left)
			}
		})
	}
}

// TestInstallWithShasum runs the script as on a macOS runner without
// sha256sum: shasum checks the archive, and the script needs only the
// commands linked here.
func TestInstallWithShasum(t *testing.T) {
	bin := t.TempDir()
	for _, c := range []string{"bash", "curl", "tar", "gzip", "awk", "cut", "mkdir", "mktemp", "mv", "chmod", "rm", "shasum", "perl"} {
		p, err := exec.LookPath(c)
		if err != nil {
			t.Skipf("no %s", c)
		}
		if err := os.Symlink(p, filepath.Join(bin, c)); err != nil {
			t.Fatal(err)
		}
	}
	rel := newRelease(t)
	r := newRunner(t, "macOS", "ARM64")
	r.env["PATH"] = bin
	r.env["KUBEREADY_RELEASES_URL"] = rel.url()
	if res := r.run(t); res.code != 0 || res.outputs["bin"] == "" {
		t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.stderr)
	}
	rel.set(readGoreleaser(t).archiveName(t, fakeTag, "darwin", "arm64"), []byte("not it"))
	if res := r.run(t); res.code == 0 || !strings.Contains(res.stderr, "checksum mismatch") {
		t.Errorf("exit %d on a wrong checksum\n%s", res.code, res.stderr)
	}
}

// TestFromSource: the action is the checkout being tested (`uses: ./`,
// GITHUB_ACTION_PATH is GITHUB_WORKSPACE, here by another path to it): the
// script downloads nothing and says where the source is; `install.sh build`
// builds it with the version stamped.
func TestFromSource(t *testing.T) {
	rel := newRelease(t)
	r := newRunner(t, "Linux", "X64")
	r.env["KUBEREADY_RELEASES_URL"] = rel.url()
	r.env["KUBEREADY_VERSION"] = "v0.0.1" // not the checkout's version: not used
	work := r.env["GITHUB_WORKSPACE"]
	link := filepath.Join(t.TempDir(), "checkout")
	if err := os.Symlink(work, link); err != nil {
		t.Fatal(err)
	}
	r.env["GITHUB_ACTION_PATH"] = link
	res := r.run(t)
	if res.code != 0 || res.outputs["source"] != link || res.outputs["bin"] != "" {
		t.Fatalf("exit %d, outputs %v, want source=%s\n%s", res.code, res.outputs, link, res.stderr)
	}
	if got := rel.requested(); len(got) != 0 {
		t.Errorf("downloaded %v", got)
	}

	// A stand-in for kubeready's main package, tagged: the build stamps the tag.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go")
	}
	writeFile(t, filepath.Join(work, "go.mod"), "module example.com/kubeready\n\ngo 1.22\n")
	writeFile(t, filepath.Join(work, "main.go"), "package main\n\nvar version = \"dev\"\n\nfunc main() { println(\"kubeready\", version) }\n")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", work, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "main")
	git("tag", "v7.8.9")
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command(goBin, "env", k).Output()
		if err != nil {
			t.Fatal(err)
		}
		r.env[k] = strings.TrimSpace(string(out))
	}
	r.env["GOTOOLCHAIN"] = "local"
	res = r.run(t, "build")
	want := filepath.Join(r.temp, "kubeready-source", "kubeready")
	if res.code != 0 || res.outputs["bin"] != want {
		t.Fatalf("build: exit %d, outputs %v, want bin=%s\n%s", res.code, res.outputs, want, res.stderr)
	}
	out, err := exec.Command(want).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "kubeready v7.8.9" {
		t.Errorf("built binary says %q, %v; want the tag stamped", out, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
