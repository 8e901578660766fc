package scan

import (
	"bytes"
	"strings"
	"text/template/parse"
)

// The matching program of a template and its compiler (see tmplmatch.go).

type opcode uint8

const (
	opByte  opcode = iota // match byte c; literal template byte at src
	opAny                 // match any byte as output of action act, then go to x
	opAnyNL               // like opAny, but not a line break
	opSplit               // try x, then y
	opJmp                 // go to x
	opMatch               // the template ends here
)

type inst struct {
	op   opcode
	c    byte
	src  int32 // opByte: template offset; opAny: action index
	x, y int32
}

// tmplAction is one {{ ... }} of a template that writes output.
type tmplAction struct {
	// Pos is the template offset of the action's opening delimiter.
	Pos int
	// Values is the values path the action prints (image.tag for
	// {{ .Values.image.tag | quote }}), or nil when it prints anything else
	// or more than one value.
	Values []string
	// Include is the define the action calls ({{ include "x" . }},
	// optionally piped to indent or nindent, or {{ template "x" . }}), with
	// the indentation its output gets; RootDot says its argument is `.` at
	// the template's root.
	Include string
	Indent  int
	NIndent bool
	RootDot bool
}

// tmplProgram is a compiled template.
type tmplProgram struct {
	src     []byte
	insts   []inst
	actions []tmplAction
}

// compileTemplate parses a template and builds its two matching programs
// (preferring literal text and taken branches, and the opposite). It
// returns ok=false when the template does not parse. When oneLine is set, an
// action that calls nothing known to write several lines (include, toYaml,
// nindent, .Files...) may not write a line break: values printed inline
// rarely hold one, and without the rule a greedy action could swallow the
// lines after it.
// vals, when known, are the values the template was rendered with (its
// chart's scope): an if or with on a plain values reference then compiles
// only the branch that was taken.
func compileTemplate(name string, src []byte, oneLine bool, vals any) (a, b *tmplProgram, ok bool) {
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	tree, err := t.Parse(string(src), "", "", trees)
	if err != nil || tree == nil || tree.Root == nil {
		if tr := trees[name]; tr != nil && err == nil {
			tree = tr
		} else {
			return nil, nil, false
		}
	}
	return compileTree(tree, src, oneLine, vals)
}

// compileTree builds the two matching programs of one parse tree of src
// (a template's, or one of its defines').
func compileTree(tree *parse.Tree, src []byte, oneLine bool, vals any) (a, b *tmplProgram, ok bool) {
	a = &tmplProgram{src: src}
	b = &tmplProgram{src: src}
	ca := &compiler{p: a, lazy: true, oneLine: oneLine, vals: vals}
	cb := &compiler{p: b, lazy: false, oneLine: oneLine, vals: vals}
	if !ca.list(tree.Root, dotRoot()) || !cb.list(tree.Root, dotRoot()) {
		return nil, nil, false
	}
	ca.emit(inst{op: opMatch})
	cb.emit(inst{op: opMatch})
	return a, b, true
}

// dot is what `.` stands for while compiling: the root context, a values
// path (inside `with .Values.x`), or unknown.
type dot struct {
	root   bool
	values []string
	known  bool
}

func dotRoot() dot { return dot{root: true, known: true} }

type compiler struct {
	p       *tmplProgram
	lazy    bool
	oneLine bool
	vals    any // the chart's values, nil when unknown
	// loops holds, for each enclosing range, its head and the jumps to
	// patch to its exit.
	loops []*loopCtx
}

type loopCtx struct {
	head  int32
	exits []int32
}

func (c *compiler) emit(i inst) int32 {
	c.p.insts = append(c.p.insts, i)
	return int32(len(c.p.insts) - 1)
}

func (c *compiler) pc() int32 { return int32(len(c.p.insts)) }

// split emits a split whose preferred branch is the first one when prefer
// is true for this compiler, and returns its index; targets are patched by
// the caller through setSplit.
func (c *compiler) setSplit(at, first, second int32, preferFirst bool) {
	if preferFirst {
		c.p.insts[at].x, c.p.insts[at].y = first, second
	} else {
		c.p.insts[at].x, c.p.insts[at].y = second, first
	}
}

