package github

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/kubeready/kubeready/annotate"
	"github.com/kubeready/kubeready/checks"
	"github.com/kubeready/kubeready/scan"
)

// MaxReviewComments is how many comments one review carries: GitHub
// documents no limit, but larger reviews fail in practice.
const MaxReviewComments = 30

// Review posts review comments on the lines of a pull request's diff where
// findings are, with a ```suggestion block where the finding has a safe fix,
// as one review of at most Max comments, most severe first. A finding that
// already has kubeready's comment on the same line (an earlier run: a
// comment by Login carrying the finding's marker) gets no second one; a
// marker in anyone else's comment counts for nothing. Findings outside the diff get none: the summary lists them.
// If GitHub refuses the review as a whole (422: one comment it cannot
// place, and it does not say which), the comments are posted one at a
// time and each refused one is left to the summary.
type Review struct {
	Client *gogithub.Client
	PR     PullRequest
	// Hunks maps a file (slash path from the repository root, as findings
	// name it) to the new-side line ranges of its diff's hunks: the lines
	// GitHub takes review comments on.
	Hunks map[string][]scan.LineRange
	// ReadFile returns a file's content at the scanned commit, for
	// suggestions; nil means no suggestions.
	ReadFile func(path string) ([]byte, error)
	// Max overrides MaxReviewComments when positive.
	Max int
	// Login is whom the token writes as (see Login); empty means
	// WorkflowLogin.
	Login string

	// Result is set by Report.
	Result ReviewResult
}

// ReviewResult is what the review reporter did with the findings.
type ReviewResult struct {
	// Posted comments this run; OneByOne when GitHub refused them as one
	// review and they went one at a time.
	Posted   int
	OneByOne bool
	// Existing findings already had kubeready's comment on the same line.
	Existing int
	// OutsideDiff findings are on lines GitHub takes no comment on.
	OutsideDiff int
	// OverLimit findings did not fit in the review.
	OverLimit int
	// Rejected lists findings GitHub refused a comment for ("path:line").
	Rejected []string
	// URL is the review's address.
	URL string
	max int
}

