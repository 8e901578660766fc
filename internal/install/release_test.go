package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// goreleaser is the part of .goreleaser.yaml the tests read.
type goreleaser struct {
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string
		Binary  string
		Goos    []string
		Goarch  []string
		Ldflags []string
	}
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string
			Formats []string
		} `yaml:"format_overrides"`
	}
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string
	}
	DockersV2 []struct {
		Images    []string
		Tags      []string
		Platforms []string
		BuildArgs map[string]string `yaml:"build_args"`
	} `yaml:"dockers_v2"`
}

func readGoreleaser(t *testing.T) goreleaser {
	t.Helper()
	var g goreleaser
	readYAML(t, filepath.Join(root, ".goreleaser.yaml"), &g)
	if len(g.Builds) != 1 || len(g.Archives) != 1 || len(g.DockersV2) != 1 {
		t.Fatalf(".goreleaser.yaml: want one build, one archive and one image, got %d, %d, %d", len(g.Builds), len(g.Archives), len(g.DockersV2))
	}
	return g
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// templateFields are the GoReleaser template fields the names use, for a
// release of tag (vX.Y.Z).
type templateFields struct {
	ProjectName, Version, Tag, Major, Prerelease, Os, Arch string
}

func fieldsFor(g goreleaser, tag, goos, goarch string) templateFields {
	version := strings.TrimPrefix(tag, "v")
	core, pre, _ := strings.Cut(version, "-")
	major, _, _ := strings.Cut(core, ".")
	return templateFields{ProjectName: g.ProjectName, Version: version, Tag: tag, Major: major, Prerelease: pre, Os: goos, Arch: goarch}
}

// render applies a GoReleaser template with Go's text/template, which
// GoReleaser's templates are; a field they use that is not in
// templateFields fails the test.
func render(t *testing.T, text string, f templateFields) string {
	t.Helper()
	tmpl, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, f); err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	return b.String()
}

// archiveName is the name of the release archive for goos/goarch.
func (g goreleaser) archiveName(t *testing.T, tag, goos, goarch string) string {
	t.Helper()
	a := g.Archives[0]
	format := a.Formats
	for _, o := range a.FormatOverrides {
		if o.Goos == goos {
			format = o.Formats
		}
	}
	if len(format) != 1 {
		t.Fatalf("archive formats %v for %s: want one", format, goos)
	}
	return render(t, a.NameTemplate, fieldsFor(g, tag, goos, goarch)) + "." + format[0]
}

func (g goreleaser) checksumsName(t *testing.T, tag string) string {
	t.Helper()
	if g.Checksum.Algorithm != "sha256" {
		t.Fatalf("checksum algorithm %q: the Action checks SHA-256", g.Checksum.Algorithm)
	}
	return render(t, g.Checksum.NameTemplate, fieldsFor(g, tag, "", ""))
}

// images are the image references the release pushes for tag.
func (g goreleaser) images(t *testing.T, tag string) []string {
	t.Helper()
	var refs []string
	for _, d := range g.DockersV2 {
		for _, img := range d.Images {
			for _, tt := range d.Tags {
				if tag := render(t, tt, fieldsFor(g, tag, "", "")); tag != "" {
					refs = append(refs, img+":"+tag)
				}
			}
		}
	}
	return refs
}

// TestGoreleaserConfig checks what the issue asks of the release: archives
// for linux, darwin and windows on amd64 and arm64, the version stamped into
// main.version, and a multi-arch image tagged with the version and its major.
func TestGoreleaserConfig(t *testing.T) {
	g := readGoreleaser(t)
	b := g.Builds[0]
	if strings.Join(b.Goos, ",") != "linux,darwin,windows" || strings.Join(b.Goarch, ",") != "amd64,arm64" {
		t.Errorf("targets %v × %v", b.Goos, b.Goarch)
	}
	if len(b.Ldflags) != 1 || !strings.Contains(b.Ldflags[0], "-X main.version={{.Version}}") {
		t.Errorf("ldflags %q: want -X main.version={{.Version}}", b.Ldflags)
	}
	d := g.DockersV2[0]
	if strings.Join(d.Platforms, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("image platforms %v", d.Platforms)
	}
	if d.BuildArgs["BINARY"] != "release" {
		t.Errorf("build_args %v: the Dockerfile takes the built binaries with BINARY=release", d.BuildArgs)
	}
	if got, want := strings.Join(g.images(t, "v1.2.3"), " "), "ghcr.io/kubeready/kubeready:v1.2.3 ghcr.io/kubeready/kubeready:v1"; got != want {
		t.Errorf("images of v1.2.3: %s, want %s", got, want)
	}
	// A pre-release does not move vMAJOR.
	if got, want := strings.Join(g.images(t, "v1.3.0-rc.1"), " "), "ghcr.io/kubeready/kubeready:v1.3.0-rc.1"; got != want {
		t.Errorf("images of v1.3.0-rc.1: %s, want %s", got, want)
	}

	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	// dockers_v2 puts each platform's binary at <os>/<arch>/<binary>.
	if want := "COPY ${TARGETPLATFORM}/" + b.Binary + " "; !strings.Contains(string(dockerfile), want) {
		t.Errorf("the Dockerfile's release stage lacks %q", want)
	}
}
