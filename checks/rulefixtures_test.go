package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Rule fixtures: testdata/rules/<rule-id>/*.yaml, each a manifest whose
// offending lines carry the findings they must give as `# want:` comments.
// testdata/rules/README.md is the reference for the syntax.

const fixtureDir = "testdata/rules"

// fixture is one fixture file, read.
type fixture struct {
	path             string
	src              string
	target, platform string
	wants            []*want
}

// want is one expected finding.
type want struct {
	line     int
	rule     string
	severity string
	col      int // 0: any column
	re       *regexp.Regexp
	matched  bool
}

func (w *want) String() string {
	s := fmt.Sprintf("line %d: %s %s", w.line, w.rule, w.severity)
	if w.col > 0 {
		s += fmt.Sprintf(" col=%d", w.col)
	}
	return s + fmt.Sprintf(" %q", w.re)
}

// wantComment finds a `# want:` (or `# want+N:`, `# want-N:`) comment on a line.
var wantComment = regexp.MustCompile(`(?:^|\s)#\s*want([+-][0-9]+)?:(.*)$`)

// headerKey is a `# key: value` line of the header.
var headerKey = regexp.MustCompile(`^#\s*(target|platform):\s*(\S+)\s*$`)

// readFixture reads a fixture file: the header's target and platform (1.25
// and eks by default, the CLI's defaults) and every want.
func readFixture(path string) (*fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fx := &fixture{path: path, src: string(data), target: "1.25", platform: PlatformEKS}
	lines := strings.Split(strings.ReplaceAll(fx.src, "\r\n", "\n"), "\n")
	header := true
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if header && t != "" && !strings.HasPrefix(t, "#") {
			header = false
		}
		if m := headerKey.FindStringSubmatch(t); header && m != nil {
			switch m[1] {
			case "target":
				if _, err := ParseVersion(m[2]); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
				}
				fx.target = m[2]
			case "platform":
				if m[2] != PlatformEKS && m[2] != PlatformGeneric {
					return nil, fmt.Errorf("%s:%d: platform %q: want eks or generic", path, i+1, m[2])
				}
				fx.platform = m[2]
			}
			continue
		}
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		at := i + 1
		if m[1] != "" {
			off, _ := strconv.Atoi(m[1])
			at += off
		}
		ws, err := parseWants(m[2], at)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		if at < 1 || at > len(lines) {
			return nil, fmt.Errorf("%s:%d: want for line %d, outside the file", path, i+1, at)
		}
		fx.wants = append(fx.wants, ws...)
	}
	return fx, nil
}

// parseWants reads the expectations of one want comment: one or more
// `<rule-id> <severity> [col=N] "<regexp>"`.
func parseWants(s string, line int) ([]*want, error) {
	var out []*want
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		f := strings.Fields(s)
		if len(f) < 3 {
			return nil, fmt.Errorf("want %q: need <rule-id> <severity> [col=N] \"<regexp>\"", s)
		}
		w := &want{line: line, rule: f[0], severity: f[1]}
		if Lookup(w.rule) == nil {
			return nil, fmt.Errorf("want: no rule %q", w.rule)
		}
		if _, err := ParseSeverity(w.severity); err != nil {
			return nil, fmt.Errorf("want: %v", err)
		}
		s = strings.TrimSpace(strings.TrimSpace(s[len(f[0]):])[len(f[1]):])
		if c, ok := strings.CutPrefix(f[2], "col="); ok {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("want: bad column %q", f[2])
			}
			w.col = n
			s = strings.TrimSpace(s[len(f[2]):])
		}
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, fmt.Errorf("want %s %s: the message regexp must be a quoted string (\"...\" or `...`)", w.rule, w.severity)
		}
		re, _ := strconv.Unquote(q)
		if w.re, err = regexp.Compile(re); err != nil {
			return nil, fmt.Errorf("want: %v", err)
		}
		s = s[len(q):]
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty want")
	}
	return out, nil
}

// rules are the rules a fixture runs: its folder's rule and every rule a
// want names.
func (fx *fixture) rules(folder string) []string {
	ids := []string{folder}
	for _, w := range fx.wants {
		if !slices.Contains(ids, w.rule) {
			ids = append(ids, w.rule)
		}
	}
	return ids
}

// wantsRule reports whether the fixture expects a finding of rule id.
func (fx *fixture) wantsRule(id string) bool {
	return slices.ContainsFunc(fx.wants, func(w *want) bool { return w.rule == id })
}

// match marks and returns the first unmatched want that f satisfies.
func (fx *fixture) match(f Finding) *want {
	for _, w := range fx.wants {
		if !w.matched && w.rule == f.Rule && w.line == f.Line && w.severity == f.Severity.String() &&
			(w.col == 0 || w.col == f.Column) && w.re.MatchString(f.Message) {
			w.matched = true
			return w
		}
	}
	return nil
}

// fixtureFolders lists the folders of testdata/rules, each named for a rule.
func fixtureFolders(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// readFolder reads every fixture of a rule's folder: its *.yaml files, and
// for an engine-reported rule also every file of its case directories.
func readFolder(t *testing.T, id string) []*fixture {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir, id, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if EngineReported(id) {
		dirs, _ := filepath.Glob(filepath.Join(fixtureDir, id, "*"))
		for _, d := range dirs {
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				continue
			}
			_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					paths = append(paths, p)
				}
				return err
			})
		}
	}
	var out []*fixture
	for _, p := range paths {
		fx, err := readFixture(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fx)
	}
	return out
}

// TestRuleFixtures checks every fixture as the engine would check the file
// (per-document rules, then set rules over all its documents): the findings
// of the rules it runs must be exactly its wants.
func TestRuleFixtures(t *testing.T) {
	for _, id := range fixtureFolders(t) {
		if Lookup(id) == nil {
			t.Errorf("%s/%s: no rule %s is registered", fixtureDir, id, id)
			continue
		}
		if EngineReported(id) {
			continue // the engine runs these cases: TestEngineRuleFixtures
		}
		for _, fx := range readFolder(t, id) {
			t.Run(id+"/"+filepath.Base(fx.path), func(t *testing.T) {
				_, fs := runRules(t, fx.src, fx.target, fx.platform, fx.rules(id)...)
				for _, f := range fs {
					if f.Message == "" || f.URL == "" || f.File != "test.yaml" {
						t.Errorf("%s:%d: incomplete finding %+v", fx.path, f.Line, f)
					}
					if fx.match(f) == nil {
						t.Errorf("%s:%d:%d: unexpected %s %s: %s", fx.path, f.Line, f.Column, f.Rule, f.Severity, f.Message)
					}
				}
				for _, w := range fx.wants {
					if !w.matched {
						t.Errorf("%s: no finding for want %s", fx.path, w)
					}
				}
				if t.Failed() {
					t.Logf("target %s, platform %s; findings:\n%s", fx.target, fx.platform, describe(fs))
				}
			})
		}
	}
}

func describe(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %d:%d %s %s %q\n", f.Line, f.Column, f.Rule, f.Severity, f.Message)
	}
	return b.String()
}

// noFixtures are the rules that have no fixture folder, each with the
// reason. Only rules the engine reports (no Check, no CheckSet) may be here;
// the other engine-reported rules have folders of cases that
// TestEngineRuleFixtures (engine_fixtures_test.go) runs through the engine.
var noFixtures = map[string]string{
	"file-unreadable":   "the engine reports it when reading fails, which no file content can cause; engine.go's read path",
	"internal-error":    "reported for a rule that panics (checks.Check recovers); TestPanickingRuleBecomesInternalError covers it",
	"helm-gated-api":    "the engine reports it from a chart's templates (scan.Chart.GatedAPIs), not a document; scan/helmgated_test.go and testdata/cases/helm-gated cover it",
	"helm-remote-chart": "the engine reports it from a GitOps file's releases (internal/engine/gitops.go); testdata/cases/gitops covers it",
}

// TestEveryRuleHasFixtures fails when a rule has no fixture folder, or a
// folder has no positive case (a file with a want for its rule) or no
// negative case (a file without one).
func TestEveryRuleHasFixtures(t *testing.T) {
	folders := fixtureFolders(t)
	for id, why := range noFixtures {
		r := Lookup(id)
		switch {
		case r == nil:
			t.Errorf("noFixtures: %s is not a registered rule", id)
		case r.Check != nil || r.CheckSet != nil:
			t.Errorf("noFixtures: %s has a Check; give it a fixture folder instead (%s)", id, why)
		case slices.Contains(folders, id):
			t.Errorf("noFixtures: %s has a fixture folder; drop it from the list", id)
		}
	}
	for _, r := range Rules() {
		if _, ok := noFixtures[r.ID]; ok {
			continue
		}
		if !slices.Contains(folders, r.ID) {
			t.Errorf("rule %s has no fixture folder %s/%s", r.ID, fixtureDir, r.ID)
			continue
		}
		var pos, neg bool
		for _, fx := range readFolder(t, r.ID) {
			if fx.wantsRule(r.ID) {
				pos = true
			} else {
				neg = true
			}
		}
		if !pos {
			t.Errorf("%s/%s: no positive case (a file with a `# want: %s` comment)", fixtureDir, r.ID, r.ID)
		}
		if !neg {
			t.Errorf("%s/%s: no negative case (a file without a want for %s)", fixtureDir, r.ID, r.ID)
		}
	}
}

// TestFixtureSyntax checks the want parser on the forms the README gives.
func TestFixtureSyntax(t *testing.T) {
	dir := t.TempDir()
	src := "# A header comment.\n# target: 1.27\n# platform: generic\napiVersion: v1 # want: api-removed error \"a\" api-deprecated warning col=3 `b\\.c`\nkind: Pod\n# want-1: psp-rbac info \"x\"\n# want+1: psp-rbac info \"y\"\nmetadata: {}\n"
	p := filepath.Join(dir, "x.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fx, err := readFixture(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range fx.wants {
		got = append(got, w.String())
	}
	want := []string{`line 4: api-removed error "a"`, `line 4: api-deprecated warning col=3 "b\\.c"`, `line 5: psp-rbac info "x"`, `line 8: psp-rbac info "y"`}
	if !slices.Equal(got, want) || fx.target != "1.27" || fx.platform != PlatformGeneric {
		t.Errorf("got %q (target %s, platform %s), want %q", got, fx.target, fx.platform, want)
	}
	for _, bad := range []string{"x: 1 # want: no-such-rule error \"a\"\n", "x: 1 # want: psp-rbac fatal \"a\"\n", "x: 1 # want: psp-rbac error unquoted\n", "x: 1 # want: psp-rbac error col=0 \"a\"\n", "x: 1 # want-5: psp-rbac error \"a\"\n"} {
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readFixture(p); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
