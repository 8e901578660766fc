package scan

import (
	"strings"
	"testing"
)

// TestParseDeepKeepsSignature: a document nested past the parser's depth
// limit is an error, and still a document whose signature the signature
// rules read (issue 13.9).
func TestParseDeepKeepsSignature(t *testing.T) {
	const depth = 100_000
	src := "# c\napiVersion: policy/v1beta1 # old\nkind: \"PodSecurityPolicy\"\nmetadata:\n  labels:\n    name: not-this\n  name: deep\n  namespace: ns\nspec: " +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	docs, errs := Parse(NewFile("deep.yaml", []byte(src)))
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "max depth") {
		t.Fatalf("errs = %v", errs)
	}
	if len(docs) != 1 || !docs[0].SigOnly {
		t.Fatalf("docs = %+v", docs)
	}
	s := docs[0].Sig
	if s.APIVersion != "policy/v1beta1" || s.Kind != "PodSecurityPolicy" || s.Name != "deep" || s.Namespace != "ns" ||
		s.APIVersionPos.Line != 2 || s.KindPos.Line != 3 || s.NamePos.Line != 7 {
		t.Errorf("signature %+v", s)
	}
	// Twice the same key: no guess.
	two := strings.Replace(src, "kind:", "kind: A\nkind:", 1)
	if docs, _ := Parse(NewFile("two.yaml", []byte(two))); len(docs) != 0 {
		t.Errorf("ambiguous signature salvaged: %+v", docs[0].Sig)
	}
}

// FuzzSalvageSignature: the tolerant line scan never panics, and what it
// reads lies on lines of the chunk.
func FuzzSalvageSignature(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec: [[[\n"))
	f.Add([]byte("apiVersion: 'a'\nkind: \"b\" # c\nmetadata:\n    namespace: n\n    name: m\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Chunk{Data: data, Line: 3, Lines: strings.Count(string(data), "\n") + 1}
		sig, ok := salvageSignature(c)
		if !ok {
			return
		}
		for _, p := range []Pos{sig.APIVersionPos, sig.KindPos} {
			if p.Line < 3 || p.Line > 3+c.Lines {
				t.Fatalf("position %v outside the chunk", p)
			}
		}
	})
}
