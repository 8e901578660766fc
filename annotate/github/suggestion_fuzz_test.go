package github

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubeready/kubeready/checks"
)

// FuzzSuggestion checks that a suggestion, when one is made, says exactly
// what applying the fix does: replacing lines start..end of the file with
// the suggested text gives the fixed file (line breaks as LF).
func FuzzSuggestion(f *testing.F) {
	f.Add([]byte("a: 1\napiVersion: batch/v1beta1\nkind: CronJob\n"), 17, 30, "batch/v1", 0, 0, "")
	f.Add([]byte("a\r\nb\r\nc\r\n"), 3, 4, "x", 6, 6, "y\r\n")
	f.Add([]byte("\uFEFFa: 1\nb: 2"), 3, 8, "", 0, 0, "")
	f.Fuzz(func(t *testing.T, data []byte, s1, e1 int, n1 string, s2, e2 int, n2 string) {
		edits := []checks.Edit{{Start: s1, End: e1, New: n1}}
		if s2 != 0 || e2 != 0 || n2 != "" {
			edits = append(edits, checks.Edit{Start: s2, End: e2, New: n2})
		}
		fix := &checks.Fix{Safe: true, Edits: edits}
		start, end, text, ok := suggestion("f.yaml", fix, data)
		if !ok {
			return
		}
		if start < 1 || end < start {
			t.Fatalf("lines %d..%d", start, end)
		}
		// Apply the edits to the whole file.
		sorted := append([]checks.Edit(nil), edits...)
		if sorted[0].Start > sorted[len(sorted)-1].Start {
			sorted[0], sorted[1] = sorted[1], sorted[0]
		}
		var fixed bytes.Buffer
		at := 0
		for _, e := range sorted {
			fixed.Write(data[at:e.Start])
			fixed.WriteString(e.New)
			at = e.End
		}
		fixed.Write(data[at:])
		// Replace lines start..end of the original with the suggestion. A
		// byte-order mark is not part of any line (GitHub does not show it;
		// edits never touch it).
		bom := "\uFEFF"
		lf := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), bom)
		lines := strings.SplitAfter(lf, "\n")
		var want strings.Builder
		for i, l := range lines {
			switch n := i + 1; {
			case n < start || n > end:
				want.WriteString(l)
			case n == start:
				want.WriteString(text)
			}
		}
		got := strings.TrimPrefix(strings.ReplaceAll(fixed.String(), "\r\n", "\n"), bom)
		if got != want.String() {
			t.Fatalf("suggestion for lines %d..%d = %q does not match the fix\nfixed: %q\nwant:  %q", start, end, text, got, want.String())
		}
	})
}
