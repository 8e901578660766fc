package yamledit

import (
	"bytes"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeready/kubeready/scan"
)

// Item is an entry to write into a block mapping: a new scalar, a new
// mapping (kids), or an original entry (src, srcKey) moved or copied here,
// optionally under a new key and with a new scalar value.
type Item struct {
	key    string // the key as written; "" keeps an original entry's key
	raw    string // a scalar value as written (for src items: replaces the value)
	kids   []Item
	src    *yaml.Node
	srcKey string
	move   bool // the original entry leaves its place: its head comments come along
}

// Scalar is a new entry `key: raw`.
func Scalar(key, raw string) Item { return Item{key: key, raw: raw} }

// Group is a new entry whose value is a mapping of kids.
func Group(key string, kids ...Item) Item { return Item{key: key, kids: kids} }

// Moved is the entry key of mapping m, moved here under newKey ("" keeps it).
func Moved(m *yaml.Node, key, newKey string) Item {
	return Item{key: newKey, src: m, srcKey: key, move: true}
}

// WithValue is it with its scalar value written as raw (for a moved or
// copied entry: in place of the original value).
func (it Item) WithValue(raw string) Item {
	it.raw = raw
	return it
}

// Where says where Insert puts new entries in a mapping.
type Where int

// Where new entries go in a mapping: at its end, or before or after an entry.
const (
	AtEnd Where = iota
	Before
	After
)

// SetScalar replaces the scalar n with raw, keeping everything around it.
func (ed *Editor) SetScalar(n *yaml.Node, raw string) {
	s, e, ok := ed.token(n)
	if !ok {
		ed.Fail("line %d: value is not a one-line scalar", lineOf(n))
		return
	}
	ed.edits = append(ed.edits, Edit{Path: ed.f.Path, Start: s, End: e, New: raw})
	p := ed.paths[n]
	ed.op(len(p), func(v any) error {
		val, err := decodeRaw(raw)
		if err != nil {
			return err
		}
		return setAt(v, p, val)
	})
}

// SetValue replaces the string scalar n with value, written in the style
// (plain, single- or double-quoted) n was written in.
func (ed *Editor) SetValue(n *yaml.Node, value string) {
	if n == nil {
		ed.Fail("no value to set")
		return
	}
	ed.SetScalar(n, styled(n, value))
}

// RenameKey renames key of mapping m (block or flow style) to newKey,
// quoted as the old key was.
func (ed *Editor) RenameKey(m *yaml.Node, key, newKey string) {
	k, _ := scan.MapEntry(m, key)
	s, e, ok := ed.token(k)
	if !ok {
		ed.Fail("line %d: cannot rename %s", lineOf(m), key)
		return
	}
	ed.edits = append(ed.edits, Edit{Path: ed.f.Path, Start: s, End: e, New: styled(k, newKey)})
	p := ed.paths[m]
	ed.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		mp[newKey] = mp[key]
		delete(mp, key)
		return nil
	})
}

// Replace takes the entries keys out of block mapping m and writes items
// where the first of them was.
func (ed *Editor) Replace(m *yaml.Node, keys []string, items []Item) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		ed.rewriteFlow(m, keys, items, -1, "")
		return
	}
	es := ed.entries(m)
	if ed.err != nil {
		return
	}
	var gone []entry
	for _, e := range es {
		if slices.Contains(keys, e.key.Value) {
			gone = append(gone, e)
		}
	}
	if len(gone) != len(keys) {
		ed.Fail("line %d: missing one of %v", m.Line, keys)
		return
	}
	for i, e := range gone {
		start, text := e.start, ""
		if i == 0 && len(items) > 0 {
			text = ed.itemsText(items, e.indent, e.compact)
			if e.compact {
				start = e.keyStart
			}
		} else if e.compact {
			// the first entry of a sequence item: the next entry moves up
			// behind the "- ", unless comments stand between them
			start = e.keyStart
			j := slices.IndexFunc(es, func(x entry) bool { return x.key == e.key })
			if j+1 < len(es) && !slices.ContainsFunc(gone, func(x entry) bool { return x.key == es[j+1].key }) {
				if bytes.Contains(ed.data[e.end:es[j+1].keyStart], []byte("#")) {
					ed.Fail("line %d: comments in the way", e.key.Line)
					return
				}
				ed.edits = append(ed.edits, Edit{Path: ed.f.Path, Start: start, End: es[j+1].keyStart})
				continue
			}
		}
		ed.edits = append(ed.edits, ed.regionEdit(start, e.end, text))
	}
	p := ed.paths[m]
	ed.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(mp, k)
		}
		return ed.setItems(mp, items)
	})
}

