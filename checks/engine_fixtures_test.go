package checks_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/internal/engine"
)

// Engine-reported rules (invalid-yaml, limit-exceeded, helm-render-error,
// ...) have no Check: the engine reports them while reading, rendering or
// building. Their fixture folders hold cases that the engine runs on: a
// file, or a directory (a chart, a kustomization). Every file of a case may
// carry `# want:` comments, in the syntax of testdata/rules/README.md, and
// a case's files may set the engine's limits in their header:
// `# current: 1.20` (the --current render) and `# max-file-size: 300`.

// engineHeader is an engine setting in a case file's header.
var engineHeader = regexp.MustCompile(`(?m)^#\s*(current|max-file-size):\s*(\S+)\s*$`)

func TestEngineRuleFixtures(t *testing.T) {
	ents, err := os.ReadDir(checks.FixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		id := e.Name()
		if !e.IsDir() || !checks.EngineReported(id) {
			continue
		}
		cases, err := os.ReadDir(filepath.Join(checks.FixtureRoot, id))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if !c.IsDir() && !strings.HasSuffix(c.Name(), ".yaml") {
				continue
			}
			path := filepath.Join(checks.FixtureRoot, id, c.Name())
			t.Run(id+"/"+c.Name(), func(t *testing.T) { runEngineCase(t, id, path) })
		}
	}
}

// engineCaseFiles reads the fixture files of one case.
func engineCaseFiles(t *testing.T, path string) []*checks.FixtureFile {
	t.Helper()
	var out []*checks.FixtureFile
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fx, err := checks.ReadFixtureFile(p)
		if err != nil {
			return err
		}
		out = append(out, fx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runEngineCase(t *testing.T, id, path string) {
	files := engineCaseFiles(t, path)
	cfg := engine.Config{Workers: 1, Limits: engine.DefaultLimits, Render: engine.Render{Timeout: time.Minute}}
	target, platform := "1.25", checks.PlatformEKS
	rules := []string{id}
	byPath := map[string]*checks.FixtureFile{}
	for _, fx := range files {
		byPath[fx.Path()] = fx
		if fx.Target() != "1.25" {
			target = fx.Target()
		}
		if fx.Platform() != checks.PlatformEKS {
			platform = fx.Platform()
		}
		for _, r := range fx.Rules(id) {
			if !slices.Contains(rules, r) {
				rules = append(rules, r)
			}
		}
		data, _ := os.ReadFile(fx.Path())
		for _, m := range engineHeader.FindAllStringSubmatch(string(data), -1) {
			switch m[1] {
			case "current":
				cfg.Render.Current = checks.MustVersion(m[2])
			case "max-file-size":
				n, err := strconv.ParseInt(m[2], 10, 64)
				if err != nil {
					t.Fatalf("%s: max-file-size %q", fx.Path(), m[2])
				}
				cfg.Limits.MaxFileSize = n
			}
		}
	}
	cfg.Env = checks.Env{Target: checks.MustVersion(target), Platform: platform}
	rep := &annotate.Report{}
	engine.Run(context.Background(), cfg, []string{path}, nil, rep)
	for _, e := range rep.Errors {
		t.Errorf("run error: %s: %s", e.File, e.Message)
	}
	for _, f := range rep.Findings {
		if !slices.Contains(rules, f.Rule) {
			continue
		}
		fx := byPath[f.File]
		if fx == nil || !fx.Match(f) {
			t.Errorf("%s:%d:%d: unexpected %s %s: %s", f.File, f.Line, f.Column, f.Rule, f.Severity, f.Message)
		}
	}
	for _, fx := range files {
		for _, w := range fx.Unmatched() {
			t.Errorf("%s: no finding for want %s", fx.Path(), w)
		}
	}
}
