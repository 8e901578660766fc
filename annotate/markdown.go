package annotate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubeready/kubeready/checks"
)

// DefaultCommentBudget keeps a comment below GitHub's 65,536-character
// body limit with room to spare: it counts bytes, which are never fewer
// than characters.
const DefaultCommentBudget = 60000

// Links gives the addresses a Markdown summary links to. The GitHub
// reporters' github.PullRequest links to the scanned commit.
type Links interface {
	// BlobURL links to lines start..end of path; end <= start links to one
	// line, start 0 to the whole file.
	BlobURL(path string, start, end int) string
	// Commit is the scanned commit's ID and its address; id is "" when it
	// is unknown.
	Commit() (id, url string)
}

// Notes are whole sentences a Markdown summary adds about the run: what
// the other reporters did and could not do (a *github.Placement).
type Notes interface {
	Sentences() []string
}

// Markdown renders a report as a Markdown summary (the GitHub step summary
// and pull request comment): counts, a table per file with links to the
// lines, the rule, the message and the fix; past a size budget the rest
// goes into a collapsed list, and past the budget it is counted, never cut
// mid-line.
type Markdown struct {
	// PR is where the links point (a github.PullRequest); nil for no links.
	PR Links
	// Scope is the --scope the findings were chosen with.
	Scope string
	// Version is kubeready's version, for the footer.
	Version string
	// Placement adds what the other reporters did; nil for none.
	Placement Notes
	// Budget is the most bytes the text may take; 0 means
	// DefaultCommentBudget.
	Budget int
	// Header is written first, as is (the comment's hidden marker).
	Header string
	// Previous is how many findings the summary this one replaces showed,
	// so that it can say they are fixed.
	Previous int
}

// Render returns the Markdown text. With an upgrade plan (the report has a
// current version) the findings come hop by hop, each hop with what to
// change first and the add-on order, after a table of the plan.
func (m Markdown) Render(r *Report) string {
	budget := m.Budget
	if budget <= 0 {
		budget = DefaultCommentBudget
	}
	visible := r.Visible()
	plan := PlanOf(r)
	var head strings.Builder
	head.WriteString(m.Header)
	if plan != nil {
		fmt.Fprintf(&head, "### kubeready: upgrade plan from Kubernetes %s to %s\n\n", plan.Current, plan.Target)
	} else {
		fmt.Fprintf(&head, "### kubeready: Kubernetes %s upgrade check\n\n", r.Target)
	}
	head.WriteString(m.status(r, visible))
	head.WriteString(m.runErrors(r))
	if plan != nil {
		head.WriteString(m.planTable(plan))
	}

	foot := m.notes(r) + m.footer(r)
	avail := budget - head.Len() - len(foot) - 400 // the details wrapper and the omitted line
	tableBudget := avail * 3 / 4

	type section struct {
		head  string
		files [][]checks.Finding
	}
	sections := []section{{files: byFile(visible)}}
	level := "####"
	if plan != nil {
		sections, level = nil, "#####"
		for _, h := range plan.Hops {
			sections = append(sections, section{head: m.hopHead(h), files: byFile(h.Findings)})
		}
	}

	var body strings.Builder
	var details strings.Builder
	collapsed := false
	inDetails, detailFiles, omitted := 0, 0, 0
	for _, sec := range sections {
		if !collapsed && sec.head != "" {
			if body.Len()+len(sec.head) <= tableBudget {
				body.WriteString(sec.head)
			} else {
				collapsed = true
			}
		}
		for _, group := range sec.files {
			if !collapsed {
				s := m.fileTable(group, level)
				if body.Len()+len(s) <= tableBudget {
					body.WriteString(s)
					continue
				}
				collapsed = true
			}
			counted := false
			for _, f := range group {
				line := m.compactLine(f, plan != nil)
				if body.Len()+details.Len()+len(line) > avail {
					omitted++
					continue
				}
				details.WriteString(line)
				inDetails++
				if !counted {
					detailFiles++
					counted = true
				}
			}
		}
	}
	out := head.String() + body.String()
	if inDetails > 0 {
		out += fmt.Sprintf("<details><summary>%d more %s in %d %s</summary>\n\n%s\n</details>\n\n",
			inDetails, Plural(inDetails, "finding"), detailFiles, Plural(detailFiles, "file"), details.String())
	}
	if omitted > 0 {
		out += fmt.Sprintf("**%d more %s not listed**: the list would pass GitHub's size limit. Run kubeready locally, or upload the SARIF output, for all of them.\n\n",
			omitted, Plural(omitted, "finding"))
	}
	return out + foot
}

func (m Markdown) status(r *Report, visible []checks.Finding) string {
	if len(visible) == 0 {
		s := fmt.Sprintf("✅ **No upgrade blockers** for Kubernetes %s in the scanned files.", r.Target)
		if m.Previous > 0 {
			s += fmt.Sprintf(" The %d %s reported earlier %s fixed.", m.Previous, Plural(m.Previous, "finding"), IsAre(m.Previous))
		}
		return s + "\n\n"
	}
	files := len(byFile(visible))
	errs, warns, infos := r.Counts()
	return fmt.Sprintf("**%d %s** (%s) in %d %s.\n\n",
		len(visible), Plural(len(visible), "finding"), bySeverity(errs, warns, infos), files, Plural(files, "file"))
}

// IsAre is the verb for n things.
func IsAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// maxListedErrors bounds the list of run errors.
const maxListedErrors = 50

