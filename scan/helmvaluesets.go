package scan

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kubeready/kubeready/internal/paths"
)

// ValuesSet is one values file a repository keeps for a chart besides its
// defaults: the chart-testing convention's ci/*.yaml, and values-*.yaml and
// values/*.yaml in the chart directory.
type ValuesSet struct {
	// Name is the file relative to the chart directory, slash-separated
	// ("ci/ingress-values.yaml"); it is what findings name.
	Name string
	// Path is the file as the chart directory was given plus Name.
	Path string
}

// Budgets of the values sets of one chart: each is a full render, so a
// chart with more sets than MaxValuesSets has the first ones (in name
// order) rendered, and a set file over maxValuesSetSize is not used.
const (
	MaxValuesSets    = 8
	maxValuesSetSize = 5 << 20
)

// ValuesSets lists the chart's values sets in name order (ci/ first, then
// values-*.yaml, then values/), at most MaxValuesSets; skipped counts the
// ones left out by the budget. Only regular files that resolve inside the
// chart directory are listed (a link out of the chart, a FIFO or a device
// is not a values set).
func ValuesSets(dir string) (sets []ValuesSet, skipped int) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, 0
	}
	var names []string
	for _, pat := range []string{"ci/*.yaml", "ci/*.yml", "values-*.yaml", "values-*.yml", "values/*.yaml", "values/*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
		sort.Strings(m)
		for _, p := range m {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		real, err := filepath.EvalSymlinks(p)
		if err != nil || !paths.Within(real, root) {
			continue
		}
		fi, err := os.Stat(real)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxValuesSetSize || strings.HasPrefix(filepath.Base(n), ".") {
			continue
		}
		if len(sets) == MaxValuesSets {
			skipped++
			continue
		}
		sets = append(sets, ValuesSet{Name: n, Path: p})
	}
	return sets, skipped
}
