package scan

import (
	"math"
	"time"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
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
