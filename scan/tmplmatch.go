package scan

import (
	"bytes"
	"sort"
	"strings"
	"text/template/parse"
)

// This file aligns the output of a Go template (a Helm chart template) with
// the template text, so that a position in the rendered output can be traced
// to the template byte that produced it, or to the action ({{ ... }}) whose
// output it is part of.
//
// The template's parse tree is compiled into a small matching program: text
// is matched byte for byte, an action matches any output, if/with branches
// are alternatives and range bodies repeat. A Pike VM (the linear-time
// simulation RE2 uses) runs the program over the output, recording for each
// thread where each stretch of output came from. Where the output could have
// come from two places (an action's output that reads like template text, a
// value that could belong to either of two adjacent actions), the two
// programs built with opposite preferences (lazy/greedy actions, taken or
// skipped branches) disagree, and the position is reported as not mapped
// rather than guessed.

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
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
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
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					walk(a)
				}
			}
		}
	}
	walk(p)
	return found
}

// pipeValues returns the one values path a pipeline reads (.Values.a.b,
// $.Values.a.b, or a field of `.` inside `with .Values.x`), if it reads
// exactly one.
func pipeValues(p *parse.PipeNode, d dot) ([]string, bool) {
	var found [][]string
	unknown := false
	var walkPipe func(p *parse.PipeNode)
	var walkArg func(n parse.Node)
	walkArg = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.FieldNode:
			switch {
			case d.root && len(n.Ident) >= 2 && n.Ident[0] == "Values":
				found = append(found, n.Ident[1:])
			case d.known && d.values != nil:
				found = append(found, append(append([]string{}, d.values...), n.Ident...))
			case d.root:
			default:
				unknown = true
			}
		case *parse.VariableNode:
			if len(n.Ident) >= 3 && n.Ident[0] == "$" && n.Ident[1] == "Values" {
				found = append(found, n.Ident[2:])
			}
		case *parse.DotNode:
			if d.known && d.values != nil {
				found = append(found, d.values)
			}
		case *parse.PipeNode:
			walkPipe(n)
		case *parse.ChainNode:
			unknown = true
		}
	}
	walkPipe = func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, cmd := range p.Cmds {
			for _, a := range cmd.Args {
				walkArg(a)
			}
		}
	}
	walkPipe(p)
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

// segment is a stretch of output from one place: template text starting at
// src, or the output of action act (src < 0).
type segment struct {
	at  int // output offset where the stretch starts
	src int // template offset of its first byte, or -1
	act int // action index when src < 0
}

// trace is a thread's history, shared between threads (persistent list).
type trace struct {
	prev *trace
	seg  segment
}

// maxSteps bounds the work of one alignment (threads × output bytes).
const maxSteps = 40_000_000

// alignment is the result of running a program over an output.
type alignment struct {
	segs []segment
}

// align runs program p over out. floating lets the output start at any
// line of the template text or any action and end anywhere (a document cut
// from `helm template` output); otherwise the whole output must be the
// whole template's output. It returns nil when the output cannot be
// aligned within the step budget.
func (p *tmplProgram) align(out []byte, floating bool) *alignment {
	n := len(p.insts)
	mark := make([]uint32, n)
	gen := uint32(0)
	type thread struct {
		pc int32
		tr *trace
	}
	var clist, nlist []thread
	var add func(list *[]thread, pc int32, tr *trace)
	add = func(list *[]thread, pc int32, tr *trace) {
		if mark[pc] == gen {
			return
		}
		mark[pc] = gen
		switch in := p.insts[pc]; in.op {
		case opSplit:
			add(list, in.x, tr)
			add(list, in.y, tr)
		case opJmp:
			add(list, in.x, tr)
		default:
			*list = append(*list, thread{pc, tr})
		}
	}
	gen++
	if floating {
		for pc := int32(0); pc < int32(n); pc++ {
			in := p.insts[pc]
			if pc == 0 || in.op == opAny || in.op == opAnyNL || (in.op == opByte && in.src > 0 && p.src[in.src-1] == '\n') {
				add(&clist, pc, nil)
			}
		}
	} else {
		add(&clist, 0, nil)
	}
	steps := 0
	for i := 0; i < len(out); i++ {
		if len(clist) == 0 {
			return nil
		}
		steps += len(clist)
		if steps > maxSteps {
			return nil
		}
		gen++
		nlist = nlist[:0]
		ch := out[i]
		for _, t := range clist {
			in := p.insts[t.pc]
			switch in.op {
			case opByte:
				if in.c != ch {
					continue
				}
				tr := t.tr
				if tr == nil || tr.seg.src < 0 || tr.seg.src+(i-tr.seg.at) != int(in.src) {
					tr = &trace{prev: t.tr, seg: segment{at: i, src: int(in.src)}}
				}
				add(&nlist, t.pc+1, tr)
			case opAny, opAnyNL:
				if in.op == opAnyNL && ch == '\n' {
					continue
				}
				tr := t.tr
				if tr == nil || tr.seg.src >= 0 || tr.seg.act != int(in.src) {
					tr = &trace{prev: t.tr, seg: segment{at: i, src: -1, act: int(in.src)}}
				}
				add(&nlist, in.x, tr)
			}
		}
		clist, nlist = nlist, clist
	}
	for _, t := range clist {
		if floating || p.insts[t.pc].op == opMatch {
			var segs []segment
			for tr := t.tr; tr != nil; tr = tr.prev {
				segs = append(segs, tr.seg)
			}
			for l, r := 0, len(segs)-1; l < r; l, r = l+1, r-1 {
				segs[l], segs[r] = segs[r], segs[l]
			}
			return &alignment{segs: segs}
		}
	}
	return nil
}

