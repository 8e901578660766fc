package checks

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// embeddedValue parses src and returns the Embedded of data.v.
func embeddedValue(t testing.TB, src string) (*scan.File, *Embedded) {
	t.Helper()
	f := scan.NewFile("x.yaml", []byte(src))
	docs, errs := scan.Parse(f)
	if len(errs) > 0 || len(docs) == 0 {
		return f, nil
	}
	root, err := docs[0].Node()
	if err != nil {
		return f, nil
	}
	return f, EmbeddedOf(f, scan.MapPath(root, "data", "v"))
}

func TestEmbeddedPositions(t *testing.T) {
	cases := []struct {
		name, src string
		exact     bool
		// want is the file position of the first "x" in the value.
		want scan.Pos
	}{
		{"literal", "data:\n  v: |\n    a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"strip", "data:\n  v: |-\n    a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"keep", "data:\n  v: |+\n    a: 1\n    b: x\n\n\nnext: 1\n", true, scan.Pos{Line: 4, Col: 8}},
		{"indicator", "data:\n  v: |2\n      a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"indicator and chomp", "data:\n  v: |-2\n      a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"chomp then indicator", "data:\n  v: |+2\n      a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"header comment", "data:\n  v: |  # roles\n    a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"leading blank lines", "data:\n  v: |\n\n  \n    a: 1\n    b: x\n", true, scan.Pos{Line: 6, Col: 8}},
		{"inner blank line", "data:\n  v: |\n    a: 1\n\n    b: x\n", true, scan.Pos{Line: 5, Col: 8}},
		{"crlf", "data:\r\n  v: |\r\n    a: 1\r\n    b: x\r\n", true, scan.Pos{Line: 4, Col: 8}},
		{"bom", "\ufeffdata:\n  v: |\n    a: 1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"tab inside content", "data:\n  v: |\n    a:\t1\n    b: x\n", true, scan.Pos{Line: 4, Col: 8}},
		{"unicode before", "data:\n  v: |\n    é: 1\n    b: é x\n", true, scan.Pos{Line: 4, Col: 10}},
		{"double quoted", "data:\n  v: \"a: 1\\nb: x\\n\"\n", false, scan.Pos{Line: 2, Col: 6}},
		{"plain", "data:\n  v: b x\n", false, scan.Pos{Line: 2, Col: 6}},
		{"folded", "data:\n  v: >\n    a: 1\n\n    b: x\n", false, scan.Pos{Line: 2, Col: 6}},
		{"flow mapping", "data: {v: \"b: x\"}\n", false, scan.Pos{Line: 1, Col: 11}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := embeddedValue(t, c.src)
			if e == nil {
				t.Fatal("no value")
			}
			if e.Exact() != c.exact {
				t.Errorf("Exact() = %v, want %v", e.Exact(), c.exact)
			}
			lines := strings.Split(e.Text, "\n")
			for i, l := range lines {
				if j := strings.IndexRune(l, 'x'); j >= 0 {
					got := e.Pos(i+1, len([]rune(l[:j]))+1)
					if got != c.want {
						t.Errorf("Pos of x = %v, want %v", got, c.want)
					}
					return
				}
			}
			t.Fatal("no x in value")
		})
	}
}

// FuzzEmbedded builds a literal block scalar from fuzzed content, header
// indicators, indentation and line breaks, and checks that whenever the
// reader says the layout is exact, every line of the value is found at the
// position it maps to; and that a plain `|` block it builds itself is
// always read as exact.
func FuzzEmbedded(f *testing.F) {
	f.Add("- rolearn: arn:aws:iam::1:role/a\n  username: {{SessionName}}\n", "", uint8(4), false, false)
	f.Add("a: 1\n\n  b: 2\n", "-", uint8(2), true, false)
	f.Add("\n\nx\n", "+", uint8(6), false, true)
	f.Add("  lead\nx\n", "2", uint8(2), false, false)
	f.Add("é\tü\n", "-3", uint8(3), true, true)
	f.Fuzz(func(t *testing.T, content, header string, ind uint8, crlf, comment bool) {
		n := int(ind%8) + 1
		if len(header) > 2 || strings.ContainsAny(content, "\r") {
			return
		}
		pad := strings.Repeat(" ", n)
		var b strings.Builder
		b.WriteString("data:\n v: |" + header)
		if comment {
			b.WriteString(" # c")
		}
		b.WriteString("\n")
		for _, l := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
			if l != "" {
				b.WriteString(pad)
			}
			b.WriteString(l)
			b.WriteString("\n")
		}
		src := b.String()
		if crlf {
			src = strings.ReplaceAll(src, "\n", "\r\n")
		}
		file, e := embeddedValue(t, src)
		if e == nil {
			return // not valid YAML, or not a mapping
		}
		var check yaml.Node
		if err := yaml.Unmarshal([]byte(src), &check); err != nil {
			return
		}
		if header == "" && !comment && !e.Exact() && strings.TrimSpace(content) != "" &&
			!strings.HasPrefix(strings.TrimLeft(content, "\n"), " ") && strings.HasSuffix(content, "\n") {
			// a plain literal block whose first content line is not more indented must map exactly
			if fl := strings.TrimLeft(content, "\n"); !strings.HasPrefix(fl, "\t") {
				t.Errorf("layout of a plain literal block not exact:\n%q", src)
			}
		}
		if !e.Exact() {
			return
		}
		for i, l := range strings.Split(e.Text, "\n") {
			if l == "" {
				continue
			}
			p := e.Pos(i+1, 1)
			line := string(file.Line(p.Line))
			r := []rune(line)
			if p.Col < 1 || p.Col-1 > len(r) || string(r[p.Col-1:]) != l {
				t.Fatalf("line %d %q maps to %v, where the file has %q\n%q", i+1, l, p, line, src)
			}
		}
	})
}
