package github

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
)

// AnnotationsPerLevel is how many annotations of one level (error, warning,
// notice) GitHub shows for one step; the rest are dropped silently.
const AnnotationsPerLevel = 10

// Annotations writes findings as workflow commands
// (`::error file=…,line=…,endLine=…,title=…::message`) through
// go-githubactions, which escapes them. GitHub shows them on the lines of
// the pull request's diff. Since it shows only AnnotationsPerLevel of each
// level per step, the most severe findings come first, and NotShown says
// how many did not fit, for the summaries.
type Annotations struct {
	Action *githubactions.Action
	// PerLevel overrides AnnotationsPerLevel when positive.
	PerLevel int
	// NotShown is set by Report: visible findings left out.
	NotShown int
}

// Report implements annotate.Reporter.
func (a *Annotations) Report(_ context.Context, r *annotate.Report) error {
	per := a.PerLevel
	if per <= 0 {
		per = AnnotationsPerLevel
	}
	used := map[string]int{}
	for _, e := range r.Errors {
		if used["error"] >= per {
			break
		}
		used["error"]++
		props := map[string]string{"title": "kubeready: run error"}
		if e.File != "" {
			props["file"] = e.File
			if e.Line > 0 {
				props["line"] = strconv.Itoa(e.Line)
			}
		}
		a.Action.WithFieldsMap(props).Errorf("%s", e.Message)
	}
	fs := r.Visible()
	sort.SliceStable(fs, func(i, j int) bool { return moreSevere(fs[i], fs[j]) })
	a.NotShown = 0
	for _, f := range fs {
		level := level(f.Severity)
		if used[level] >= per {
			a.NotShown++
			continue
		}
		used[level]++
		end := max(f.EndLine, f.Line)
		props := map[string]string{
			"file":    f.File,
			"line":    strconv.Itoa(f.Line),
			"endLine": strconv.Itoa(end),
			"title":   title(f),
		}
		if f.Column > 0 && end == f.Line {
			props["col"] = strconv.Itoa(f.Column)
		}
		act := a.Action.WithFieldsMap(props)
		msg := annotationMessage(f)
		switch level {
		case "error":
			act.Errorf("%s", msg)
		case "warning":
			act.Warningf("%s", msg)
		default:
			act.Noticef("%s", msg)
		}
	}
	if a.NotShown > 0 {
		a.Action.Infof("kubeready: %d more %s not shown as annotations (GitHub shows %d per level in a step); the step summary lists all of them.",
			a.NotShown, annotate.Plural(a.NotShown, "finding"), per)
	}
	return nil
}

// moreSevere orders findings most severe first, then as checks.Less does:
// the order in which the annotations and the review comments, both
// limited, are given out.
func moreSevere(a, b checks.Finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	return checks.Less(a, b)
}

func level(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "notice"
}

// title is the annotation's heading: the rule and its title.
func title(f checks.Finding) string {
	if r := checks.Lookup(f.Rule); r != nil && r.Title != "" {
		return f.Rule + ": " + r.Title
	}
	return f.Rule
}

// annotationMessage is the message, the fix and the rule's source URL.
func annotationMessage(f checks.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	if fix := annotate.FixText(f); fix != "" {
		b.WriteString("\nFix: " + fix)
	}
	if f.URL != "" {
		b.WriteString("\n" + f.URL)
	}
	return b.String()
}