// at returns the segment holding output offset o, and the template offset
// of that byte when it is template text (-1 for action output).
func (a *alignment) at(o int) (segment, int, bool) {
	if a == nil || len(a.segs) == 0 {
		return segment{}, -1, false
	}
	i := sort.Search(len(a.segs), func(i int) bool { return a.segs[i].at > o }) - 1
	if i < 0 {
		return segment{}, -1, false
	}
	s := a.segs[i]
	if s.src < 0 {
		return s, -1, true
	}
	return s, s.src + (o - s.at), true
}

// end returns the output offset where segment i's stretch ends.
func (a *alignment) end(s segment, outLen int) int {
	i := sort.Search(len(a.segs), func(i int) bool { return a.segs[i].at > s.at })
	if i < len(a.segs) {
		return a.segs[i].at
	}
	return outLen
}

// TemplateMatch traces positions of a template's output back to the
// template. It is built lazily and is safe for concurrent use once built.
type TemplateMatch struct {
	src    []byte
	a, b   *tmplProgram
	la, lb *alignment
	outLen int
}

// MatchTemplate aligns out, the output of template src, with the template.
// floating is for a document cut out of the whole output. It returns nil
// when the template does not parse or the output cannot be aligned.
func MatchTemplate(name string, src, out []byte, floating bool) *TemplateMatch {
	return matchTemplate(name, src, out, floating, nil)
}

// matchTemplate is MatchTemplate knowing the values the template was
// rendered with (nil when unknown).
func matchTemplate(name string, src, out []byte, floating bool, vals any) *TemplateMatch {
	for _, oneLine := range []bool{true, false} {
		a, b, ok := compileTemplate(name, src, oneLine, vals)
		if !ok {
			return nil
		}
		la := a.align(out, floating)
		if la == nil {
			continue
		}
		lb := b.align(out, floating)
		if lb == nil {
			continue
		}
		return &TemplateMatch{src: src, a: a, b: b, la: la, lb: lb, outLen: len(out)}
	}
	return nil
}

// Traced is where one output byte came from.
type Traced struct {
	// Src is the template offset of the byte when it is template text, else -1.
	Src int
	// Action is the action whose output holds the byte, when Src is -1.
	Action tmplAction
	// Start and End bound the stretch of output that came from the same
	// place (the action's whole output, or the run of template text).
	Start, End int
}

// Trace returns where output offset o came from, and ok=false when the two
// alignments disagree (the output could have come from more than one place).
func (m *TemplateMatch) Trace(o int) (Traced, bool) {
	if m == nil || o < 0 || o >= m.outLen {
		return Traced{}, false
	}
	sa, srcA, okA := m.la.at(o)
	sb, srcB, okB := m.lb.at(o)
	if !okA || !okB {
		return Traced{}, false
	}
	if srcA >= 0 || srcB >= 0 {
		if srcA != srcB {
			return Traced{}, false
		}
		return Traced{Src: srcA, Start: sa.at, End: m.la.end(sa, m.outLen)}, true
	}
	actA, actB := m.a.actions[sa.act], m.b.actions[sb.act]
	if actA.Pos != actB.Pos {
		return Traced{}, false
	}
	startA, endA := sa.at, m.la.end(sa, m.outLen)
	startB, endB := sb.at, m.lb.end(sb, m.outLen)
	t := Traced{Src: -1, Action: actA, Start: startA, End: endA}
	if startA != startB || endA != endB {
		// Same action, but its output is not bounded the same way: keep the
		// stretch both agree on.
		t.Start, t.End = max(startA, startB), min(endA, endB)
	}
	return t, true
}

// Span returns the stretches that wrote output bytes [start, end), in
// order, and ok=false when the alignments disagree on any byte of it.
func (m *TemplateMatch) Span(start, end int) ([]Traced, bool) {
	var out []Traced
	for o := start; o < end; o++ {
		t, ok := m.Trace(o)
		if !ok {
			return nil, false
		}
		if n := len(out); n > 0 && out[n-1].Src < 0 && t.Src < 0 && out[n-1].Action.Pos == t.Action.Pos && out[n-1].Start == t.Start {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Src >= 0 && t.Src >= 0 && out[n-1].Start == t.Start {
			continue
		}
		out = append(out, t)
	}
	return out, true
}
