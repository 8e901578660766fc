package scan

import (
	"bytes"
	"errors"
	"hash/maphash"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Where each object of a build came from, without kustomize's origin
// tracking: asking kustomize for origin annotations also makes it record
// every transformer on every object (AddTransformerAnnotation, the
// annotation written again per transformer), about a third of a build's CPU
// on overlays of overlays. Instead the build's file system writes one
// top-level field, sourceKey, into each object of each resource file as
// kustomize reads it ("r:" and the file as the user names it), and an
// annotation of that name into the options of each configMapGenerator and
// secretGenerator entry ("g:" and the kustomization: generator options
// give no other way in). A top-level field, not an annotation: kustomize
// reads every object's annotations again and again (resource ids, previous
// names), building a map of them each time, and one more entry in every
// map was 6% of a kubeflow run's CPU. No transformer touches an unknown
// top-level field, patches merge it like any other (a strategic merge
// patch served from a resource file sets its own, as it did as an
// annotation), and kustomize's name hashes do not read it. It is removed
// from every object before it is checked, so the output is what kustomize
// builds.
const sourceKey = "kubeready.internal/source"

// annotateSources writes sourceKey: value as a top-level field of every
// object of a resource file (and of each item of a List), and with stripCRDs leaves out the schemas
// of CustomResourceDefinitions (kustomizecrd.go). Data that does not parse is returned
// as it is: kustomize reports it.
//
// With stripCRDs the schemas are first cut out as text where that is
// exact (stripCRDSchemasText, kustomizecrdtext.go): parsing a CRD's schema
// only to drop it was most of the cost of serving CRD files (kubeflow:
// 23 MiB of them, 0.9 s of CPU). Whatever the text cut gives is then
// parsed and checked as here; when it does not parse, the original is.
func annotateSources(data []byte, value string, stripCRDs bool) []byte {
	if out, ok := annotateText(data, value, stripCRDs); ok {
		return out
	}
	if stripCRDs {
		if cut := stripCRDSchemasText(data); cut != nil {
			if out, ok := annotateDocs(cut, value, stripCRDs); ok {
				return out
			}
		}
	}
	if out, ok := annotateDocs(data, value, stripCRDs); ok {
		return out
	}
	return data
}

// annotateText is annotateSources by text, where every document of data
// is plain enough for the line walk of kustomizecrdtext.go (walkDoc) and
// is one object (no List) without sourceKey: the field is written as a
// line of its own, the object's last key at its keys' indentation, and CRD
// schemas are cut as stripCRDSchemaText does. Parsing and writing every resource file again
// only to add one line was most of the cost of serving them (kubeflow: 0.3
// s of CPU). ok is false when any document is not so plain: annotateDocs
// then does it on the parsed file. FuzzAnnotateText checks that both give
// the same objects.
func annotateText(data []byte, value string, stripCRDs bool) ([]byte, bool) {
	if !utf8.ValidString(value) || bomLen(data) > 0 {
		return nil, false
	}
	line := sourceKey + ": " + strconv.Quote(value) + "\n"
	out := make([]byte, 0, len(data)+64)
	for _, c := range Split(data) {
		w, cuts, ok := walkDoc(c.Data)
		if !ok {
			return nil, false
		}
		if w.frames[0].childIndent < 0 {
			out = append(out, c.Data...) // no node: kustomize skips it
			continue
		}
		if !stripCRDs || !w.isCRD() {
			cuts = nil
		}
		if w.hasSource || strings.HasSuffix(w.kind, "List") {
			return nil, false
		}
		if !bytes.HasSuffix(c.Data, []byte("\n")) {
			return nil, false // a line break added would end a block scalar with one more
		}
		// the object's last key, at its keys' indentation
		ins := strings.Repeat(" ", w.frames[0].childIndent) + line
		out = append(out, applyCuts(c.Data, cuts, len(c.Data), []byte(ins))...)
	}
	if cap(out) > len(out)+len(out)/8 {
		// the run keeps it (sourceCache): not the room a CRD's schemas took
		out = bytes.Clone(out)
	}
	return out, true
}

// annotateDocs is annotateSources without the text cut; ok is false when
// data does not parse or holds something other than objects.
func annotateDocs(data []byte, value string, stripCRDs bool) ([]byte, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false
		}
		if len(doc.Content) == 0 {
			continue
		}
		if c := doc.Content[0]; c.Kind == yaml.ScalarNode && (c.Tag == "!!null" || c.Value == "") {
			continue // an empty document, which kustomize skips too
		}
		if doc.Content[0].Kind != yaml.MappingNode {
			return nil, false // not an object: leave it to kustomize
		}
		root := doc.Content[0]
		if stripCRDs {
			stripCRDSchema(root)
		}
		setSource(root, value)
		if strings.HasSuffix(StringValue(MapGet(root, "kind")), "List") {
			for _, it := range Items(MapGet(root, "items")) {
				if it.Kind == yaml.MappingNode {
					setSource(it, value)
				}
			}
		}
		docs = append(docs, &doc)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, false
		}
	}
	if err := enc.Close(); err != nil {
		return nil, false
	}
	return out.Bytes(), true
}