func (c *compiler) list(l *parse.ListNode, d dot) bool {
	if l == nil {
		return true
	}
	for _, n := range l.Nodes {
		if !c.node(n, d) {
			return false
		}
	}
	return true
}

func (c *compiler) node(n parse.Node, d dot) bool {
	switch n := n.(type) {
	case *parse.TextNode:
		start := int(n.Pos)
		if start < 0 || start+len(n.Text) > len(c.p.src) || !bytes.Equal(c.p.src[start:start+len(n.Text)], n.Text) {
			return false
		}
		for i, ch := range n.Text {
			c.emit(inst{op: opByte, c: ch, src: int32(start + i)})
		}
	case *parse.ActionNode:
		if n.Pipe != nil && len(n.Pipe.Decl) > 0 {
			return true // {{ $x := ... }} writes nothing
		}
		act := c.action(int(n.Pos), n.Pipe, d)
		c.wildcard(act, c.oneLine && (!multiLine(n.Pipe, false) || c.inline(act) && !multiLine(n.Pipe, true)))
	case *parse.TemplateNode:
		act := c.action(int(n.Pos), nil, d)
		c.p.actions[act].Include = n.Name
		if n.Pipe != nil && len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 {
			_, isDot := n.Pipe.Cmds[0].Args[0].(*parse.DotNode)
			c.p.actions[act].RootDot = isDot && d.root
		}
		c.wildcard(act, c.oneLine && c.inline(act))
	case *parse.CommentNode:
	case *parse.IfNode:
		if taken, known := c.cond(n.Pipe, d); known {
			if taken {
				return c.list(n.List, d)
			}
			return c.list(n.ElseList, d)
		}
		return c.branch(&n.BranchNode, d, d)
	case *parse.WithNode:
		inner := dot{}
		if vp, ok := pipeValues(n.Pipe, d); ok {
			inner = dot{values: vp, known: true}
		}
		if taken, known := c.cond(n.Pipe, d); known {
			if taken {
				return c.list(n.List, inner)
			}
			return c.list(n.ElseList, d)
		}
		return c.branch(&n.BranchNode, inner, d)
	case *parse.RangeNode:
		return c.rangeNode(n, d)
	case *parse.BreakNode:
		if len(c.loops) == 0 {
			return false
		}
		l := c.loops[len(c.loops)-1]
		l.exits = append(l.exits, c.emit(inst{op: opJmp}))
	case *parse.ContinueNode:
		if len(c.loops) == 0 {
			return false
		}
		c.emit(inst{op: opJmp, x: c.loops[len(c.loops)-1].head})
	default:
		return false
	}
	return true
}

// branch compiles if/with: the list or the else list (or nothing).
func (c *compiler) branch(b *parse.BranchNode, inner, outer dot) bool {
	sp := c.emit(inst{op: opSplit})
	thenPC := c.pc()
	if !c.list(b.List, inner) {
		return false
	}
	j := c.emit(inst{op: opJmp})
	elsePC := c.pc()
	if !c.list(b.ElseList, outer) {
		return false
	}
	c.setSplit(sp, thenPC, elsePC, c.lazy)
	c.p.insts[j].x = c.pc()
	return true
}

// rangeNode compiles range: the body any number of times, or the else list.
func (c *compiler) rangeNode(n *parse.RangeNode, d dot) bool {
	outer := c.emit(inst{op: opSplit})
	head := c.emit(inst{op: opSplit})
	bodyPC := c.pc()
	loop := &loopCtx{head: head}
	c.loops = append(c.loops, loop)
	if !c.list(n.List, dot{}) {
		return false
	}
	c.loops = c.loops[:len(c.loops)-1]
	c.emit(inst{op: opJmp, x: head})
	exit := c.pc()
	c.setSplit(head, bodyPC, exit, c.lazy)
	j := c.emit(inst{op: opJmp})
	elsePC := c.pc()
	if !c.list(n.ElseList, d) {
		return false
	}
	end := c.pc()
	c.p.insts[j].x = end
	c.setSplit(outer, head, elsePC, c.lazy)
	for _, e := range loop.exits {
		c.p.insts[e].x = exit
	}
	return true
}

