// Package scan finds the inputs of a run, reads them, and turns each into
// documents that know where every key stands in the file as the user sees it.
package scan

import (
	"bytes"
	"unicode/utf8"
)

// Pos is a 1-based line and column in a file as the user sees it: after a
// UTF-8 byte-order mark, with CRLF counted as one line break and columns
// counted in characters, not bytes.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"column"`
}

// IsZero reports whether p is unset.
func (p Pos) IsZero() bool { return p.Line == 0 }

var bom = []byte{0xEF, 0xBB, 0xBF}

// File is one input read into memory: a path as the user gave it and its
// bytes. It maps positions to byte offsets for fixes.
type File struct {
	// Path is the path as given on the command line (relative stays relative),
	// or "<stdin>".
	Path string
	// Data is the file's content exactly as read, BOM included.
	Data []byte
	// Origin tells where rendered content came from; nil for plain files.
	Origin *Origin
	// rendered traces rendered content back to its source (see Rendered).
	rendered *Rendered

	lineStarts []int // byte offsets of each line start in Data, after the BOM
	lineEnds   []int // byte offsets just past each line's content, before its break
}

// BreakAt returns the width of the line break starting at data[i], or 0.
// Like the YAML parser (whose positions kubeready reports), it counts CRLF,
// LF, a lone CR, NEL, LS and PS as line breaks.
func BreakAt(data []byte, i int) int {
	switch data[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(data) && data[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if i+1 < len(data) && data[i+1] == 0x85 {
			return 2
		}
	case 0xE2:
		if i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

// NextBreak returns the offset and width of the first line break (as
// BreakAt defines them) at or after i, or len(data) and 0. It finds
// candidates with bytes.IndexByte, so plain ASCII lines cost a vector scan.
func NextBreak(data []byte, i int) (int, int) {
	for i < len(data) {
		end := len(data)
		if nl := bytes.IndexByte(data[i:], '\n'); nl >= 0 {
			end = i + nl
		}
		seg := data[i:end]
		first := earliest(bytes.IndexByte(seg, '\r'), earliest(bytes.IndexByte(seg, 0xC2), bytes.IndexByte(seg, 0xE2)))
		if first < 0 {
			if end < len(data) {
				return end, 1
			}
			return len(data), 0
		}
		p := i + first
		if w := BreakAt(data, p); w > 0 {
			return p, w
		}
		i = p + 1 // a multi-byte character that is not a break
	}
	return len(data), 0
}

// earliest is the smaller of two IndexByte results, -1 meaning absent.
func earliest(a, b int) int {
	if a < 0 || (b >= 0 && b < a) {
		return b
	}
	return a
}

// CountBreaks counts the line breaks in data, as BreakAt defines them.
func CountBreaks(data []byte) int {
	n := 0
	for i := 0; ; {
		p, w := NextBreak(data, i)
		if w == 0 {
			return n
		}
		n++
		i = p + w
	}
}

// Origin describes content produced by rendering (a Helm chart or a
// kustomization) rather than read from a file of its own.
type Origin struct {
	// Chart is the chart directory as the user gave it (or the chart name
	// when only `helm template` output was read).
	Chart string `json:"chart,omitempty"`
	// Template is Helm's name for the template, as in its `# Source:`
	// comments: chart/templates/x.yaml, chart/charts/sub/templates/y.yaml.
	Template string `json:"template,omitempty"`
	// Kustomization is the directory of the kustomization that was built.
	Kustomization string `json:"kustomization,omitempty"`
	// Values names the values sets of the chart whose render gave the
	// finding ("defaults", "ci/ingress-values.yaml", several joined by
	// ", "), when the chart has values sets and not all of them gave it.
	Values string `json:"values,omitempty"`
}

// NewFile wraps content read from path.
func NewFile(path string, data []byte) *File {
	return &File{Path: path, Data: data}
}

// BOMLen is the length of the UTF-8 byte-order mark at the start of Data, or 0.
func (f *File) BOMLen() int { return bomLen(f.Data) }

// bomLen is the length of the UTF-8 byte-order mark at the start of data, or 0.
func bomLen(data []byte) int {
	if bytes.HasPrefix(data, bom) {
		return len(bom)
	}
	return 0
}

// Text is Data without its byte-order mark.
func (f *File) Text() []byte { return f.Data[f.BOMLen():] }

func (f *File) starts() []int {
	if f.lineStarts == nil {
		b := f.BOMLen()
		starts := []int{b}
		var ends []int
		for i := b; ; {
			p, w := NextBreak(f.Data, i)
			if w == 0 {
				break
			}
			ends = append(ends, p)
			starts = append(starts, p+w)
			i = p + w
		}
		f.lineStarts, f.lineEnds = starts, append(ends, len(f.Data))
	}
	return f.lineStarts
}

// Lines is the number of lines in the file.
func (f *File) Lines() int { return len(f.starts()) }

// Line returns the bytes of 1-based line n without its line break, or nil.
func (f *File) Line(n int) []byte {
	s := f.starts()
	if n < 1 || n > len(s) {
		return nil
	}
	return f.Data[s[n-1]:f.lineEnds[n-1]]
}

// Offset converts a position to a byte offset in Data. A column past the end
// of the line is clamped to the line's end; a line past the end gives len(Data).
func (f *File) Offset(p Pos) int {
	s := f.starts()
	if p.Line < 1 {
		return s[0]
	}
	if p.Line > len(s) {
		return len(f.Data)
	}
	off := s[p.Line-1]
	line := f.Line(p.Line)
	for c := 1; c < p.Col && len(line) > 0; c++ {
		_, w := utf8.DecodeRune(line)
		off += w
		line = line[w:]
	}
	return off
}

// LineStart is the byte offset in Data at which 1-based line n starts
// (Offset of its column 1): the start of the text for n < 1, len(Data) past
// the last line.
func (f *File) LineStart(n int) int { return f.Offset(Pos{Line: n, Col: 1}) }

// Indent is the number of spaces that start line n (0 for a line the file
// does not have).
func (f *File) Indent(n int) int {
	l := f.Line(n)
	return len(l) - len(bytes.TrimLeft(l, " "))
}

// LineEnd is the byte offset just past line n's content, before its line break.
func (f *File) LineEnd(n int) int {
	return f.starts()[n-1] + len(f.Line(n))
}

// LineBreak is the line break the file uses: the one ending its first line,
// "\n" when it has none.
func (f *File) LineBreak() string {
	f.starts()
	if len(f.lineEnds) > 1 {
		return string(f.Data[f.lineEnds[0]:f.lineStarts[1]])
	}
	return "\n"
}

// PosAt converts a byte offset in Data into a position (the inverse of
// Offset). Offsets inside the byte-order mark give line 1, column 1.
func (f *File) PosAt(off int) Pos {
	s := f.starts()
	if off < s[0] {
		return Pos{Line: 1, Col: 1}
	}
	if off > len(f.Data) {
		off = len(f.Data)
	}
	line := 0
	lo, hi := 0, len(s)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		if s[mid] <= off {
			line, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	return Pos{Line: line + 1, Col: utf8.RuneCount(f.Data[s[line]:off]) + 1}
}
