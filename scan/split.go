package scan

import "bytes"

// Chunk is the text of one YAML document in a multi-document stream: from
// its `---` marker line (if any) up to the next marker.
type Chunk struct {
	// Data is the document's text, marker line included.
	Data []byte
	// Line is the 1-based file line on which Data starts.
	Line int
	// Offset is the byte offset in the file's text (after the BOM) at which Data starts.
	Offset int
	// Lines is the number of lines Data spans.
	Lines int
}

// Split cuts a YAML stream into documents at `---` and `...` marker lines in
// column 0 (which YAML forbids inside any scalar, so a line scan is exact).
// It never drops a byte: the chunks laid end to end are text.
func Split(text []byte) []Chunk {
	var chunks []Chunk
	start, startLine, line := 0, 1, 1
	for pos := 0; pos < len(text); {
		p, w := NextBreak(text, pos)
		next := p + w
		if pos > start && isMarker(text[pos:next]) {
			chunks = append(chunks, Chunk{Data: text[start:pos], Line: startLine, Offset: start, Lines: line - startLine})
			start, startLine = pos, line
		}
		pos = next
		line++
	}
	if start < len(text) || len(chunks) == 0 {
		n := line - startLine
		if n == 0 {
			n = 1
		}
		chunks = append(chunks, Chunk{Data: text[start:], Line: startLine, Offset: start, Lines: n})
	}
	return chunks
}

// isMarker reports whether a line is a document start or end marker.
func isMarker(l []byte) bool {
	if len(l) < 3 || !(bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("..."))) {
		return false
	}
	if len(l) == 3 {
		return true
	}
	return l[3] == ' ' || l[3] == '\t' || BreakAt(l, 3) > 0
}