// wildcard emits an action's output: any bytes (or any but a line break),
// lazily or greedily.
func (c *compiler) wildcard(act int32, noBreak bool) {
	op := opAny
	if noBreak {
		op = opAnyNL
	}
	head := c.emit(inst{op: opSplit})
	anyPC := c.emit(inst{op: op, src: act, x: head})
	next := c.pc()
	c.setSplit(head, next, anyPC, c.lazy)
}

// action records an output action and returns its index.
func (c *compiler) action(pos int, pipe *parse.PipeNode, d dot) int32 {
	open := pos
	if i := bytes.LastIndex(c.p.src[:min(pos+2, len(c.p.src))], []byte("{{")); i >= 0 {
		open = i
	}
	a := tmplAction{Pos: open}
	if pipe != nil {
		if vp, ok := pipeValues(pipe, d); ok {
			a.Values = vp
		}
		if name, n, nl, ok := includeCall(pipe); ok {
			a.Include, a.Indent, a.NIndent = name, n, nl
			_, isDot := pipe.Cmds[0].Args[2].(*parse.DotNode)
			a.RootDot = isDot && d.root
		}
	}
	c.p.actions = append(c.p.actions, a)
	return int32(len(c.p.actions) - 1)
}

// multiLineFuncs are template functions whose output often spans lines;
// true marks those that do whatever the line they are on (include and tpl
// write whatever their template does: inline, a name, usually one line).
var multiLineFuncs = map[string]bool{
	"include": false, "tpl": false, "toYaml": true, "toYamlPretty": true, "mustToYaml": true,
	"toToml": true, "toPrettyJson": true, "mustToPrettyJson": true, "nindent": true, "indent": true,
	"b64dec": true,
}

// inline reports whether an action follows other text on its template
// line (`name: {{ include "x.fullname" . }}`), rather than standing alone
// (`{{ include "x.labels" . | indent 4 }}`).
func (c *compiler) inline(act int32) bool {
	pos := c.p.actions[act].Pos
	start := bytes.LastIndexByte(c.p.src[:pos], '\n') + 1
	return len(bytes.TrimSpace(c.p.src[start:pos])) > 0
}

// multiLine reports whether a pipeline calls something that writes several
// lines, or reads .Files. strict counts only the functions that do so
// wherever they stand (not include or tpl).
func multiLine(p *parse.PipeNode, strict bool) bool {
	found := false
	eachArg(p, func(n parse.Node) {
		switch n := n.(type) {
		case *parse.IdentifierNode:
			if always, ok := multiLineFuncs[n.Ident]; ok && (always || !strict) {
				found = true
			}
		case *parse.FieldNode:
			if len(n.Ident) > 0 && n.Ident[0] == "Files" {
				found = true
			}
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[1] == "Files" {
				found = true
			}
		}
	})
	return found
}

// eachArg calls fn for each argument of each command of pipeline p, in
// order, descending into parenthesized pipelines instead of passing them.
func eachArg(p *parse.PipeNode, fn func(parse.Node)) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for _, a := range cmd.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				eachArg(sub, fn)
				continue
			}
			fn(a)
		}
	}
}

// pipeValues returns the one values path a pipeline reads (.Values.a.b,
// $.Values.a.b, or a field of `.` inside `with .Values.x`), if it reads
// exactly one.
func pipeValues(p *parse.PipeNode, d dot) ([]string, bool) {
	var found [][]string
	unknown := false
	eachArg(p, func(n parse.Node) {
		if vp, ok := refValues(n, d); ok {
			found = append(found, vp)
			return
		}
		switch n.(type) {
		case *parse.FieldNode:
			// A field of the root context other than .Values (.Release.Name)
			// reads no value; a field of an unknown `.` might.
			if !d.root {
				unknown = true
			}
		case *parse.ChainNode:
			unknown = true
		}
	})
	if unknown || len(found) == 0 {
		return nil, false
	}
	for _, f := range found[1:] {
		if strings.Join(f, ".") != strings.Join(found[0], ".") {
			return nil, false
		}
	}
	return found[0], true
}