func (m Markdown) runErrors(r *Report) string {
	if len(r.Errors) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%d %s stopped part of the run:**\n\n", len(r.Errors), Plural(len(r.Errors), "error"))
	for i, e := range r.Errors {
		if i == maxListedErrors {
			fmt.Fprintf(&b, "- … and %d more\n", len(r.Errors)-i)
			break
		}
		loc := ""
		if e.File != "" {
			loc = "`" + codeText(e.File) + "`"
			if e.Line > 0 {
				loc = m.link(fmt.Sprintf("`%s:%d`", codeText(e.File), e.Line), e.File, e.Line, 0)
			}
			loc += ": "
		}
		fmt.Fprintf(&b, "- %s%s\n", loc, Cell(e.Message))
	}
	return b.String() + "\n"
}

func (m Markdown) fileTable(group []checks.Finding, level string) string {
	var b strings.Builder
	file := group[0].File
	fmt.Fprintf(&b, "%s %s\n\n", level, m.link("`"+codeText(file)+"`", file, 0, 0))
	b.WriteString("| Line | Severity | Rule | Finding | Fix |\n|---:|---|---|---|---|\n")
	for _, f := range group {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n",
			m.link(strconv.Itoa(f.Line), f.File, f.Line, f.EndLine), f.Severity, RuleLink(f), Cell(f.Message), Cell(FixText(f)))
	}
	b.WriteString("\n")
	return b.String()
}

func (m Markdown) compactLine(f checks.Finding, hop bool) string {
	at := ""
	if hop && f.Hop != "" {
		at = " (hop " + Cell(f.Hop) + ")"
	}
	return fmt.Sprintf("- %s **%s**%s %s: %s\n", m.link(fmt.Sprintf("`%s:%d`", codeText(f.File), f.Line), f.File, f.Line, f.EndLine),
		f.Severity, at, RuleLink(f), Cell(f.Message))
}

func (m Markdown) notes(r *Report) string {
	var notes []string
	if r.Stats.Hidden > 0 {
		notes = append(notes, fmt.Sprintf("%d %s outside the scope `%s` %s not shown.", r.Stats.Hidden,
			Plural(r.Stats.Hidden, "finding"), m.Scope, IsAre(r.Stats.Hidden)))
	}
	if m.Placement != nil {
		notes = append(notes, m.Placement.Sentences()...)
	}
	if len(notes) == 0 {
		return ""
	}
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "> %s\n>\n", n)
	}
	return strings.TrimSuffix(b.String(), ">\n") + "\n"
}

func (m Markdown) footer(r *Report) string {
	parts := []string{"kubeready " + Cell(m.Version)}
	if m.PR != nil {
		if id, u := m.PR.Commit(); id != "" {
			parts = append(parts, fmt.Sprintf("commit [`%s`](%s)", codeText(id[:min(len(id), 7)]), u))
		}
	}
	if r.Platform != "" {
		parts = append(parts, "platform `"+codeText(r.Platform)+"`")
	}
	if m.Scope != "" {
		parts = append(parts, "scope `"+codeText(m.Scope)+"`")
	}
	parts = append(parts, fmt.Sprintf("%d %s, %d %s scanned", r.Stats.Files, Plural(r.Stats.Files, "file"),
		r.Stats.Documents, Plural(r.Stats.Documents, "document")))
	return "<sub>" + strings.Join(parts, " · ") + "</sub>\n"
}

// link is text linked to lines start..end of path (see Links.BlobURL), or
// the text alone when there are no links.
func (m Markdown) link(text, path string, start, end int) string {
	if m.PR == nil {
		return text
	}
	return "[" + text + "](" + m.PR.BlobURL(path, start, end) + ")"
}

// byFile groups findings (sorted by file) by file.
func byFile(fs []checks.Finding) [][]checks.Finding {
	var out [][]checks.Finding
	for i, f := range fs {
		if i == 0 || f.File != fs[i-1].File {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], f)
	}
	return out
}

// RuleLink is the finding's rule as code, linked to the rule's source.
func RuleLink(f checks.Finding) string {
	if f.URL == "" {
		return "`" + codeText(f.Rule) + "`"
	}
	return fmt.Sprintf("[`%s`](%s)", codeText(f.Rule), f.URL)
}

// maxFixText bounds the fix column.
const maxFixText = 300

// FixText is the finding's first fix, with whether it is safe, or else the
// rule's advice.
func FixText(f checks.Finding) string {
	var s string
	switch {
	case len(f.Fixes) > 0 && f.Fixes[0].Safe:
		s = f.Fixes[0].Description + " (safe)"
	case len(f.Fixes) > 0:
		s = f.Fixes[0].Description + " (not safe"
		if f.Fixes[0].Reason != "" {
			s += ": " + f.Fixes[0].Reason
		}
		s += ")"
	default:
		if r := checks.Lookup(f.Rule); r != nil {
			s = r.Fix
		}
	}
	if len(s) > maxFixText {
		s = strings.ToValidUTF8(s[:maxFixText], "") + "…"
	}
	return s
}

var cellEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "@", "&#64;", "#", "&#35;",
	"\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "~", "\\~",
	"\r\n", "<br>", "\n", "<br>", "\r", "",
)

// Cell makes text safe inside a Markdown table cell and inert: no HTML, no
// emphasis or links from the text, no @mentions or #references, one line.
func Cell(s string) string { return cellEscaper.Replace(s) }

// codeText makes text safe inside a `code span` of a table: code spans
// take no escapes but the cell separator.
func codeText(s string) string { return codeEscaper.Replace(s) }

var codeEscaper = strings.NewReplacer("`", "'", "|", "\\|", "\n", " ", "\r", "")
