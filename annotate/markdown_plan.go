package annotate

import (
	"fmt"
	"strings"

	"github.com/kubeready/kubeready/checks"
)

// The upgrade plan in the Markdown summary: a table of the hops, then per
// hop what to change first and the add-on order (markdown.go places the
// hop's file tables after it).

// maxFirst bounds the "change first" list of one hop in Markdown; the file
// tables below it list everything.
const maxFirst = 8

// planTable is the plan at a glance: one row per hop.
func (m Markdown) planTable(p *Plan) string {
	var b strings.Builder
	b.WriteString("| Hop | Blockers | Warnings | Info | Findings | Add-ons to update |\n|---|---:|---:|---:|---|---|\n")
	for _, h := range p.Hops {
		fmt.Fprintf(&b, "| %s → %s | %d | %d | %d | %s | %s |\n", h.From, h.To, h.Errors, h.Warnings, h.Infos, bar(h), Cell(addonList(h)))
	}
	b.WriteString("\n")
	return b.String()
}

// bar draws a hop's findings per severity as squares, at most 20.
func bar(h PlanHop) string {
	n := h.Errors + h.Warnings + h.Infos
	if n == 0 {
		return "✅"
	}
	scale := func(k int) int {
		if n <= 20 || k == 0 {
			return k
		}
		return max(1, k*20/n)
	}
	return strings.Repeat("🟥", scale(h.Errors)) + strings.Repeat("🟧", scale(h.Warnings)) + strings.Repeat("🟦", scale(h.Infos))
}

// addonList names the add-ons with findings in a hop, before and after the
// control plane, in the EKS order.
func addonList(h PlanHop) string {
	var before, after []string
	for _, s := range h.Steps {
		if len(s.Findings) == 0 {
			continue
		}
		if s.Phase == checks.PhaseBefore {
			before = append(before, s.Title)
		} else {
			after = append(after, s.Title)
		}
	}
	var parts []string
	if len(before) > 0 {
		parts = append(parts, "before: "+strings.Join(before, ", "))
	}
	if len(after) > 0 {
		parts = append(parts, "after: "+strings.Join(after, ", "))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// hopHead is a hop's heading, what to change first and the add-on order.
func (m Markdown) hopHead(h PlanHop) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### Hop %s → %s: %s\n\n", h.From, h.To, hopCounts(h))
	if len(h.Findings) == 0 && len(h.Steps) == 0 {
		return b.String()
	}
	if len(h.First) > 0 {
		fmt.Fprintf(&b, "**Change first** (blocks the update to %s):\n\n", h.To)
		for i, f := range h.First {
			if i == maxFirst {
				fmt.Fprintf(&b, "%d. … and %d more below\n", i+1, len(h.First)-i)
				break
			}
			fmt.Fprintf(&b, "%d. %s %s: %s\n", i+1, m.link(fmt.Sprintf("`%s:%d`", codeText(f.File), f.Line), f.File, f.Line, f.EndLine), RuleLink(f), Cell(f.Message))
		}
		b.WriteString("\n")
	}
	if len(h.Steps) > 0 {
		b.WriteString("<details><summary>Add-on order (EKS)</summary>\n\n")
		for i, s := range h.Steps {
			what := Cell(s.Do)
			if s.Phase == checks.PhaseControlPlane {
				what = "Update the control plane to " + h.To + "."
			}
			fmt.Fprintf(&b, "%d. **%s** (%s): %s", i+1, Cell(s.Title), phaseText(s.Phase), what)
			for _, f := range s.Findings {
				b.WriteString(" " + m.link(fmt.Sprintf("`%s:%d`", codeText(f.File), f.Line), f.File, f.Line, f.EndLine))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n</details>\n\n")
	}
	return b.String()
}

func phaseText(phase string) string {
	switch phase {
	case checks.PhaseBefore:
		return "before the control plane"
	case checks.PhaseControlPlane:
		return "the update"
	}
	return "after the control plane"
}

// hopCounts is "2 blockers, 1 warning" or "nothing found".
func hopCounts(h PlanHop) string {
	var parts []string
	if h.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", h.Errors, Plural(h.Errors, "blocker")))
	}
	if h.Warnings > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", h.Warnings, Plural(h.Warnings, "warning")))
	}
	if h.Infos > 0 {
		parts = append(parts, fmt.Sprintf("%d info", h.Infos))
	}
	if len(parts) == 0 {
		return "nothing found"
	}
	return strings.Join(parts, ", ")
}
