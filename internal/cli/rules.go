package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kubeready/kubeready/checks"
)

//go:generate go test -run TestRulesDoc -update .

// listRules prints every rule, one line each: ID, severity, since, platform,
// title and source.
func listRules(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "--apis" {
		return listAPIs(stdout, stderr)
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "kubeready: rules takes no arguments but --apis (see kubeready explain RULE)\n")
		return ExitError
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSINCE\tPLATFORM\tTITLE\tSOURCE")
	for _, r := range checks.Rules() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, orDash(r.Since), platformOf(r), r.Title, r.Source)
	}
	_ = tw.Flush()
	_, _ = io.WriteString(stdout, b.String())
	return ExitClean
}

// explain prints what one rule checks, why it matters, an example that
// triggers it, and the fix.
func explain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "kubeready: usage: kubeready explain RULE (kubeready rules lists them)\n")
		return ExitError
	}
	r := checks.Lookup(args[0])
	if r == nil {
		msg := fmt.Sprintf("kubeready: no rule %q", args[0])
		if near := similarRules(args[0]); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		} else {
			msg += "; kubeready rules lists them"
		}
		fmt.Fprintln(stderr, msg)
		return ExitError
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.ID, r.Title)
	fmt.Fprintf(&b, "%s\n", ruleFacts(r))
	section := func(title, body string) {
		if body = strings.TrimSpace(body); body == "" {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", title)
		for _, l := range strings.Split(body, "\n") {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	section("Why", wrap(r.Rationale, 76))
	section("Example", r.Example)
	section("Fix", wrap(r.Fix, 76))
	section("Source", r.Source)
	section("Suppress", "# kubeready:ignore "+r.ID+" <reason>")
	_, _ = io.WriteString(stdout, b.String())
	return ExitClean
}

// similarRules returns rule IDs that contain id or that id contains, for a
// "did you mean".
func similarRules(id string) []string {
	id = strings.ToLower(id)
	var out []string
	for _, r := range checks.Rules() {
		if strings.Contains(r.ID, id) || strings.Contains(id, r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

// rulesMarkdown is docs/rules.md, generated from the rules' metadata.
func rulesMarkdown() []byte {
	var b strings.Builder
	b.WriteString("# kubeready rules\n\n")
	b.WriteString("<!-- Generated from the rule metadata in checks/ by `go generate ./internal/cli` (go test ./internal/cli -run TestRulesDoc -update). Do not edit. -->\n\n")
	b.WriteString("Every rule kubeready runs. `kubeready rules` prints this list and `kubeready explain RULE` one entry.\n")
	b.WriteString("A comment `# kubeready:ignore RULE reason` suppresses a finding (see the README), and `disable:` in\n`.kubeready.yaml` turns a rule off.\n\n")
	b.WriteString("| Rule | Severity | Since | Platform | Title | File |\n|---|---|---|---|---|---|\n")
	for _, r := range checks.Rules() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s | %s |\n", r.ID, r.ID, r.Severity, orDash(r.Since), platformOf(r), cell(r.Title), fileLink(r))
	}
	for _, r := range checks.Rules() {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "**%s**: %s.\n\n", r.Title, ruleFacts(r))
		if r.Rationale != "" {
			fmt.Fprintf(&b, "%s\n\n", r.Rationale)
		}
		if r.Example != "" {
			fmt.Fprintf(&b, "Example:\n\n```yaml\n%s\n```\n\n", strings.TrimRight(r.Example, "\n"))
		}
		if r.Fix != "" {
			fmt.Fprintf(&b, "Fix: %s\n\n", r.Fix)
		}
		fmt.Fprintf(&b, "Source: <%s>\n", r.Source)
	}
	return []byte(b.String())
}

// fileLink links the checks/ file that declares r (from docs/rules.md).
func fileLink(r *checks.Rule) string {
	f := r.SourceFile()
	if f == "" {
		return "–"
	}
	return fmt.Sprintf("[`%s`](../%s)", f, f)
}

// ruleFacts says in one line the rule's severity, the target versions it
// applies from, and its platform.
func ruleFacts(r *checks.Rule) string {
	s := "severity " + r.Severity.String()
	if r.Since != "" {
		s += ", from Kubernetes " + r.Since
	}
	if r.Platform != "" {
		s += ", " + r.Platform + " only"
	}
	return s
}

// platformOf names the platform a rule is limited to, or "any".
func platformOf(r *checks.Rule) string {
	if r.Platform == "" {
		return "any"
	}
	return r.Platform
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cell escapes text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// wrap breaks text into lines of at most width characters at spaces; a word
// longer than width stands on a line of its own.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// listAPIs prints every API version kubeready knows the lifecycle of, one
// line each: the built-in removal table (Kubernetes versions), the projects'
// custom resources (their own releases) and the apis: of the .kubeready.yaml
// that applies in the working directory (Kubernetes versions).
func listAPIs(stdout, stderr io.Writer) int {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "APIVERSION\tKINDS\tOF\tDEPRECATED\tREMOVED\tREPLACEMENT\tSOURCE")
	for _, r := range checks.APIs.Removals {
		var reps []string
		for _, rep := range r.Replacements {
			reps = append(reps, rep.APIVersion)
		}
		fmt.Fprintf(tw, "%s\t%s\tKubernetes\t%s\t%s\t%s\t%s\n", r.APIVersion, strings.Join(r.Kinds, ","), orDash(r.Deprecated), orDash(r.Removed), orDash(strings.Join(reps, ",")), r.Source)
	}
	row := func(a checks.ThirdPartyAPI, of, source string) {
		kinds := strings.Join(a.Kinds, ",")
		if kinds == "" {
			kinds = "*"
		}
		removed := a.Removed
		if removed == "" && a.Since != "" {
			removed = "(moved in " + a.Since + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.APIVersion, kinds, of, orDash(a.Deprecated), orDash(removed), orDash(a.Replacement), source)
	}
	for _, a := range checks.ThirdPartyAPIs {
		row(a, a.Project, a.Source)
	}
	wd, err := os.Getwd()
	name := ""
	if err == nil {
		name, err = findConfig(wd)
	}
	if err == nil && name != "" {
		c, err := loadConfig(displayPath(name))
		if err != nil {
			fmt.Fprintf(stderr, "kubeready: %v\n", err)
			return ExitError
		}
		for _, a := range c.apis {
			row(a, "Kubernetes", c.path)
		}
	}
	_ = tw.Flush()
	_, _ = io.WriteString(stdout, oneLineTable(b.String()))
	return ExitClean
}

// oneLineTable drops trailing spaces tabwriter leaves.
func oneLineTable(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
