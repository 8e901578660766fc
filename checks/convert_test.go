package checks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	goldenfile "github.com/kubeready/kubeready/internal/golden"

	"github.com/kubeready/kubeready/scan"
)

// fixCase is one input under testdata/fixes: NAME[@TARGET].EXT.
type fixCase struct {
	name, path, ext string
	target          Version
}

func fixCases(t testing.TB) []fixCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/fixes/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []fixCase
	for _, p := range paths {
		base := filepath.Base(p)
		ext := filepath.Ext(base)
		name := strings.TrimSuffix(base, ext)
		if ext != ".yaml" && ext != ".json" || strings.HasSuffix(name, ".fixed") || strings.HasSuffix(name, ".alt") {
			continue
		}
		target := MustVersion("1.25")
		if i := strings.LastIndexByte(name, '@'); i >= 0 {
			target = MustVersion(name[i+1:])
		}
		out = append(out, fixCase{name: name, path: p, ext: ext, target: target})
	}
	return out
}

// checkData checks data as the engine does: every rule enabled at target
// on each object, then the set rules over all of them.
func checkData(path string, data []byte, target Version) ([]Finding, []*scan.ParseError) {
	env := Env{Target: target, Platform: PlatformEKS}
	var rules []*Rule
	for _, r := range Rules() {
		if r.Enabled(env) {
			rules = append(rules, r)
		}
	}
	docs, perrs := scan.Parse(scan.NewFile(path, data))
	var out []Finding
	var setDocs []*scan.Document
	for _, d := range docs {
		if d.Sig.IsObject() {
			out = append(out, Check(d, env, rules)...)
			if WantsSet(d.Sig.Kind, rules) {
				setDocs = append(setDocs, d)
			}
		}
	}
	out = append(out, CheckSet(setDocs, env, rules)...)
	sort.SliceStable(out, func(i, j int) bool { return Less(out[i], out[j]) })
	return out, perrs
}

// applyChosen applies, for each finding, the fix choose picks; the fixes
// must not conflict.
func applyChosen(t *testing.T, data []byte, fs []Finding, choose func([]Fix) int) ([]byte, []Finding) {
	t.Helper()
	var fixes []Fix
	var fixed []Finding
	for _, f := range fs {
		if len(f.Fixes) > 0 {
			fixes = append(fixes, f.Fixes[choose(f.Fixes)])
			fixed = append(fixed, f)
		}
	}
	out, _, left, err := ApplyFixes(data, fixes)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("fixes conflict: %v", left)
	}
	return out, fixed
}

// droppedComments are comments a fix removes on purpose, with the field
// they annotate.
var droppedComments = map[string][]string{
	"workloads":     {"# the rollback kubectl used to request"},
	"endpointslice": {"# node-2 in zone b"},
}

var commentRE = regexp.MustCompile(`(?m)(?:^|\s)(#.*?)\r?$`)

// TestFixGolden applies the fixes to every input under testdata/fixes and
// compares the result byte for byte with NAME.fixed.EXT (first fix of each
// finding) and NAME.alt.EXT (last fix, where a finding has several), and
// the findings with their fixes with NAME.fixes.txt. It then checks the
// round trip: the fixed file parses, keeps its comments and line breaks,
// no longer has the fixed findings, and every converted object decodes
// strictly into its k8s.io/api type (strict_test.go).
func TestFixGolden(t *testing.T) {
	for _, tc := range fixCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			findings, perrs := checkData(tc.path, data, tc.target)
			if len(perrs) > 0 {
				t.Fatalf("input does not parse: %v", perrs[0])
			}
			golden(t, filepath.Join("testdata/fixes", tc.name+".fixes.txt"), []byte(describeFixes(findings)))
			first, fixed := applyChosen(t, data, findings, func([]Fix) int { return 0 })
			golden(t, filepath.Join("testdata/fixes", tc.name+".fixed"+tc.ext), first)
			roundTrip(t, tc, data, first, fixed)
			if slices.ContainsFunc(findings, func(f Finding) bool { return len(f.Fixes) > 1 }) {
				alt, fixed := applyChosen(t, data, findings, func(fs []Fix) int { return len(fs) - 1 })
				golden(t, filepath.Join("testdata/fixes", tc.name+".alt"+tc.ext), alt)
				roundTrip(t, tc, data, alt, fixed)
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Compare(t, path, got)
}

// describeFixes lists each finding and its fixes, one line each.
func describeFixes(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d %s %s/%s\n", f.Line, f.Column, f.Rule, f.Kind, f.Name)
		if len(f.Fixes) == 0 {
			b.WriteString("  no fix\n")
		}
		for _, fx := range f.Fixes {
			safety := "safe"
			if !fx.Safe {
				safety = "unsafe: " + fx.Reason
			}
			fmt.Fprintf(&b, "  fix: %s\n    (%s)\n", fx.Description, safety)
		}
	}
	return b.String()
}