func (rv *ReviewResult) sentences() []string {
	var s []string
	if rv.Posted > 0 {
		how := "in one review"
		if rv.OneByOne {
			how = "one at a time (GitHub refused them as one review)"
		}
		s = append(s, fmt.Sprintf("%d review %s posted on changed lines %s, with a suggestion where the fix is safe.",
			rv.Posted, annotate.Plural(rv.Posted, "comment"), how))
	}
	if rv.Existing > 0 {
		s = append(s, fmt.Sprintf("%d %s already %s a review comment on the same line from an earlier run.",
			rv.Existing, annotate.Plural(rv.Existing, "finding"), hasHave(rv.Existing)))
	}
	if rv.OutsideDiff > 0 {
		s = append(s, fmt.Sprintf("%d %s %s on lines outside the pull request's diff, where GitHub takes no review comments: listed here only.",
			rv.OutsideDiff, annotate.Plural(rv.OutsideDiff, "finding"), annotate.IsAre(rv.OutsideDiff)))
	}
	if rv.OverLimit > 0 {
		s = append(s, fmt.Sprintf("%d %s on changed lines got no review comment: at most %d are posted per run, most severe first.",
			rv.OverLimit, annotate.Plural(rv.OverLimit, "finding"), rv.max))
	}
	if n := len(rv.Rejected); n > 0 {
		list := rv.Rejected
		if len(list) > 10 {
			list = append(list[:10:10], "…")
		}
		s = append(s, fmt.Sprintf("GitHub refused review comments for %d %s (422, line not part of the diff: %s): listed here only.",
			n, annotate.Plural(n, "finding"), strings.Join(list, ", ")))
	}
	return s
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// findingMarker tags each review comment with the finding's fingerprint.
var findingMarker = regexp.MustCompile(`<!-- kubeready:finding ([0-9a-f]+:[0-9]+) -->`)

type draftComment struct {
	f          checks.Finding
	fp         string
	start, end int // start < end for a multi-line comment
	body       string
}

// Report implements annotate.Reporter.
func (rv *Review) Report(ctx context.Context, r *annotate.Report) error {
	limit := rv.Max
	if limit <= 0 {
		limit = MaxReviewComments
	}
	rv.Result = ReviewResult{max: limit}
	res := &rv.Result

	fps := annotate.Fingerprints(r.Findings)
	var drafts []draftComment
	for i, f := range r.Findings {
		if f.Suppressed {
			continue
		}
		d, ok := rv.draft(f, fps[i])
		if !ok {
			res.OutsideDiff++
			continue
		}
		drafts = append(drafts, d)
	}
	if len(drafts) == 0 {
		return nil
	}
	posted, err := rv.existing(ctx)
	if err != nil {
		return err
	}
	fresh := drafts[:0]
	for _, d := range drafts {
		if posted[commentKey(d.f.File, d.end, d.fp)] {
			res.Existing++
			continue
		}
		fresh = append(fresh, d)
	}
	sort.SliceStable(fresh, func(i, j int) bool { return moreSevere(fresh[i].f, fresh[j].f) })
	if len(fresh) > limit {
		res.OverLimit = len(fresh) - limit
		fresh = fresh[:limit]
	}
	if len(fresh) == 0 {
		return nil
	}

	comments := make([]*gogithub.DraftReviewComment, len(fresh))
	for i, d := range fresh {
		c := &gogithub.DraftReviewComment{Path: gogithub.String(d.f.File), Body: gogithub.String(d.body),
			Line: gogithub.Int(d.end), Side: gogithub.String("RIGHT")}
		if d.start < d.end {
			c.StartLine, c.StartSide = gogithub.Int(d.start), gogithub.String("RIGHT")
		}
		comments[i] = c
	}
	body := fmt.Sprintf("kubeready found %d Kubernetes upgrade %s on changed lines of this pull request; the summary comment lists every finding.\n\n<!-- kubeready:review -->",
		len(fresh), annotate.Plural(len(fresh), "blocker"))
	got, _, err := rv.Client.PullRequests.CreateReview(ctx, rv.PR.Owner, rv.PR.Repo, rv.PR.Number, &gogithub.PullRequestReviewRequest{
		CommitID: gogithub.String(rv.PR.HeadSHA), Body: gogithub.String(body), Event: gogithub.String("COMMENT"), Comments: comments,
	})
	if err == nil {
		res.Posted, res.URL = len(fresh), got.GetHTMLURL()
		return nil
	}
	if !isUnprocessable(err) {
		return fmt.Errorf("posting the review: %w", err)
	}
	res.OneByOne = true
	for _, d := range fresh {
		c := &gogithub.PullRequestComment{Body: gogithub.String(d.body), CommitID: gogithub.String(rv.PR.HeadSHA),
			Path: gogithub.String(d.f.File), Line: gogithub.Int(d.end), Side: gogithub.String("RIGHT")}
		if d.start < d.end {
			c.StartLine, c.StartSide = gogithub.Int(d.start), gogithub.String("RIGHT")
		}
		_, _, err := rv.Client.PullRequests.CreateComment(ctx, rv.PR.Owner, rv.PR.Repo, rv.PR.Number, c)
		switch {
		case err == nil:
			res.Posted++
		case isUnprocessable(err):
			res.Rejected = append(res.Rejected, fmt.Sprintf("%s:%d", d.f.File, d.end))
		default:
			return fmt.Errorf("posting a review comment on %s:%d: %w", d.f.File, d.end, err)
		}
	}
	return nil
}

// draft places a finding on the diff: on the lines its safe fix replaces,
// with a suggestion, when they lie in one hunk; else on its own line when
// that is in a hunk. ok is false when GitHub would take no comment there.
func (rv *Review) draft(f checks.Finding, fp string) (draftComment, bool) {
	hunks := rv.Hunks[f.File]
	d := draftComment{f: f, fp: fp, start: f.Line, end: f.Line}
	var note string
	switch fix := safeFix(f); {
	case fix != nil:
		note = "Fix: " + fix.Description + " (safe). It cannot be shown as a suggestion on these lines: run `kubeready --fix` to apply it."
		if rv.ReadFile == nil {
			break
		}
		if data, err := rv.ReadFile(f.File); err == nil {
			if s, e, text, ok := suggestion(f.File, fix, data); ok && oneHunk(hunks, s, e) {
				d.start, d.end = s, e
				note = fix.Description + ":\n\n" + suggestionBlock(text)
			}
		}
	case len(f.Fixes) > 0:
		note = "Fix, not offered as a suggestion because it is not safe: " + annotate.FixText(f)
	default:
		if fix := annotate.FixText(f); fix != "" {
			note = "Fix: " + fix
		}
	}
	if !oneHunk(hunks, d.start, d.end) {
		return d, false
	}
	d.body = fmt.Sprintf("**%s** %s: %s\n\n%s\n\n<!-- kubeready:finding %s -->", f.Severity, annotate.RuleLink(f), annotate.Cell(f.Message), note, fp)
	return d, true
}

// existing returns the keys of kubeready's review comments (by Login)
// already on the pull request (all pages), on lines of the current diff.
func (rv *Review) existing(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	opts := &gogithub.PullRequestListCommentsOptions{ListOptions: gogithub.ListOptions{PerPage: 100}}
	for {
		page, resp, err := rv.Client.PullRequests.ListComments(ctx, rv.PR.Owner, rv.PR.Repo, rv.PR.Number, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the pull request's review comments: %w", err)
		}
		for _, c := range page {
			if !ownedBy(c.GetUser(), rv.Login) {
				continue // someone else's, whatever markers it carries
			}
			m := findingMarker.FindStringSubmatch(c.GetBody())
			if m == nil || c.Line == nil {
				continue // not kubeready's, or outdated
			}
			out[commentKey(c.GetPath(), c.GetLine(), m[1])] = true
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func commentKey(path string, line int, fp string) string {
	return fmt.Sprintf("%s\x00%d\x00%s", path, line, fp)
}

// oneHunk reports whether lines start..end lie inside one hunk.
func oneHunk(hunks []scan.LineRange, start, end int) bool {
	for _, h := range hunks {
		if h.Start <= start && end <= h.End {
			return true
		}
	}
	return false
}

func safeFix(f checks.Finding) *checks.Fix {
	for i := range f.Fixes {
		if f.Fixes[i].Safe {
			return &f.Fixes[i]
		}
	}
	return nil
}

// suggestion turns a fix into GitHub's whole-line form: the first and last
// line (1-based) its edits touch, and the text that replaces those lines,
// ending in a line break when they did (so "" deletes them, and "\n"
// leaves one empty line). ok is false for a fix it cannot express so
// (edits in another file, overlapping or out of range, a line break lost at
// the end of the range).
func suggestion(path string, fix *checks.Fix, data []byte) (start, end int, text string, ok bool) {
	if len(fix.Edits) == 0 {
		return 0, 0, "", false
	}
	edits := append([]checks.Edit(nil), fix.Edits...)
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	bom := scan.NewFile(path, data).BOMLen()
	for i, e := range edits {
		if (e.Path != "" && e.Path != path) || e.Start < bom || e.End < e.Start || e.End > len(data) {
			return 0, 0, "", false
		}
		if i > 0 && e.Start < edits[i-1].End {
			return 0, 0, "", false
		}
	}
	lo, hi := edits[0].Start, edits[len(edits)-1].End
	last := lo
	if hi > lo {
		last = hi - 1
	}
	start = 1 + bytes.Count(data[:lo], []byte("\n"))
	end = 1 + bytes.Count(data[:last], []byte("\n"))
	regionStart := bytes.LastIndexByte(data[:lo], '\n') + 1
	if regionStart < bom {
		regionStart = bom
	}
	regionEnd := len(data)
	if i := bytes.IndexByte(data[last:], '\n'); i >= 0 && last < len(data) {
		regionEnd = last + i + 1
	}
	var b bytes.Buffer
	at := regionStart
	for _, e := range edits {
		b.Write(data[at:e.Start])
		b.WriteString(e.New)
		at = e.End
	}
	b.Write(data[at:regionEnd])
	out := b.String()
	if out == "" {
		return start, end, "", true // the lines are deleted
	}
	if strings.HasSuffix(string(data[regionStart:regionEnd]), "\n") && !strings.HasSuffix(out, "\n") {
		return 0, 0, "", false
	}
	return start, end, strings.ReplaceAll(out, "\r\n", "\n"), true
}

// suggestionBlock fences a suggestion's text (see suggestion), with a
// fence longer than any run of backticks inside it.
func suggestionBlock(text string) string {
	longest, run := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return fence + "suggestion\n" + text + fence
}
