package checks

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/scan"
)

// runRules checks src as the engine does (per-document rules, then set
// rules over every document) at target on platform, with only the rules
// whose IDs are given (all when none).
func runRules(t *testing.T, src, target, platform string, ids ...string) (*scan.File, []Finding) {
	t.Helper()
	f := scan.NewFile("test.yaml", []byte(src))
	docs, perrs := scan.Parse(f)
	if len(perrs) > 0 {
		t.Fatalf("fixture does not parse: %v", perrs[0])
	}
	env := Env{Target: MustVersion(target), Platform: platform}
	var rules []*Rule
	for _, r := range Rules() {
		if r.Enabled(env) && (len(ids) == 0 || contains(ids, r.ID)) {
			rules = append(rules, r)
		}
	}
	var out, set []Finding
	var setDocs []*scan.Document
	for _, d := range docs {
		if !d.Sig.IsObject() {
			continue
		}
		out = append(out, Check(d, env, rules)...)
		if WantsSet(d.Sig.Kind, rules) {
			setDocs = append(setDocs, d)
		}
	}
	set = CheckSet(setDocs, env, rules)
	out = append(out, set...)
	sort.SliceStable(out, func(i, j int) bool { return Less(out[i], out[j]) })
	for _, fd := range out {
		if fd.Rule == InternalError.ID {
			t.Fatalf("internal error: %s", fd.Message)
		}
	}
	return f, out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// brief renders findings as "line:col rule severity" lines, for compact
// table-test expectations.
func brief(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d %s %s\n", f.Line, f.Column, f.Rule, f.Severity)
	}
	return b.String()
}

// apply applies the edits of one fix to data, last edit first. It fails the
// test on overlapping edits or edits outside the data.
func apply(t *testing.T, data []byte, fix Fix) string {
	t.Helper()
	edits := append([]Edit(nil), fix.Edits...)
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start > edits[j].Start })
	out := string(data)
	prev := len(data) + 1
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(data) || e.End > prev {
			t.Fatalf("bad edit %+v (data %d bytes, previous edit at %d)", e, len(data), prev)
		}
		out = out[:e.Start] + e.New + out[e.End:]
		prev = e.Start
	}
	return out
}

// only returns the findings of one rule.
func only(fs []Finding, id string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}