// setSource sets the top-level field sourceKey in an object.
func setSource(obj *yaml.Node, value string) { setScalar(obj, sourceKey, value) }

// takeSource removes the top-level field sourceKey from an object and
// returns its value; ok is false when it has none.
func takeSource(obj *yaml.Node) (value string, ok bool) {
	if obj == nil || obj.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(obj.Content); i += 2 {
		if k := obj.Content[i]; k.Kind == yaml.ScalarNode && k.Value == sourceKey {
			v := obj.Content[i+1]
			obj.Content = append(obj.Content[:i:i], obj.Content[i+2:]...)
			return v.Value, v.Kind == yaml.ScalarNode
		}
	}
	return "", false
}

// mapChild returns the mapping under key in m, creating it when absent;
// nil when the key holds something else (null counts as absent).
func mapChild(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		if v.Kind != yaml.MappingNode {
			return nil
		}
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

func setScalar(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// annotateGenerators adds sourceKey: "g:"+user to the options of each
// generator entry of a kustomization.
func annotateGenerators(root *yaml.Node, user string) {
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		for _, it := range Items(MapGet(root, field)) {
			if it.Kind != yaml.MappingNode {
				continue
			}
			if opts := mapChild(it, "options"); opts != nil {
				if ann := mapChild(opts, "annotations"); ann != nil {
					setScalar(ann, sourceKey, "g:"+user)
				}
			}
		}
	}
}

// parseSource reads a source marker: the file an object came from, and
// whether a generator made it ("r:" or "g:" and a path); ok is false when
// it is none.
func parseSource(v string, found bool) (path string, generated, ok bool) {
	switch {
	case !found:
		return "", false, false
	case strings.HasPrefix(v, "r:"):
		return filepath.FromSlash(v[2:]), false, true
	case strings.HasPrefix(v, "g:"):
		return filepath.FromSlash(v[2:]), true, true
	}
	return "", false, false
}

// sourceInMessage matches sourceKey where kustomize prints objects in an
// error (JSON, with the comma on either side, or a YAML line).
var sourceInMessage = regexp.MustCompile(`,?"` + regexp.QuoteMeta(sourceKey) + `":"(?:[^"\\]|\\.)*",?|[ \t]*` + regexp.QuoteMeta(sourceKey) + `: [^\n]*\n?`)

// scrubSources removes sourceKey from a kustomize message, so users see
// the objects as they wrote them.
func scrubSources(msg string) string {
	return sourceInMessage.ReplaceAllStringFunc(msg, func(m string) string {
		if strings.HasPrefix(m, ",") && strings.HasSuffix(m, ",") {
			return ","
		}
		return ""
	})
}

// sourceCache keeps annotated resource files between the builds of a
// process: overlays of one base read its files in every build. An entry is
// used only for the same bytes (length and hash) and the same value, so a
// file that changed (--fix) is annotated again. Past sourceCacheMax bytes
// nothing more is kept.
var sourceCache struct {
	sync.Mutex
	seed    maphash.Seed
	size    int
	entries map[string]sourceEntry
}

type sourceEntry struct {
	n    int
	sum  uint64
	data []byte
}

const sourceCacheMax = 256 << 20

// sourceCacheFull reports whether sourceCache keeps nothing more.
func sourceCacheFull() bool {
	sourceCache.Lock()
	defer sourceCache.Unlock()
	return sourceCache.size >= sourceCacheMax
}

// annotateSourcesCached is annotateSources through sourceCache; key names
// the file (its absolute path).
func annotateSourcesCached(key string, data []byte, value string, stripCRDs bool) []byte {
	if stripCRDs {
		key += "\x00strip"
	}
	sourceCache.Lock()
	if sourceCache.entries == nil {
		sourceCache.entries = map[string]sourceEntry{}
		sourceCache.seed = maphash.MakeSeed()
	}
	seed := sourceCache.seed
	e, ok := sourceCache.entries[key+"\x00"+value]
	sourceCache.Unlock()
	sum := maphash.Bytes(seed, data)
	if ok && e.n == len(data) && e.sum == sum {
		return e.data
	}
	out := annotateSources(data, value, stripCRDs)
	sourceCache.Lock()
	if sourceCache.size+len(out) <= sourceCacheMax {
		if old, had := sourceCache.entries[key+"\x00"+value]; had {
			sourceCache.size -= len(old.data)
		}
		sourceCache.entries[key+"\x00"+value] = sourceEntry{n: len(data), sum: sum, data: out}
		sourceCache.size += len(out)
	}
	sourceCache.Unlock()
	return out
}
