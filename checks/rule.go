package checks

import (
	"fmt"
	"slices"

	"github.com/kubeready/kubeready/scan"
)

// Platforms accepted by --platform.
const (
	PlatformEKS     = "eks"
	PlatformGeneric = "generic"
)

// Env is what a rule may know besides the document: the target version and
// the platform.
type Env struct {
	Target   Version
	Platform string
	// NoFixes tells rules that nothing will read the findings' fixes (plain
	// text output), so expensive ones (API conversions, each checked by a
	// re-parse) need not be built.
	NoFixes bool
	// CustomAPIs are a team's own custom resource API versions (apis: in
	// .kubeready.yaml), checked by api-third-party in Kubernetes versions.
	CustomAPIs []ThirdPartyAPI
	// sets is what the set rules of one CheckSet call share (the drain
	// summary); nil outside CheckSet.
	sets *setMemo
}

// setMemo holds summaries the set rules of one run share.
type setMemo struct {
	drain *drainMemo
}

// Rule is a registered, self-describing check. Its metadata feeds
// `kubeready rules`, `kubeready explain` and docs/rules.md.
type Rule struct {
	// ID is part of the public interface (output, suppressions, config).
	ID    string
	Title string
	// Severity is the rule's severity at the default target (1.25), or where
	// it starts to apply; SeverityAt may refine it by target.
	Severity Severity
	// Since is the first target version at which the rule applies.
	Since string
	// Platform limits the rule to one platform ("eks"); empty means any.
	Platform string
	// Rationale says what breaks and why; Fix says what to do; Example shows
	// a manifest that triggers it.
	Rationale, Fix, Example string
	// Source is the URL of the fact behind the rule.
	Source string
	// Kinds lists the object kinds whose full Node the rule reads; "*" is any
	// object. The rule sees only documents of these kinds. Nil means the rule
	// sees every object and reads only its signature (or parses the Node
	// itself after a cheap test, as metadata-clustername does).
	Kinds []string
	// SeverityAt returns the severity at a target and whether the rule
	// applies there at all. Nil means Severity from Since on.
	SeverityAt func(Version) (Severity, bool)
	// Check returns the rule's findings for one document. It must not print
	// and must not keep state between calls. Nil for rules the engine
	// reports itself (invalid-yaml, internal-error) and for set rules.
	Check func(r *Rule, d *scan.Document, env Env) []Finding
	// CheckSet is the variant for rules that compare documents with each
	// other (a PodDisruptionBudget and the workloads it covers). It gets
	// every document of the run whose kind is in Kinds, in input order, once
	// all inputs are read. Like Check it is pure: documents in, findings out.
	CheckSet func(r *Rule, docs []*scan.Document, env Env) []Finding
}

// At returns the rule's severity at target and whether it applies there.
func (r *Rule) At(target Version) (Severity, bool) {
	if r.SeverityAt != nil {
		return r.SeverityAt(target)
	}
	if r.Since != "" && target.Less(MustVersion(r.Since)) {
		return r.Severity, false
	}
	return r.Severity, true
}

// Enabled reports whether the rule runs in env.
func (r *Rule) Enabled(env Env) bool {
	if r.Platform != "" && r.Platform != env.Platform {
		return false
	}
	_, ok := r.At(env.Target)
	return ok
}

// WantsNode reports whether the rule reads the full Node of a document of kind.
func (r *Rule) WantsNode(kind string) bool {
	return slices.Contains(r.Kinds, "*") || slices.Contains(r.Kinds, kind)
}

// SourceFile returns the file that declares the rule, relative to the
// repository root ("checks/eks_alb.go"), or "" for a rule declared outside
// package checks. Rules live in files named for their ID or family;
// reported.go holds the rules the engine reports.
func (r *Rule) SourceFile() string {
	if f, ok := ruleFiles[r.ID]; ok {
		return "checks/" + f
	}
	return ""
}

// Rules returns every registered rule in a stable order.
func Rules() []*Rule { return registry }

// Lookup returns the rule with id, or nil.
func Lookup(id string) *Rule {
	for _, r := range registry {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Check runs every enabled rule on one document: a rule that lists Kinds
// sees only documents of those kinds, one without Kinds sees every object.
// A rule that panics gives one internal-error finding naming the rule; the
// other rules still run.
func Check(d *scan.Document, env Env, rules []*Rule) []Finding {
	var out []Finding
	for _, r := range rules {
		if r.Check == nil || (len(r.Kinds) > 0 && !r.WantsNode(d.Sig.Kind)) {
			continue
		}
		out = append(out, runRule(r, d, env)...)
	}
	return out
}

// CheckSet runs every enabled set rule on the documents of a run, each rule
// seeing only the documents whose kind it lists. A rule that panics gives one
// internal-error finding; the other rules still run.
func CheckSet(docs []*scan.Document, env Env, rules []*Rule) []Finding {
	var out []Finding
	env.sets = &setMemo{}
	for _, r := range rules {
		if r.CheckSet == nil {
			continue
		}
		var mine []*scan.Document
		for _, d := range docs {
			if r.WantsNode(d.Sig.Kind) {
				mine = append(mine, d)
			}
		}
		if len(mine) > 0 {
			out = append(out, runSetRule(r, mine, env)...)
		}
	}
	return out
}

// WantsSet reports whether any of rules is a set rule that reads documents of kind.
func WantsSet(kind string, rules []*Rule) bool {
	for _, r := range rules {
		if r.CheckSet != nil && r.WantsNode(kind) {
			return true
		}
	}
	return false
}

func runSetRule(r *Rule, docs []*scan.Document, env Env) (fs []Finding) {
	defer func() {
		if p := recover(); p != nil {
			d := docs[0]
			fs = []Finding{InternalError.Finding(d, env, d.Sig.APIVersionPos, fmt.Sprintf("rule %s failed on the documents of this run: %v", r.ID, p))}
		}
	}()
	return r.CheckSet(r, docs, env)
}

func runRule(r *Rule, d *scan.Document, env Env) (fs []Finding) {
	defer func() {
		if p := recover(); p != nil {
			fs = []Finding{InternalError.Finding(d, env, d.Sig.APIVersionPos, fmt.Sprintf("rule %s failed on this document: %v", r.ID, p))}
		}
	}()
	fs = r.Check(r, d, env)
	for i := range fs {
		fill(&fs[i], r, d)
	}
	return fs
}

// Finding makes a finding of rule r at pos in document d, with the rule's
// severity at the target and the object's identity filled in.
func (r *Rule) Finding(d *scan.Document, env Env, pos scan.Pos, msg string) Finding {
	sev, _ := r.At(env.Target)
	f := Finding{Rule: r.ID, Severity: sev, Line: pos.Line, Column: pos.Col, Message: msg, URL: r.Source}
	fill(&f, r, d)
	return f
}

func fill(f *Finding, r *Rule, d *scan.Document) {
	if f.Rule == "" {
		f.Rule = r.ID
	}
	if f.URL == "" {
		f.URL = r.Source
	}
	if d == nil {
		return
	}
	f.File = d.File.Path
	if f.Line == 0 {
		f.Line, f.Column = d.StartLine, 1
	}
	if f.Column == 0 {
		f.Column = 1
	}
	f.DocStart, f.DocEnd = d.StartLine, d.EndLine
	if f.APIVersion == "" && f.Kind == "" {
		f.APIVersion, f.Kind, f.Name, f.Namespace = d.Sig.APIVersion, d.Sig.Kind, d.Sig.Name, d.Sig.Namespace
	}
}