func roundTrip(t *testing.T, tc fixCase, in, out []byte, fixed []Finding) {
	t.Helper()
	after, perrs := checkData(tc.path, out, tc.target)
	if len(perrs) > 0 {
		t.Fatalf("fixed file does not parse: line %d: %s", perrs[0].Line, perrs[0].Msg)
	}
	for _, f := range fixed {
		for _, g := range after {
			if g.Rule == f.Rule && g.Kind == f.Kind && g.Name == f.Name && g.Namespace == f.Namespace {
				t.Errorf("%s %s/%s still reported after its fix: %s", f.Rule, f.Kind, f.Name, g.Message)
			}
		}
	}
	if bytes.Contains(in, []byte("\r\n")) && bytes.Count(in, []byte("\n")) == bytes.Count(in, []byte("\r\n")) &&
		bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
		t.Errorf("a CRLF file got LF line breaks")
	}
	if bytes.HasPrefix(in, []byte("\xef\xbb\xbf")) != bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
		t.Errorf("byte-order mark lost or added")
	}
	base := strings.Split(tc.name, "@")[0]
	for _, m := range commentRE.FindAllSubmatch(in, -1) {
		c := string(m[1])
		if !bytes.Contains(out, m[1]) && !slices.Contains(droppedComments[base], c) {
			t.Errorf("comment %q lost", c)
		}
	}
	strictDecode(t, tc.path, in, out)
}

// TestConvertersExist keeps the convert column of data/apis.yaml and the
// converters in step, and checks that every row with a converter has a
// replacement to convert to.
func TestConvertersExist(t *testing.T) {
	for _, r := range APIs.Removals {
		if r.Convert == "" {
			continue
		}
		if converters[r.Convert] == nil {
			t.Errorf("%s %v: no converter %q", r.APIVersion, r.Kinds, r.Convert)
		}
		if len(r.Replacements) == 0 {
			t.Errorf("%s %v: converter %q but no replacement", r.APIVersion, r.Kinds, r.Convert)
		}
	}
}

// TestNoFixWhenReplacementNotServed: at 1.18 the Ingress replacement
// (networking.k8s.io/v1, from 1.19) is not served, so no fix is offered.
func TestNoFixWhenReplacementNotServed(t *testing.T) {
	data := []byte("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: x\nspec:\n  backend:\n    serviceName: a\n    servicePort: 80\n")
	for _, tc := range []struct {
		target string
		fixes  bool
	}{{"1.18", false}, {"1.19", true}, {"1.22", true}} {
		fs, _ := checkData("x.yaml", data, MustVersion(tc.target))
		if len(fs) != 1 {
			t.Fatalf("%s: %d findings", tc.target, len(fs))
		}
		if got := len(fs[0].Fixes) > 0; got != tc.fixes {
			t.Errorf("target %s: fixes offered = %v, want %v", tc.target, got, tc.fixes)
		}
	}
}
