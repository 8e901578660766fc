package scan

import "sort"

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

// The work of one alignment (threads × output bytes) has a budget
// proportional to the output, enforced as it goes: after byte i at most
// stepsPerByte×(i+1) + baseSteps steps, and never more than maxSteps. The
// templates of the corpus and the tests need at most 11.2 steps per byte
// (2 is typical); a template whose actions could each have written any part
// of the output (a hundred adjacent {{ .Values.v }}) needs a hundred or more
// and is given up on within the first few kilobytes, its findings keeping
// their honest fallback position.
const (
	stepsPerByte = 48
	baseSteps    = 2_000_000
	maxSteps     = 40_000_000
)

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
		if steps > maxSteps || steps > stepsPerByte*(i+1)+baseSteps {
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
