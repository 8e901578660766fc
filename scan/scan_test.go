package scan

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		lines []int // start line of each chunk
	}{
		{"single", "a: 1\nb: 2\n", []int{1}},
		{"leading marker", "---\na: 1\n", []int{1}},
		{"two", "a: 1\n---\nb: 2\n", []int{1, 2}},
		{"marker with comment", "a: 1\n--- # next\nb: 2\n", []int{1, 2}},
		{"end marker", "a: 1\n...\n---\nb: 2\n", []int{1, 2, 3}},
		{"not a marker", "a: |\n  ---\n  x\nb: ----\n", []int{1}},
		{"indented marker is content", "a:\n  ---\n", []int{1}},
		{"crlf", "a: 1\r\n---\r\nb: 2\r\n", []int{1, 2}},
		{"lone cr", "a: 1\r---\rb: 2\r", []int{1, 2}},
		{"line separator", "a: 1\u2028---\nb: 2", []int{1, 2}},
		{"empty", "", []int{1}},
		{"only marker", "---\n", []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := Split([]byte(tt.in))
			var got []int
			var joined string
			for _, c := range chunks {
				got = append(got, c.Line)
				joined += string(c.Data)
			}
			if joined != tt.in {
				t.Errorf("chunks lose bytes: %q", joined)
			}
			if len(got) != len(tt.lines) {
				t.Fatalf("chunk lines %v, want %v", got, tt.lines)
			}
			for i := range got {
				if got[i] != tt.lines[i] {
					t.Fatalf("chunk lines %v, want %v", got, tt.lines)
				}
			}
		})
	}
}

func TestQuickSignature(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
		sig  Signature
	}{
		{"plain", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\n", true,
			Signature{APIVersion: "v1", Kind: "Pod", Name: "p", Namespace: "n",
				APIVersionPos: Pos{1, 1}, KindPos: Pos{2, 1}, NamePos: Pos{4, 3}, NamespacePos: Pos{5, 3}}},
		{"quoted and commented", "apiVersion: \"apps/v1\" # x\nkind: 'Deployment'\n", true,
			Signature{APIVersion: "apps/v1", Kind: "Deployment", APIVersionPos: Pos{1, 1}, KindPos: Pos{2, 1}}},
		{"nested name ignored", "kind: Pod\nmetadata:\n  labels:\n    name: x\n  name: real\n", true,
			Signature{Kind: "Pod", Name: "real", KindPos: Pos{1, 1}, NamePos: Pos{5, 3}}},
		{"block scalar at top", "apiVersion: v1\nkind: ConfigMap\ndescription: |\n  kind: fake\n", true,
			Signature{APIVersion: "v1", Kind: "ConfigMap", APIVersionPos: Pos{1, 1}, KindPos: Pos{2, 1}}},
		{"flow", "{apiVersion: v1, kind: Pod}", false, Signature{}},
		{"anchor", "apiVersion: &a v1\nkind: Pod\n", false, Signature{}},
		{"alias", "kind: Pod\nmetadata: *m\n", false, Signature{}},
		{"tag", "apiVersion: !Ref v1\n", false, Signature{}},
		{"tab", "kind: Pod\nmetadata:\n\tname: x\n", false, Signature{}},
		{"complex key", "? kind\n: Pod\n", false, Signature{}},
		{"multi-line plain", "kind: Pod\n  Extra\n", false, Signature{}},
		{"duplicate", "kind: Pod\nkind: Service\n", false, Signature{}},
		{"duplicate other key", "kind: Pod\nspec: 1\nspec: 2\n", true, Signature{Kind: "Pod", KindPos: Pos{1, 1}}},
		{"sequence at key indent", "kind: Role\nrules:\n- a: 1\n  b: 2\n-\n  c: 3\nmetadata:\n  name: r\n", true, Signature{Kind: "Role", Name: "r", KindPos: Pos{1, 1}, NamePos: Pos{8, 3}}},
		{"sequence under metadata", "kind: Role\nmetadata:\n- a\n", false, Signature{}},
		{"number", "apiVersion: 1\nkind: Pod\n", false, Signature{}},
		{"merge key in metadata", "kind: Pod\nmetadata:\n  <<: *m\n", false, Signature{}},
		{"content on marker", "--- kind: Pod\n", false, Signature{}},
		{"escaped quote", "kind: \"P\\u006fd\"\n", false, Signature{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, ok := quickSignature(Chunk{Data: []byte(tt.in), Line: 1})
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && sig != tt.sig {
				t.Errorf("got %+v\nwant %+v", sig, tt.sig)
			}
		})
	}
}

