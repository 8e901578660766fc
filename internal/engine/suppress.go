package engine

import (
	"bytes"
	"slices"
	"strings"

	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// ignoreDirective starts an inline suppression comment:
//
//	# kubeready:ignore RULE[,RULE] reason
const ignoreDirective = "kubeready:ignore"

// suppress marks the findings of file f that a kubeready:ignore comment
// silences. A comment applies to the findings of the rules it names
//   - on its own line, or
//   - anywhere in the header of the finding's object: from the document's
//     first line (its `---` marker, if it has one) down to its first line of
//     content, so above the object's first key, on the marker or on the
//     first key's line.
//
// Marked findings stay in the report (JSON shows "suppressed": true); the
// text output leaves them out and they do not count for the exit code. A
// rule ID kubeready does not know silences nothing. internal-error is never
// suppressed.
func suppress(f *scan.File, findings []checks.Finding) []checks.Finding {
	if len(findings) == 0 || !bytes.Contains(f.Data, []byte(ignoreDirective)) {
		return findings
	}
	for i := range findings {
		fd := &findings[i]
		if fd.Rule == checks.InternalError.ID {
			continue
		}
		reason, ok := ignores(f.Line(fd.Line), fd.Rule)
		for n := fd.DocStart; !ok && n > 0 && n <= fd.DocEnd; n++ {
			l := f.Line(n)
			reason, ok = ignores(l, fd.Rule)
			if !headerLine(l) {
				break // the object's first line of content ends its header
			}
		}
		if ok {
			fd.Suppressed, fd.Justification = true, reason
		}
	}
	return findings
}

// headerLine reports whether a line comes before an object's content: blank,
// a comment, or a document marker.
func headerLine(l []byte) bool {
	t := bytes.TrimLeft(l, " \t")
	return len(t) == 0 || t[0] == '#' || bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("..."))
}

// ignores reads a kubeready:ignore comment on line l and reports whether it
// names rule, with the reason given.
func ignores(l []byte, rule string) (reason string, ok bool) {
	rules, reason, found := parseIgnore(l)
	return reason, found && slices.Contains(rules, rule)
}

// parseIgnore finds a `# kubeready:ignore RULE[,RULE] reason` comment on a
// line. The comment's # starts the line or follows a space, as YAML wants;
// "RULE, RULE" with spaces after the commas is read too.
func parseIgnore(l []byte) (rules []string, reason string, ok bool) {
	for from := 0; ; {
		i := bytes.IndexByte(l[from:], '#')
		if i < 0 {
			return nil, "", false
		}
		i += from
		from = i + 1
		if i > 0 && l[i-1] != ' ' && l[i-1] != '\t' {
			continue
		}
		rest := strings.TrimLeft(string(l[i+1:]), " \t")
		after, found := strings.CutPrefix(rest, ignoreDirective)
		if !found || (after != "" && after[0] != ' ' && after[0] != '\t') {
			continue
		}
		fields := strings.Fields(after)
		for len(fields) > 0 {
			list := fields[0]
			fields = fields[1:]
			for _, r := range strings.Split(list, ",") {
				if r != "" {
					rules = append(rules, r)
				}
			}
			if !strings.HasSuffix(list, ",") {
				break
			}
		}
		return rules, strings.Join(fields, " "), len(rules) > 0
	}
}
