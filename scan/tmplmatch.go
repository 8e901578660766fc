package scan

// tmplmatch.go, tmplcompile.go, tmplcond.go and tmplalign.go align the
// output of a Go template (a Helm chart template) with the template text, so
// that a position in the rendered output can be traced to the template byte
// that produced it, or to the action ({{ ... }}) whose output it is part of.
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
	return matchPrograms(func(oneLine bool) (a, b *tmplProgram, ok bool) {
		return compileTemplate(name, src, oneLine, vals)
	}, src, out, floating)
}

// matchPrograms aligns out with the programs compile builds, first with
// inline actions held to one line, then without.
func matchPrograms(compile func(oneLine bool) (a, b *tmplProgram, ok bool), src, out []byte, floating bool) *TemplateMatch {
	for _, oneLine := range []bool{true, false} {
		a, b, ok := compile(oneLine)
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