// TestSignaturePathsAgree checks, on every fixture and on the shared corpus,
// that the cheap signature pass and the full parse give the same
// signatures and positions wherever the cheap pass is sure.
func TestSignaturePathsAgree(t *testing.T) {
	roots := []string{"../testdata", "../../shared/corpus"}
	files, sure, unsure := 0, 0, 0
	for _, root := range roots {
		if _, err := os.Stat(root); err != nil {
			t.Logf("skipping %s: %v", root, err)
			continue
		}
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !IsManifestName(p) {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			f := NewFile(p, data)
			for _, c := range Split(f.Text()) {
				quick, ok := quickSignature(c)
				if !ok {
					unsure++
					continue
				}
				root, err := parseChunk(c)
				if err != nil {
					continue // invalid YAML: the engine reports it when it parses
				}
				sure++
				full := nodeSignature(root, 0)
				if quick != full {
					t.Errorf("%s:%d: signatures differ\nquick %+v\nfull  %+v", p, c.Line, quick, full)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files == 0 {
		t.Fatal("no files found")
	}
	t.Logf("%d files: %d documents signed by the line scan, %d by the full parse", files, sure, unsure)
}

func TestParseKinds(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // kind@line:col of each object
		errs int
	}{
		{"list", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n- kind: Service\n  apiVersion: v1\n", []string{"Pod@4:3", "Service@7:3"}, 0},
		{"json", "{\n \"apiVersion\": \"v1\",\n \"kind\": \"Pod\"\n}\n", []string{"Pod@2:2"}, 0},
		{"bom", "\ufeffapiVersion: v1\nkind: Pod\n", []string{"Pod@1:1"}, 0},
		{"crlf", "a: 1\r\n---\r\napiVersion: v1\r\nkind: Pod\r\n", []string{"@0:0", "Pod@3:1"}, 0},
		{"broken middle", "apiVersion: v1\nkind: A\n---\nkind: [\n---\napiVersion: v1\nkind: B\n", []string{"A@1:1", "B@6:1"}, 1},
		{"cloudformation tags", "Resources:\n  X:\n    Name: !Ref Y\n", []string{"@0:0"}, 0},
		{"scalar document", "just text\n", []string{"@0:0"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, errs := Parse(NewFile("x.yaml", []byte(tt.in)))
			if len(errs) != tt.errs {
				t.Errorf("errors %v, want %d", errs, tt.errs)
			}
			var got []string
			for _, d := range docs {
				got = append(got, d.Sig.Kind+"@"+strconv.Itoa(d.Sig.APIVersionPos.Line)+":"+strconv.Itoa(d.Sig.APIVersionPos.Col))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	f := NewFile("x", []byte("\ufeffa: 1\r\nb: é2\r\nc: 3"))
	for _, tt := range []struct {
		pos  Pos
		want string // text from the offset on
	}{
		{Pos{1, 1}, "a: 1\r\nb: é2\r\nc: 3"},
		{Pos{2, 4}, "é2\r\nc: 3"},
		{Pos{2, 5}, "2\r\nc: 3"},
		{Pos{3, 1}, "c: 3"},
		{Pos{3, 99}, ""},
		{Pos{9, 1}, ""},
	} {
		if got := string(f.Data[f.Offset(tt.pos):]); got != tt.want {
			t.Errorf("Offset(%v) -> %q, want %q", tt.pos, got, tt.want)
		}
	}
	if got := string(f.Line(2)); got != "b: é2" {
		t.Errorf("Line(2) = %q", got)
	}
	mac := NewFile("x", []byte("a: 1\rb: 2\rc: 3"))
	if mac.Lines() != 3 || string(mac.Line(2)) != "b: 2" || mac.Offset(Pos{3, 1}) != 10 || mac.LineBreak() != "\r" {
		t.Errorf("lone CR lines: %d lines, line 2 %q", mac.Lines(), mac.Line(2))
	}
	if f.LineBreak() != "\r\n" {
		t.Errorf("LineBreak = %q", f.LineBreak())
	}
}

func TestLineStartIndent(t *testing.T) {
	f := NewFile("x", []byte("\ufeffa:\r\n  b: 1\r\n    - c\r\n\td"))
	for n, want := range map[int]int{0: 3, 1: 3, 2: 7, 3: 15, 4: 24, 5: len(f.Data)} {
		if got := f.LineStart(n); got != want {
			t.Errorf("LineStart(%d) = %d, want %d", n, got, want)
		}
	}
	for n, want := range map[int]int{0: 0, 1: 0, 2: 2, 3: 4, 4: 0, 5: 0} {
		if got := f.Indent(n); got != want {
			t.Errorf("Indent(%d) = %d, want %d", n, got, want)
		}
	}
}

// FuzzParse checks that splitting and parsing never panic, that chunks keep
// every byte, and that the cheap signature agrees with the full parse
// whenever it claims to be sure.
func FuzzParse(f *testing.F) {
	_ = filepath.WalkDir("../testdata", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && IsManifestName(p) {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		file := NewFile("fuzz.yaml", data)
		slow := 0
		for i := 0; i < len(data); i++ {
			if w := BreakAt(data, i); w > 0 {
				slow++
				i += w - 1
			}
		}
		if CountBreaks(data) != slow {
			t.Fatalf("CountBreaks %d, BreakAt %d", CountBreaks(data), slow)
		}
		var joined []byte
		for _, c := range Split(file.Text()) {
			joined = append(joined, c.Data...)
			quick, ok := quickSignature(c)
			if !ok {
				continue
			}
			root, err := parseChunk(c)
			if err != nil {
				continue
			}
			if full := nodeSignature(root, 0); full != quick {
				t.Fatalf("line %d: quick %+v != full %+v", c.Line, quick, full)
			}
		}
		if string(joined) != string(file.Text()) {
			t.Fatalf("split lost bytes")
		}
		docs, _ := Parse(file)
		for _, d := range docs {
			_, _ = d.Node()
			if d.Sig.APIVersionPos.Line > 0 {
				_ = file.Offset(d.Sig.APIVersionPos)
			}
		}
	})
}

func TestNextBreakAgreesWithBreakAt(t *testing.T) {
	for _, s := range []string{"", "abc", "a\nb", "a\r\nb\rc", "é\u2028x\u0085y\u2029", "\u00e9\u20ac\n", "\r", "\xc2", "\xe2\x80"} {
		data := []byte(s)
		var want, got []int
		for i := 0; i < len(data); {
			if w := BreakAt(data, i); w > 0 {
				want = append(want, i, w)
				i += w
				continue
			}
			i++
		}
		for i := 0; ; {
			p, w := NextBreak(data, i)
			if w == 0 {
				break
			}
			got = append(got, p, w)
			i = p + w
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: NextBreak %v, BreakAt %v", s, got, want)
		}
	}
}
