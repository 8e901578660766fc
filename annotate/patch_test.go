package annotate

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{name: "equal", old: "a\nb\n", new: "a\nb\n", want: ""},
		{name: "one line", old: "a\nb\nc\n", new: "a\nB\nc\n", want: "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{name: "insert at start", old: "a\n", new: "x\na\n", want: "@@ -1,1 +1,2 @@\n+x\n a\n"},
		{name: "into empty file", old: "", new: "x\n", want: "@@ -0,0 +1,1 @@\n+x\n"},
		{name: "no final newline", old: "a\nb", new: "a\nc", want: "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{name: "crlf", old: "a\r\nb\r\n", new: "a\r\nc\r\n", want: "@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"},
		{
			name: "two hunks",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			new:  "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			want: "@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			name: "hunks merge when context touches",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n",
			new:  "one\n2\n3\n4\n5\n6\n7\neight\n",
			want: "@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := UnifiedDiff("f.yaml", []byte(tc.old), []byte(tc.new))
			head := "diff --git a/f.yaml b/f.yaml\n--- a/f.yaml\n+++ b/f.yaml\n"
			if tc.want != "" {
				tc.want = head + tc.want
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if back, err := applyDiff(tc.old, got); err != nil || back != tc.new {
				t.Errorf("applying the diff gives %q (%v), want %q", back, err, tc.new)
			}
		})
	}
}

func TestPatchReport(t *testing.T) {
	var out, log bytes.Buffer
	r := &Report{Target: "1.25", Fixed: []Fixed{{Rule: "api-removed"}}, Changes: []FileChange{{Name: "a.yaml", Old: []byte("x\n"), New: []byte("y\n")}}}
	if err := (Patch{W: &out, Log: &log}).Report(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "diff --git a/a.yaml b/a.yaml\n") {
		t.Errorf("patch: %q", out.String())
	}
	if want := "kubeready: the patch fixes 1 finding in 1 file; 0 findings found; target Kubernetes 1.25\n"; log.String() != want {
		t.Errorf("summary %q, want %q", log.String(), want)
	}
}

// applyDiff applies a unified diff made by UnifiedDiff to old, checking
// every context and removed line, as patch would.
func applyDiff(old, diff string) (string, error) {
	a := splitLines(old)
	var out []string
	at := 0
	lines := splitLines(diff)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "@@ ") {
			continue
		}
		var os, on, ns, nn int
		if _, err := fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &os, &on, &ns, &nn); err != nil {
			return "", err
		}
		start := os - 1
		if on == 0 {
			start = os
		}
		out = append(out, a[at:start]...)
		at = start
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "@@ ") {
			i++
			l := lines[i]
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if at >= len(a) || a[at] != text {
					return "", fmt.Errorf("line %d: %q does not match %q", at+1, text, a[min(at, len(a)-1)])
				}
				at++
				if l[0] == ' ' {
					out = append(out, text)
				}
			case '+':
				out = append(out, text)
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
		}
	}
	out = append(out, a[at:]...)
	return strings.Join(out, ""), nil
}

// FuzzUnifiedDiff checks that the diff of any two texts turns the first
// into the second.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("x", "x\ny")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\nthree\n4\n5\n6\n7\n8\nnine\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		if len(old) > 4000 || len(new) > 4000 {
			return
		}
		d := UnifiedDiff("f", []byte(old), []byte(new))
		if (d == "") != (old == new) {
			t.Fatalf("empty diff %v for different texts %v", d == "", old != new)
		}
		got, err := applyDiff(old, d)
		if err != nil || got != new {
			t.Fatalf("diff does not apply: %v\nold %s\nnew %s\ndiff:\n%s\ngot %s", err, strconv.Quote(old), strconv.Quote(new), d, strconv.Quote(got))
		}
	})
}
