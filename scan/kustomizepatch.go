package scan

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// patch is one patch of a kustomization.
type patch struct {
	kf     *kustFile
	file   *File      // the patch text (a file, or the kustomization for inline patches)
	root   *yaml.Node // the patch's root nodes, lines in file terms
	target *yaml.Node // the target selector, if any
	shift  Pos        // added to positions of an inline patch
}

// patches lists every patch of the build, the latest applied first: the
// root kustomization's, then those of its bases.
func (k *kustomizeFS) patches() []patch {
	k.mu.Lock()
	kusts := append([]*kustFile{}, k.kusts...)
	k.mu.Unlock()
	var out []patch
	for _, kf := range kusts {
		for _, field := range []string{"patches", "patchesJson6902", "patchesStrategicMerge"} {
			seq := MapGet(kf.root, field)
			if seq == nil || seq.Kind != yaml.SequenceNode {
				continue
			}
			for i := len(seq.Content) - 1; i >= 0; i-- {
				it := seq.Content[i]
				var target *yaml.Node
				var pathN, inline *yaml.Node
				switch it.Kind {
				case yaml.ScalarNode: // patchesStrategicMerge: a file or inline text
					if k.Exists(filepath.Join(kf.dir, it.Value)) {
						pathN = it
					} else {
						inline = it
					}
				case yaml.MappingNode:
					target = MapGet(it, "target")
					pathN = MapGet(it, "path")
					inline = MapGet(it, "patch")
				}
				switch {
				case pathN != nil:
					p := filepath.Join(kf.dir, pathN.Value)
					if !k.inside(p) {
						continue
					}
					data, err := os.ReadFile(p)
					if err != nil {
						continue
					}
					f := NewFile(k.relToUser(p), data)
					for _, r := range parseAll(data) {
						out = append(out, patch{kf: kf, file: f, root: r, target: target})
					}
				case inline != nil && inline.Kind == yaml.ScalarNode:
					shift := Pos{}
					if inline.Style == yaml.LiteralStyle || inline.Style == yaml.FoldedStyle {
						// Content starts on the next line, indented.
						shift = Pos{Line: inline.Line, Col: kf.file.Indent(inline.Line + 1)}
					} else {
						shift = Pos{Line: inline.Line - 1, Col: -1}
					}
					for _, r := range parseAll([]byte(inline.Value)) {
						out = append(out, patch{kf: kf, file: kf.file, root: r, target: target, shift: shift})
					}
				}
			}
		}
	}
	return out
}

// parseAll parses every document of a YAML stream.
func parseAll(data []byte) []*yaml.Node {
	var out []*yaml.Node
	for _, c := range Split(data) {
		n, err := parseChunk(c)
		if err == nil && n != nil {
			out = append(out, n)
		}
	}
	return out
}

// at converts a position in a patch's text to one in its file.
func (p patch) at(n *yaml.Node) Location {
	if p.shift.Col < 0 {
		// An inline patch in a quoted or plain scalar: only the line of the
		// patch entry is known.
		return Location{File: p.file.Path, Pos: Pos{Line: p.shift.Line + 1, Col: 1}, Note: "(in the inline patch on this line)"}
	}
	return Location{File: p.file.Path, Pos: Pos{Line: n.Line + p.shift.Line, Col: n.Column + p.shift.Col}}
}

// matches reports whether a patch applies to an object: its target (kind,
// name as a regular expression or part of the name) or, for a strategic
// merge patch without target, its own kind and name.
func (p patch) matches(sig Signature) bool {
	kind, name := "", ""
	if p.target != nil {
		if k := MapGet(p.target, "kind"); k != nil {
			kind = k.Value
		}
		if n := MapGet(p.target, "name"); n != nil {
			name = n.Value
		}
	} else if p.root.Kind == yaml.MappingNode {
		if k := MapGet(p.root, "kind"); k != nil {
			kind = k.Value
		}
		if n := MapGet(MapGet(p.root, "metadata"), "name"); n != nil {
			name = n.Value
		}
	}
	if kind != "" && kind != sig.Kind {
		return false
	}
	if name == "" || strings.Contains(sig.Name, name) {
		return true
	}
	re, err := regexp.Compile("^(?:" + name + ")$")
	return err == nil && re.MatchString(sig.Name)
}

// patchPos finds the patch that set the value at keys.
func (k *kustomizeFS) patchPos(sig Signature, keys []string, rendered *yaml.Node) (Location, bool) {
	for _, p := range k.patches() {
		if !p.matches(sig) {
			continue
		}
		switch p.root.Kind {
		case yaml.SequenceNode: // JSON 6902
			for _, op := range p.root.Content {
				verb, ptr := MapGet(op, "op"), MapGet(op, "path")
				if verb == nil || ptr == nil || (verb.Value != "add" && verb.Value != "replace" && verb.Value != "copy" && verb.Value != "move") {
					continue
				}
				opKeys := pointerKeys(ptr.Value)
				if len(opKeys) > len(keys) || !hasPrefix(keys, opKeys) {
					continue
				}
				vk, v := MapEntry(op, "value")
				if v == nil {
					return p.at(ptr), true
				}
				rest := keys[len(opKeys):]
				if len(rest) == 0 {
					if sameValue(v, rendered) {
						return p.at(vk), true
					}
					continue
				}
				if n, val := lookupPath(v, rest); n != nil && sameValue(val, rendered) {
					return p.at(n), true
				}
			}
		case yaml.MappingNode: // strategic merge
			if n, val := lookupPath(p.root, keys); n != nil && sameValue(val, rendered) {
				return p.at(n), true
			}
		}
	}
	return Location{}, false
}

// pointerKeys splits a JSON pointer (/spec/template/0) into keys.
func pointerKeys(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}
