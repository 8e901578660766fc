package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// JSON manifests. The converters edit YAML text in place, line by line,
// which a JSON document (one flow mapping) does not lend itself to. So a
// JSON document is converted as its block-YAML twin: the same nodes written
// in block style, converted and verified as any YAML document, then written
// back as JSON (in the key order the conversion left, with the original's
// indentation). The fix replaces the whole JSON text: a JSON file has no
// comments or layout to keep besides its indentation.

// isJSONDocument reports whether a document is written as JSON: its root
// is a flow mapping and it is the file's only document.
func isJSONDocument(d *scan.Document, root *yaml.Node) bool {
	return root != nil && root.Kind == yaml.MappingNode && root.Style&yaml.FlowStyle != 0 && d.Index == 0 && d.Item < 0 &&
		bytes.HasPrefix(bytes.TrimSpace(d.File.Data), []byte("{"))
}

// jsonFixes converts a JSON document through its block-YAML twin.
func jsonFixes(d *scan.Document, root *yaml.Node, convert func(*scan.Document, *yaml.Node) []Fix) []Fix {
	var twin bytes.Buffer
	enc := yaml.NewEncoder(&twin)
	enc.SetIndent(2)
	block := blockStyle(root)
	if err := enc.Encode(block); err != nil {
		return nil
	}
	tf := scan.NewFile(d.File.Path, twin.Bytes())
	docs, errs := scan.ParseNode(tf)
	if len(errs) > 0 || len(docs) != 1 {
		return nil
	}
	troot, err := docs[0].Node()
	if err != nil || troot == nil {
		return nil
	}
	indent := jsonIndent(d.File.Data)
	text := d.File.Data
	start := bytes.IndexByte(text, '{')
	end := bytes.LastIndexByte(text, '}') + 1
	if start < 0 || end <= start {
		return nil
	}
	var out []Fix
	for _, fx := range convert(docs[0], troot) {
		converted, err := ApplyEdits(twin.Bytes(), fx.Edits)
		if err != nil {
			return out
		}
		var n yaml.Node
		if err := yaml.Unmarshal(converted, &n); err != nil || len(n.Content) == 0 {
			return out
		}
		var js bytes.Buffer
		if err := writeJSON(&js, n.Content[0]); err != nil {
			return out
		}
		newText := js.String()
		if indent != "" {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, js.Bytes(), "", indent); err != nil {
				return out
			}
			newText = pretty.String()
		}
		fx.Edits = []Edit{{Path: d.File.Path, Start: start, End: end, New: newText}}
		out = append(out, fx)
	}
	return out
}

// blockStyle returns a copy of n with every node in block style (scalars
// keep their tags: a JSON string stays a string).
func blockStyle(n *yaml.Node) *yaml.Node {
	c := *n
	c.Style &^= yaml.FlowStyle
	if c.Kind == yaml.ScalarNode && c.Tag == "!!str" && c.Style == 0 {
		c.Style = 0
	}
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = blockStyle(k)
	}
	return &c
}

// jsonIndent is the indentation unit of a JSON text: the leading spaces (or
// tab) of its first indented line; "" for JSON on one line.
func jsonIndent(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed != "" && len(trimmed) < len(line) {
			return line[:len(line)-len(trimmed)]
		}
	}
	return ""
}

// writeJSON writes a YAML node tree as compact JSON, keeping key order.
func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	n = scan.Deref(n)
	if n == nil {
		b.WriteString("null")
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, it := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, it); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return err
			}
			fmt.Fprint(b, v)
		case "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return err
			}
			num, err := json.Marshal(v)
			if err != nil {
				return err
			}
			b.Write(num)
		default:
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return fmt.Errorf("cannot write a %v node as JSON", n.Kind)
	}
	return nil
}
