package checks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Embedded maps positions inside a string value that holds YAML of its own
// (aws-auth mapRoles, a kube-proxy config, Argo CD helm values) back to the
// file. It is exact for literal block scalars (`|`, `|-`, `|+`, with or
// without an indentation indicator, LF or CRLF): each line of the value is
// one file line, shifted by the block's indentation. For any other style it
// maps every position to the value node itself.
type Embedded struct {
	// Text is the string value.
	Text string
	// node is the value node; first is the file line of the value's first
	// line and indent the number of columns its lines are shifted by; exact
	// is false when positions cannot be mapped line by line.
	node   *yaml.Node
	first  int
	indent int
	exact  bool
}

// EmbeddedOf reads a string value node of file f. It returns nil when n is
// not a scalar.
func EmbeddedOf(f *scan.File, n *yaml.Node) *Embedded {
	n = scan.Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	e := &Embedded{Text: n.Value, node: n}
	if n.Style&yaml.LiteralStyle != 0 {
		e.first, e.indent, e.exact = literalLayout(f, n)
	}
	return e
}

// Exact reports whether positions map line by line.
func (e *Embedded) Exact() bool { return e.exact }

// Pos maps a 1-based line and column of Text to the file. When the layout is
// not exact, it returns the value node's position.
func (e *Embedded) Pos(line, col int) scan.Pos {
	if !e.exact || line < 1 {
		return scan.PosOf(e.node)
	}
	return scan.Pos{Line: e.first + line - 1, Col: e.indent + col}
}

// literalLayout finds where the lines of literal block scalar n sit in f:
// the header (`|` with optional chomping and indentation indicators, then an
// optional comment) is on n's line and the content starts on the next line.
// The indentation is measured on the first non-blank line and every line is
// then checked against the file, so a layout is only returned when it is
// exact.
func literalLayout(f *scan.File, n *yaml.Node) (first, indent int, ok bool) {
	header := []rune(string(f.Line(n.Line)))
	c := n.Column - 1
	if c < 0 || c >= len(header) || header[c] != '|' {
		return 0, 0, false
	}
	rest := header[c+1:]
	for i := 0; i < 2 && len(rest) > 0 && (rest[0] == '+' || rest[0] == '-' || rest[0] >= '1' && rest[0] <= '9'); i++ {
		rest = rest[1:]
	}
	if r := strings.TrimLeft(string(rest), " \t"); r != "" && r[0] != '#' {
		return 0, 0, false
	}
	first = n.Line + 1
	lines := strings.Split(n.Value, "\n")
	if strings.HasSuffix(n.Value, "\n") {
		lines = lines[:len(lines)-1]
	}
	indent = -1
	for i, l := range lines {
		if l == "" {
			continue
		}
		fl := string(f.Line(first + i))
		if !strings.HasSuffix(fl, l) {
			return 0, 0, false
		}
		indent = len(fl) - len(l)
		break
	}
	if indent < 0 {
		return first, 0, true // only blank lines: every position is column 1 of its line
	}
	if first+len(lines)-1 > f.Lines() {
		return 0, 0, false
	}
	pad := strings.Repeat(" ", indent)
	for i, l := range lines {
		fl := string(f.Line(first + i))
		switch {
		case fl == pad+l:
		case l == "" && len(fl) <= indent && strings.Trim(fl, " ") == "":
		default:
			return 0, 0, false
		}
	}
	return first, indent, true
}

// parseEmbedded parses e.Text as YAML and returns its root node, or the
// error with its line inside Text.
func (e *Embedded) parse() (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(e.Text), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}
