package yamledit

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// semOp is one change applied to the decoded document. Ops run deepest
// path first, so renaming a key never invalidates a path below it.
type semOp struct {
	depth int
	apply func(v any) error
}

func (ed *Editor) op(depth int, f func(v any) error) { ed.ops = append(ed.ops, semOp{depth, f}) }

// Verify checks that the edited document decodes to the original one with
// the recorded changes applied, so a layout the edits got wrong never
// becomes a fix.
func (ed *Editor) Verify() error {
	want, err := decodeNode(ed.root)
	if err != nil {
		return err
	}
	ops := slices.Clone(ed.ops)
	slices.SortStableFunc(ops, func(a, b semOp) int { return b.depth - a.depth })
	for _, o := range ops {
		if err := o.apply(want); err != nil {
			return err
		}
	}
	out, err := Apply(ed.data, ed.edits)
	if err != nil {
		return err
	}
	start, end := ed.f.LineStart(ed.d.StartLine), ed.f.LineStart(ed.last+1)
	delta := 0
	for _, e := range ed.edits {
		if e.Start < start || e.End > end {
			return errors.New("edit outside the document")
		}
		delta += len(e.New) - (e.End - e.Start)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out[start:end+delta], &doc); err != nil {
		return fmt.Errorf("edited document does not parse: %w", err)
	}
	if len(doc.Content) == 0 {
		return errors.New("edited document is empty")
	}
	node := doc.Content[0]
	if ed.d.Item >= 0 {
		items := scan.MapGet(node, "items")
		if items == nil || len(items.Content) <= ed.d.Item {
			return errors.New("edited list lost its Item")
		}
		node = items.Content[ed.d.Item]
	}
	got, err := decodeNode(node)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(want, got) {
		return errors.New("edited document does not decode to the changed object")
	}
	return nil
}

// setItems writes items into a decoded mapping.
func (ed *Editor) setItems(mp map[string]any, items []Item) error {
	for _, it := range items {
		k, v, err := ed.itemValue(it)
		if err != nil {
			return err
		}
		mp[k] = v
	}
	return nil
}

// itemValue is an item's key and value as decoded YAML.
func (ed *Editor) itemValue(it Item) (string, any, error) {
	key := it.key
	if key == "" {
		k, _ := scan.MapEntry(it.src, it.srcKey)
		if k == nil {
			return "", nil, fmt.Errorf("no %s", it.srcKey)
		}
		key = ed.rawKey(k)
	}
	kv, err := decodeRaw(key)
	if err != nil {
		return "", nil, err
	}
	ks, ok := kv.(string)
	if !ok {
		return "", nil, fmt.Errorf("key %q is not a string", key)
	}
	switch {
	case it.src != nil && it.raw == "":
		_, val := scan.MapEntry(it.src, it.srcKey)
		v, err := decodeNode(val)
		return ks, v, err
	case it.kids != nil:
		mp := map[string]any{}
		return ks, mp, ed.setItems(mp, it.kids)
	default:
		v, err := decodeRaw(it.raw)
		return ks, v, err
	}
}

func (ed *Editor) rawKey(k *yaml.Node) string {
	s, e, ok := ed.token(k)
	if !ok {
		return k.Value
	}
	return string(ed.data[s:e])
}

func decodeNode(n *yaml.Node) (any, error) {
	var v any
	if n == nil {
		return nil, nil
	}
	err := n.Decode(&v)
	return v, err
}

func decodeRaw(raw string) (any, error) {
	var v any
	err := yaml.Unmarshal([]byte(raw), &v)
	return v, err
}

// walk returns the decoded value at path p.
func walk(v any, p []any) (any, error) {
	for _, k := range p {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%v: not a mapping", p)
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil, fmt.Errorf("%v: not a sequence", p)
			}
			v = s[k]
		}
	}
	return v, nil
}

func mapAt(v any, p []any) (map[string]any, error) {
	x, err := walk(v, p)
	if err != nil {
		return nil, err
	}
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%v: not a mapping", p)
	}
	return m, nil
}

func setAt(v any, p []any, val any) error {
	if len(p) == 0 {
		return errors.New("cannot replace the document")
	}
	parent, err := walk(v, p[:len(p)-1])
	if err != nil {
		return err
	}
	switch k := p[len(p)-1].(type) {
	case string:
		m, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("%v: not a mapping", p)
		}
		m[k] = val
	case int:
		s, ok := parent.([]any)
		if !ok || k >= len(s) {
			return fmt.Errorf("%v: not a sequence", p)
		}
		s[k] = val
	}
	return nil
}