// rewriteFlow does replace (keys → items where the first key was) or
// Insert (items before entry number at) on a one-line flow mapping m by
// writing it out again as a block mapping under its key in the parent
// block mapping (renamed to newKey if set). Keys and values keep their text.
func (ed *Editor) rewriteFlow(m *yaml.Node, keys []string, items []Item, at int, newKey string) {
	parent := ed.parents[m]
	if parent == nil {
		ed.Fail("line %d: flow mapping not under a key", m.Line)
		return
	}
	var pk *yaml.Node
	for i := 1; i < len(parent.Content); i += 2 {
		if parent.Content[i] == m {
			pk = parent.Content[i-1]
		}
	}
	var all []Item
	placed := false
	place := func() {
		if !placed {
			all = append(all, ed.flatten(items)...)
			placed = true
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if i/2 == at {
			place()
		}
		k, v := m.Content[i], m.Content[i+1]
		if slices.Contains(keys, k.Value) {
			place()
			continue
		}
		all = append(all, Scalar(ed.Raw(k), ed.RawValue(v)))
	}
	place()
	key := ed.Raw(pk)
	if newKey != "" {
		key = newKey
	}
	ed.Replace(parent, []string{pk.Value}, []Item{Group(key, all...)})
}

// flatten turns items that bring entries of flow mappings into new scalar
// items with the same key and value text (flow mappings have no layout to
// move).
func (ed *Editor) flatten(items []Item) []Item {
	out := make([]Item, 0, len(items))
	for _, it := range items {
		switch {
		case it.src != nil && it.src.Style&yaml.FlowStyle != 0:
			k, v := scan.MapEntry(it.src, it.srcKey)
			key, raw := it.key, it.raw
			if key == "" {
				key = ed.Raw(k)
			}
			if raw == "" {
				raw = ed.RawValue(v)
			}
			out = append(out, Scalar(key, raw))
		case it.kids != nil:
			out = append(out, Group(it.key, ed.flatten(it.kids)...))
		default:
			out = append(out, it)
		}
	}
	return out
}

// ReplaceAs is replace, and then the key holding m in its parent mapping
// becomes newKey ("" keeps it).
func (ed *Editor) ReplaceAs(m *yaml.Node, keys []string, items []Item, newKey string) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		ed.rewriteFlow(m, keys, items, -1, newKey)
		return
	}
	ed.Replace(m, keys, items)
	if newKey != "" {
		parent := ed.parents[m]
		for i := 1; i < len(parent.Content); i += 2 {
			if parent.Content[i] == m {
				ed.RenameKey(parent, parent.Content[i-1].Value, newKey)
			}
		}
	}
}

// Delete removes entry key from block mapping m.
func (ed *Editor) Delete(m *yaml.Node, key string) { ed.Replace(m, []string{key}, nil) }

// Insert writes items into block mapping m: before or after the entry key,
// or at the end.
func (ed *Editor) Insert(m *yaml.Node, where Where, key string, items []Item) {
	if m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle != 0 {
		at := len(m.Content) / 2
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key && where != AtEnd {
				at = i / 2
				if where == After {
					at++
				}
			}
		}
		ed.rewriteFlow(m, nil, items, at, "")
		return
	}
	es := ed.entries(m)
	if ed.err != nil {
		return
	}
	e := es[len(es)-1]
	if where != AtEnd {
		i := slices.IndexFunc(es, func(e entry) bool { return e.key.Value == key })
		if i < 0 {
			ed.Fail("line %d: no %s", m.Line, key)
			return
		}
		e = es[i]
	}
	var at int
	var text string
	switch {
	case where == Before && e.compact:
		at, text = e.keyStart, ed.itemsText(items, e.indent, true)+strings.Repeat(" ", e.indent)
	case where == Before:
		at, text = e.start, ed.itemsText(items, e.indent, false)
	default:
		at, text = e.end, ed.itemsText(items, e.indent, false)
	}
	ed.edits = append(ed.edits, ed.regionEdit(at, at, text))
	p := ed.paths[m]
	ed.op(len(p), func(v any) error {
		mp, err := mapAt(v, p)
		if err != nil {
			return err
		}
		return ed.setItems(mp, items)
	})
}

// Put writes it as the entry it.key of block mapping m: in place of an
// existing entry with that key (a null one, say), else inserted where says.
func (ed *Editor) Put(m *yaml.Node, it Item, where Where, ref string) {
	if k, _ := scan.MapEntry(m, it.key); k != nil {
		ed.Replace(m, []string{it.key}, []Item{it})
		return
	}
	ed.Insert(m, where, ref, []Item{it})
}
