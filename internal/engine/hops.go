package engine

import (
	"context"
	"sort"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// The hop stage: EKS (like kubeadm) moves the control plane one minor
// version at a time, and what blocks 1.26 differs from what blocks 1.25.
// With a current version (--current, current: in .kubeready.yaml, the
// Action's current input) the inputs are checked at every hop, current+1
// … target, and each finding says the first hop it blocks; without one the
// plan is the target alone.

// Hops are the versions an upgrade from current to target passes through,
// oldest first: current+1 … target, or the target alone when current is
// zero or not older.
func Hops(current, target checks.Version) []checks.Version {
	if current.IsZero() || !current.Less(target) || current.Major != target.Major {
		return []checks.Version{target}
	}
	var out []checks.Version
	for m := current.Minor + 1; m <= target.Minor; m++ {
		out = append(out, checks.Version{Major: target.Major, Minor: m})
	}
	return out
}

// scanHops is stage 3 at every hop of the plan. The engine it returns is
// the target's (the fix stage re-checks with it); the result's errors,
// skipped inputs and document count are the target run's, its findings
// those of every hop merged (mergeHops).
func scanHops(ctx context.Context, cfg Config, inputs []scan.Input) (*Engine, Result) {
	hops := Hops(cfg.Current, cfg.Env.Target)
	target := New(cfg)
	if len(hops) == 1 {
		res := target.Scan(ctx, inputs)
		for i := range res.Findings {
			res.Findings[i].Hop = cfg.Env.Target.String()
		}
		return target, res
	}
	perHop := make([][]checks.Finding, len(hops))
	var res Result
	for i, h := range hops {
		if ctx.Err() != nil {
			break
		}
		if i == len(hops)-1 {
			res = target.Scan(ctx, inputs)
			perHop[i] = res.Findings
			break
		}
		c := cfg
		c.Env.Target = h
		perHop[i] = New(c).Scan(ctx, inputs).Findings
	}
	if ctx.Err() != nil && res.Errors == nil {
		res = target.Scan(ctx, inputs) // reports what the timeout left out
	}
	res.Findings = mergeHops(hops, perHop)
	return target, res
}

// hopKey identifies one problem across hops: the rule, the place and the
// object, not the message (which names the hop's version).
type hopKey struct {
	rule, file               string
	line, column             int
	apiVersion, kind, name   string
	namespace, chart, source string
	// nth tells apart findings of one rule at one place in one hop.
	nth int
}

func keyOfHop(f checks.Finding, rule string) hopKey {
	k := hopKey{rule: rule, file: f.File, line: f.Line, column: f.Column, apiVersion: f.APIVersion, kind: f.Kind, name: f.Name, namespace: f.Namespace}
	if f.Rendered != nil {
		k.chart, k.source = f.Rendered.Chart+f.Rendered.Kustomization, f.Rendered.Template
	}
	return k
}

// mergeHops merges the findings of each hop (perHop[i] at hops[i], each
// sorted) into one sorted list. A problem reported at several hops is kept
// once, as the first hop reports it at its highest severity, and Hop names
// that hop: a seccomp annotation that warns at 1.25 and breaks at 1.27 is
// an error of hop 1.27. A deprecation that a later hop turns into a removal
// of the same object is left out: the removal says it all.
func mergeHops(hops []checks.Version, perHop [][]checks.Finding) []checks.Finding {
	type entry struct {
		f     checks.Finding
		order int
	}
	seen := map[hopKey]*entry{}
	n := 0
	for i, fs := range perHop {
		nth := map[hopKey]int{}
		for _, f := range fs {
			f.Hop = hops[i].String()
			k := keyOfHop(f, f.Rule)
			k.nth = nth[k]
			nth[keyOfHop(f, f.Rule)]++
			if e, ok := seen[k]; ok {
				if f.Severity > e.f.Severity {
					e.f = f
				}
				continue
			}
			seen[k] = &entry{f: f, order: n}
			n++
		}
	}
	out := make([]checks.Finding, n)
	keep := make([]bool, n)
	for k, e := range seen {
		if k.rule == "api-deprecated" {
			if _, removed := seen[keyOfHop(e.f, "api-removed")]; removed {
				continue
			}
		}
		out[e.order], keep[e.order] = e.f, true
	}
	kept := out[:0]
	for i, f := range out {
		if keep[i] {
			kept = append(kept, f)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return checks.Less(kept[i], kept[j]) })
	return kept
}

// keepHops gives findings that the fix stage checked again (at the target)
// the hop the same problem had before, else the target.
func keepHops(before, after []checks.Finding, target checks.Version) {
	hop := map[hopKey]string{}
	for _, f := range before {
		hop[keyOfHop(f, f.Rule)] = f.Hop
	}
	for i := range after {
		if after[i].Hop != "" {
			continue
		}
		if h, ok := hop[keyOfHop(after[i], after[i].Rule)]; ok {
			after[i].Hop = h
		} else {
			after[i].Hop = target.String()
		}
	}
}
