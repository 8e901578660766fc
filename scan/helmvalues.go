package scan

import (
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// valuesSource is a values file in the order Helm applies them.
type valuesSource struct {
	path string
	// chain is the subchart path the file applies to ([] for the top chart).
	chain []string
}

// valuesLocation finds the values file line that set a value read by a
// template of chart ch at values path vp: --helm-values files (last first),
// then the values.yaml of each chart from the top down to ch. A value set
// by --helm-set has no file.
func (c *Chart) valuesLocation(ch *chart.Chart, vp []string) (valuesHit, bool) {
	chain := subchartChain(ch)
	full := append(append([]string{}, chain...), vp...)
	global := len(vp) > 0 && vp[0] == "global"
	if lookupMap(c.set, full) || (global && lookupMap(c.set, vp)) {
		return valuesHit{}, false
	}
	var sources []valuesSource
	for i := len(c.opts.ValuesFiles) - 1; i >= 0; i-- {
		sources = append(sources, valuesSource{path: c.opts.ValuesFiles[i], chain: []string{}})
	}
	var charts []*chart.Chart
	for cur := ch; cur != nil; cur = cur.Parent() {
		charts = append([]*chart.Chart{cur}, charts...)
	}
	for _, cur := range charts {
		src := c.charts[cur.Metadata]
		if src.inArchive || src.dir == "" {
			continue
		}
		sources = append(sources, valuesSource{path: filepath.Join(src.dir, "values.yaml"), chain: subchartChain(cur)})
	}
	for _, s := range sources {
		vf := c.valuesNode(s.path)
		root := vf.root
		if root == nil {
			continue
		}
		var keys []string
		switch {
		case global:
			keys = vp
		case len(s.chain) <= len(full) && hasPrefix(full, s.chain):
			keys = full[len(s.chain):]
		default:
			continue
		}
		if n, v := lookupPath(root, keys); n != nil {
			return valuesHit{loc: Location{File: s.path, Pos: Pos{Line: n.Line, Col: n.Column}}, value: v, file: vf.file}, true
		}
	}
	return valuesHit{}, false
}

// valuesHit is where a values path is set: the location of its key, its
// value node and the file.
type valuesHit struct {
	loc   Location
	value *yaml.Node
	file  *File
}

// lookupMap reports whether a path is set in a values map.
func lookupMap(m map[string]any, keys []string) bool {
	var cur any = m
	for _, k := range keys {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[k]
			if !ok {
				return false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(v) {
				return false
			}
			cur = v[i]
		default:
			return false
		}
	}
	return len(keys) > 0
}

// valuesFile is a values file read for placing findings.
type valuesFile struct {
	file *File
	root *yaml.Node // nil when it does not parse
}

// valuesNode reads and parses a values file once.
func (c *Chart) valuesNode(p string) *valuesFile {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	if v, ok := c.valuesFiles[p]; ok {
		return v
	}
	v := &valuesFile{}
	if data, err := os.ReadFile(p); err == nil {
		v.file = NewFile(p, data)
		v.root = rootNode(data)
	}
	c.valuesFiles[p] = v
	return v
}
