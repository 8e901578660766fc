package scan

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template/parse"
)

// GatedAPI is a literal top-level `apiVersion:` line (at column 1, so the
// apiVersion of an HPA's scaleTargetRef is not one) of a chart template that sits
// inside an if or with (or its else): the object is rendered only when the
// conditions hold. The engine reports the ones that no render took and
// whose API the target no longer serves.
type GatedAPI struct {
	// File is the template file on disk; Pos the apiVersion line's value.
	File string
	Pos  Pos
	// APIVersion and Kind are the literal values of the apiVersion line and
	// of the first literal kind line after it in the same branch.
	APIVersion, Kind string
	// Conditions are the enclosing conditions, outermost first, as written
	// (`.Values.podSecurityPolicy.enabled`), an else branch's as
	// `not (…)`.
	Conditions []string
	// Capabilities is set when a condition reads .Capabilities: the branch
	// is the chart's own answer to the cluster version, and the render at
	// the target takes it or not correctly.
	Capabilities bool
	Origin       *Origin
}

var (
	gatedAPIVersion = regexp.MustCompile(`^apiVersion:[ \t]*["']?([A-Za-z0-9.\-/]+)["']?[ \t]*(#.*)?$`)
	gatedKind       = regexp.MustCompile(`^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(#.*)?$`)
)

// maxGatedTemplate bounds the template size the gate scan reads (the chart
// budget already bounds the chart; parsing is linear).
const maxGatedTemplate = 1 << 20

// GatedAPIs lists the gated literal apiVersion lines of the chart's
// templates on disk (packaged subcharts are not read), in file and line
// order. Helpers (`_*.tpl`) and `define` bodies are not read: what they
// give depends on the caller.
func (c *Chart) GatedAPIs() []GatedAPI {
	var out []GatedAPI
	for f, src := range c.sources {
		if src.inArchive || strings.HasPrefix(path.Base(f.Name), "_") || path.Base(f.Name) == "NOTES.txt" || len(f.Data) > maxGatedTemplate {
			continue
		}
		out = append(out, gatedIn(src.path, f.Data, &Origin{Chart: c.Dir, Template: c.Name + "/" + f.Name})...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Pos.Line < out[j].Pos.Line
	})
	return out
}

// gatedIn scans one template.
func gatedIn(file string, src []byte, origin *Origin) []GatedAPI {
	t := parse.New(file)
	t.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	tree, err := t.Parse(string(src), "", "", trees)
	if err != nil || tree == nil || tree.Root == nil {
		return nil
	}
	g := &gateScan{file: file, src: src, origin: origin}
	g.list(tree.Root, nil, false)
	return g.out
}

type gateScan struct {
	// dot is what `.` stands for inside a `with` on a field chain
	// (".Values.autoscaling"), so that `.enabled` reads as
	// `.Values.autoscaling.enabled`; "" at the root or when unknown.
	dot    string
	file   string
	src    []byte
	origin *Origin
	out    []GatedAPI
	// open are gated apiVersion lines still waiting for their kind line,
	// which may follow the branch (`{{ if }}apiVersion: a{{ else }}apiVersion:
	// b{{ end }}` then `kind:`).
	open []GatedAPI
}

func (g *gateScan) list(l *parse.ListNode, conds []string, caps bool) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			g.text(n, conds, caps)
		case *parse.IfNode:
			g.branch(&n.BranchNode, conds, caps, false)
		case *parse.WithNode:
			g.branch(&n.BranchNode, conds, caps, true)
		case *parse.RangeNode:
			// The body of a range repeats; it is gated on the list being
			// non-empty, which is a condition too. Inside, `.` is an item.
			saved := g.dot
			g.dot = "?"
			g.branch(&n.BranchNode, conds, caps, false)
			g.dot = saved
		}
	}
}

func (g *gateScan) branch(b *parse.BranchNode, conds []string, caps, with bool) {
	cond := b.Pipe.String()
	if strings.HasPrefix(cond, ".") && fieldChain.MatchString(cond) && g.dot != "" && g.dot != "?" {
		cond = g.dot + cond
	}
	c := caps || strings.Contains(cond, ".Capabilities")
	saved := g.dot
	if with {
		g.dot = "?"
		if fieldChain.MatchString(cond) {
			g.dot = cond
		}
	}
	g.list(b.List, appendCond(conds, cond), c)
	g.dot = saved
	if b.ElseList != nil {
		g.list(b.ElseList, appendCond(conds, "not ("+cond+")"), c)
	}
}

// fieldChain is a condition that is one field chain: `.Values.a.b`, `$.Values.a`.
var fieldChain = regexp.MustCompile(`^\$?(\.[A-Za-z_][A-Za-z0-9_]*)+$`)

func appendCond(conds []string, c string) []string {
	return append(conds[:len(conds):len(conds)], c)
}

// text reads the literal lines of one text node: an apiVersion line under a
// condition opens a candidate, the next kind line completes it.
func (g *gateScan) text(n *parse.TextNode, conds []string, caps bool) {
	base := int(n.Pos)
	data := n.Text
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off
		}
		line := bytes.TrimRight(data[off:end], "\r")
		if m := gatedAPIVersion.FindSubmatch(line); m != nil && len(conds) > 0 {
			lineNo := 1 + bytes.Count(g.src[:base+off], []byte{'\n'})
			col := bytes.Index(line, m[1]) + 1
			g.open = append(g.open, GatedAPI{File: g.file, Pos: Pos{Line: lineNo, Col: col}, APIVersion: string(m[1]),
				Conditions: conds, Capabilities: caps, Origin: g.origin})
		} else if m := gatedKind.FindSubmatch(line); m != nil && len(g.open) > 0 {
			for _, o := range g.open {
				o.Kind = string(m[1])
				g.out = append(g.out, o)
			}
			g.open = nil
		} else if gatedAPIVersion.Match(line) || bytes.HasPrefix(line, []byte("---")) {
			// An ungated apiVersion or a new document: what was open has
			// no kind line of its own.
			g.open = nil
		}
		off = end + 1
	}
}

// Condition is the conditions as one phrase for a message:
// "`.Values.a` and `.Values.b`".
func (g GatedAPI) Condition() string {
	var parts []string
	for i, c := range g.Conditions {
		// `with .Values.a` then `if .Values.a.enabled`: the second says it.
		if i+1 < len(g.Conditions) && strings.HasPrefix(g.Conditions[i+1], c+".") {
			continue
		}
		parts = append(parts, "`"+c+"`")
	}
	return strings.Join(parts, " and ")
}
