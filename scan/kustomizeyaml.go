package scan

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"time"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"
)

// resourceYAML is what kustomize's Resource.AsYAML writes, in two passes
// instead of four: AsYAML encodes the object's node as YAML, parses that
// into Go values, writes them as JSON and converts the JSON to YAML
// (sigs.k8s.io/yaml: parsed by yaml.v2, written by yaml.v2, keys sorted).
// Here the node is decoded into Go values and those are written by yaml.v2
// at once. The JSON step changes nothing for values JSON holds exactly
// (strings of valid UTF-8, numbers, booleans, null, string-keyed maps,
// lists); for anything else (a non-string key, an infinite or NaN number,
// a timestamp, bytes that are not UTF-8) AsYAML is used.
// TestResourceYAML checks the two agree byte for byte.
func resourceYAML(r *resource.Resource) ([]byte, error) {
	var v interface{}
	if n := r.YNode(); n != nil && n.Decode(&v) == nil && jsonExact(v, 0) {
		if out, err := yaml2.Marshal(v); err == nil {
			return out, nil
		}
	}
	return r.AsYAML()
}

// jsonExact reports whether v goes through encoding/json and back through
// yaml.v2 unchanged.
func jsonExact(v interface{}, depth int) bool {
	if depth > 200 {
		return false
	}
	switch x := v.(type) {
	case nil, bool, int, int64, uint64:
		return true
	case float64:
		return !math.IsInf(x, 0) && !math.IsNaN(x)
	case string:
		return utf8.ValidString(x)
	case map[string]interface{}:
		if x == nil {
			return false
		}
		for k, e := range x {
			if !utf8.ValidString(k) || !jsonExact(e, depth+1) {
				return false
			}
		}
		return true
	case []interface{}:
		for _, e := range x {
			if !jsonExact(e, depth+1) {
				return false
			}
		}
		return true
	case time.Time:
		return false
	}
	return false
}

// The overlays of a base put out its objects again and again, most of them
// unchanged (kubeflow/manifests: 4,683 objects from its builds, 2,167
// different): BuildCache keeps resourceYAML's text per object tree, so an
// object written once in the run is not decoded and written again.

// treeKey identifies an object's tree for resourceYAML: a 128-bit hash
// (two seeds, random per process) of an encoding of every node's kind,
// tag, quoting and value and of the tree's shape that two different trees
// cannot share, so only a hash collision could give an object another's
// text. ok is false for a tree with aliases (their targets would count) or
// nested past maxTreeDepth.
type treeKey [2]uint64

const maxTreeDepth = 200

var treeSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func keyOfTree(n *yaml.Node) (treeKey, bool) {
	var h [2]maphash.Hash
	for i := range h {
		h[i].SetSeed(treeSeeds[i])
	}
	if !hashNode(&h, n, 0) {
		return treeKey{}, false
	}
	return treeKey{h[0].Sum64(), h[1].Sum64()}, true
}

func hashNode(h *[2]maphash.Hash, n *yaml.Node, depth int) bool {
	if n == nil || depth > maxTreeDepth || n.Kind == yaml.AliasNode || n.Alias != nil {
		return false
	}
	var head [5 * binary.MaxVarintLen64]byte
	b := head[:0]
	b = binary.AppendUvarint(b, uint64(n.Kind))
	b = binary.AppendUvarint(b, uint64(n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle)))
	b = binary.AppendUvarint(b, uint64(len(n.Tag)))
	b = binary.AppendUvarint(b, uint64(len(n.Value)))
	b = binary.AppendUvarint(b, uint64(len(n.Content)))
	for i := range h {
		h[i].Write(b)
		h[i].WriteString(n.Tag)
		h[i].WriteString(n.Value)
	}
	for _, c := range n.Content {
		if !hashNode(h, c, depth+1) {
			return false
		}
	}
	return true
}

// maxTreeTexts bounds the bytes of text BuildCache keeps for resourceYAML.
const maxTreeTexts = 64 << 20

// resourceYAML is resourceYAML(r), through the cache (c nil: none).
func (c *BuildCache) resourceYAML(r *resource.Resource) ([]byte, error) {
	if c == nil {
		return resourceYAML(r)
	}
	key, ok := keyOfTree(r.YNode())
	if ok {
		c.mu.Lock()
		data, hit := c.texts[key]
		c.mu.Unlock()
		if hit {
			return data, nil
		}
	}
	data, err := resourceYAML(r)
	if err != nil || !ok {
		return data, err
	}
	c.mu.Lock()
	if _, had := c.texts[key]; !had && c.textBytes+len(data) <= maxTreeTexts {
		c.texts[key] = data
		c.textBytes += len(data)
	}
	c.mu.Unlock()
	return data, nil
}
