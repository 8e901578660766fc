package yamledit

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// TestEntriesLayout checks the text extent of mapping entries on the
// layouts the editor must place exactly.
func TestEntriesLayout(t *testing.T) {
	src := "a:\n  x: 1 # one\n\n  # about y\n  y:\n  - 1\n  - 2\n  # trailing\nb: |\n  text\n  # not a comment\nlist:\n- k: 1\n  v: 2\n"
	f := scan.NewFile("t.yaml", []byte(src))
	docs, _ := scan.Parse(f)
	root, err := docs[0].Node()
	if err != nil {
		t.Fatal(err)
	}
	ed := New(docs[0], root)
	text := func(e entry) string { return src[e.start:e.end] }
	es := ed.entries(scan.MapGet(root, "a"))
	if ed.err != nil {
		t.Fatal(ed.err)
	}
	if got := text(es[0]); got != "  x: 1 # one\n" {
		t.Errorf("x: %q", got)
	}
	if got := text(es[1]); got != "\n  # about y\n  y:\n  - 1\n  - 2\n" {
		t.Errorf("y: %q", got)
	}
	top := ed.entries(root)
	// a comment indented under a's value belongs to a; "# not a comment"
	// is a line of the block scalar
	if got := text(top[0]); !strings.HasSuffix(got, "  - 2\n  # trailing\n") {
		t.Errorf("a: %q", got)
	}
	if got := text(top[1]); got != "b: |\n  text\n  # not a comment\n" {
		t.Errorf("b: %q", got)
	}
	item := scan.MapGet(root, "list").Content[0]
	ies := ed.entries(item)
	if !ies[0].compact || src[ies[0].start:ies[0].end] != "k: 1\n" || text(ies[1]) != "  v: 2\n" {
		t.Errorf("compact item: %+v", ies)
	}
	ed.entries(&yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle})
	if ed.err == nil {
		t.Error("flow mapping accepted")
	}
}
