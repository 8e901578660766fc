package annotate

import (
	"sort"

	"github.com/kubeready/kubeready/checks"
)

// Plan is a report read as an upgrade plan: one hop per control-plane
// version from the current one to the target, each with the findings that
// first block it (checks.Finding.Hop) and, on EKS, the add-on steps in the
// order EKS documents. The Markdown and HTML reports render it.
type Plan struct {
	Current, Target string
	Hops            []PlanHop
}

// PlanHop is one control-plane update, From → To.
type PlanHop struct {
	From, To string
	// Findings are the visible findings of this hop, sorted by file.
	Findings                []checks.Finding
	Errors, Warnings, Infos int
	// First lists what to change before this update: the errors, add-on
	// steps before the control plane first, then by file and line.
	First []checks.Finding
	// Steps is the EKS order for this update with the add-on findings of
	// the hop attached to their step; nil off EKS.
	Steps []PlanStep
}

// PlanStep is one step of an update and the findings about its add-on.
type PlanStep struct {
	checks.UpgradeStep
	Findings []checks.Finding
}

// PlanOf returns the plan of a report, or nil when the run checked no plan
// (no current version: r.Current is empty).
func PlanOf(r *Report) *Plan {
	if r.Current == "" {
		return nil
	}
	cur, err := checks.ParseVersion(r.Current)
	if err != nil {
		return nil
	}
	tgt, err := checks.ParseVersion(r.Target)
	if err != nil || !cur.Less(tgt) || cur.Major != tgt.Major {
		return nil
	}
	p := &Plan{Current: r.Current, Target: r.Target}
	index := map[string]int{}
	for m := cur.Minor + 1; m <= tgt.Minor; m++ {
		to := checks.Version{Major: tgt.Major, Minor: m}
		index[to.String()] = len(p.Hops)
		p.Hops = append(p.Hops, PlanHop{From: checks.Version{Major: tgt.Major, Minor: m - 1}.String(), To: to.String()})
	}
	for _, f := range r.Visible() {
		i, ok := index[f.Hop]
		if !ok {
			i = len(p.Hops) - 1 // a finding without a hop of the plan counts at the target
		}
		h := &p.Hops[i]
		h.Findings = append(h.Findings, f)
		switch f.Severity {
		case checks.Error:
			h.Errors++
			h.First = append(h.First, f)
		case checks.Warning:
			h.Warnings++
		default:
			h.Infos++
		}
	}
	for i := range p.Hops {
		h := &p.Hops[i]
		sort.SliceStable(h.First, func(a, b int) bool { return firstRank(h.First[a]) < firstRank(h.First[b]) })
		if r.Platform != checks.PlatformEKS {
			continue
		}
		for _, s := range checks.Data.UpgradeOrder {
			h.Steps = append(h.Steps, PlanStep{UpgradeStep: s})
		}
		for _, f := range h.Findings {
			if s := checks.StepOf(f); s >= 0 {
				h.Steps[s].Findings = append(h.Steps[s].Findings, f)
			}
		}
	}
	return p
}

// firstRank orders what to change first: add-on updates due before the
// control plane, then everything else (stable: by file and line).
func firstRank(f checks.Finding) int {
	if s := checks.StepOf(f); s >= 0 && checks.Data.UpgradeOrder[s].Phase == checks.PhaseBefore {
		return 0
	}
	return 1
}

// Totals are the findings of the whole plan per severity.
func (p *Plan) Totals() (errors, warnings, infos int) {
	for _, h := range p.Hops {
		errors, warnings, infos = errors+h.Errors, warnings+h.Warnings, infos+h.Infos
	}
	return
}
