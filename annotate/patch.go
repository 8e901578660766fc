package annotate

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Patch writes the changes of a run's fixes as one unified diff that
// `git apply` (or `patch -p1`) applies: paths a/NAME and b/NAME, three
// lines of context, line breaks as they are in the files. Log, when set,
// gets a one-line summary (the diff alone goes to W).
type Patch struct {
	W   io.Writer
	Log io.Writer
}

// Report implements Reporter.
func (p Patch) Report(_ context.Context, r *Report) error {
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(UnifiedDiff(c.Name, c.Old, c.New))
	}
	if _, err := io.WriteString(p.W, b.String()); err != nil {
		return err
	}
	if p.Log != nil {
		_, err := fmt.Fprintln(p.Log, PatchSummary(r))
		return err
	}
	return nil
}

// PatchSummary says what the patch fixes and what it leaves.
func PatchSummary(r *Report) string {
	s := fmt.Sprintf("kubeready: the patch fixes %d %s in %d %s; %d %s found; target Kubernetes %s",
		len(r.Fixed), Plural(len(r.Fixed), "finding"), len(r.Changes), Plural(len(r.Changes), "file"),
		len(r.Visible()), Plural(len(r.Visible()), "finding"), r.Target)
	if r.Stats.UnsafeFixes > 0 {
		s += fmt.Sprintf("; %d more with --fix-unsafe", r.Stats.UnsafeFixes)
	}
	return s
}

// context lines around each change in a hunk.
const diffContext = 3

// UnifiedDiff returns the unified diff that turns old into new, for the
// file called name; "" when they are equal.
func UnifiedDiff(name string, old, new []byte) string {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := diffLines(a, b)
	var out strings.Builder
	// hunks: runs of ops around changes, with context
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-diffContext, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
				continue
			}
			if j-end >= 2*diffContext {
				break
			}
		}
		end = min(end+diffContext, len(ops))
		if out.Len() == 0 {
			fmt.Fprintf(&out, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", name, name, name, name)
		}
		writeHunk(&out, ops[start:end])
		i = end
	}
	return out.String()
}

func writeHunk(w *strings.Builder, ops []diffOp) {
	oldN, newN := 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			oldN++
		}
		if o.kind != '-' {
			newN++
		}
	}
	oldStart, newStart := ops[0].a+1, ops[0].b+1
	if oldN == 0 {
		oldStart--
	}
	if newN == 0 {
		newStart--
	}
	fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", oldStart, oldN, newStart, newN)
	for _, o := range ops {
		w.WriteByte(o.kind)
		w.WriteString(o.text)
		if !strings.HasSuffix(o.text, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// splitLines cuts s after each "\n"; the last line may lack one.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// diffOp is one line of a diff: ' ' kept, '-' removed, '+' added; a and b
// are its (0-based) line numbers in the old and new text, or where it would
// go.
type diffOp struct {
	kind byte
	text string
	a, b int
}

// diffLines is Myers' O(ND) line diff: the shortest edit script from a to
// b. Fixes change few lines, so D is small; the common head and tail are
// taken off first.
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	for _, o := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		o.a += pre
		o.b += pre
		ops = append(ops, o)
	}
	for i := 0; i < suf; i++ {
		ai, bi := len(a)-suf+i, len(b)-suf+i
		ops = append(ops, diffOp{' ', a[ai], ai, bi})
	}
	return ops
}

func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	limit := n + m
	off := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] is v[-d-1 .. d+1] before step d
	var trace [][]int
	var found bool
	for d := 0; d <= limit && !found; d++ {
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	var rev []diffOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		t := trace[d]
		at := func(k int) int { return t[k+d+1] }
		k := x - y
		var pk int
		if k == -d || k != d && at(k-1) < at(k+1) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', a[x], x, y})
		}
		if x == px {
			y--
			rev = append(rev, diffOp{'+', b[y], x, y})
		} else {
			x--
			rev = append(rev, diffOp{'-', a[x], x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', a[x], x, y})
	}
	ops := make([]diffOp, len(rev))
	for i, o := range rev {
		ops[len(rev)-1-i] = o
	}
	return ops
}
