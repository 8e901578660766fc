package engine

import (
	"path/filepath"
	"sync"

	"github.com/sourcegraph/conc/iter"

	"github.com/kubeready/kubeready/scan"
)

// The kustomize plan: each kustomization tree is built once. A scanned
// kustomization that another scanned kustomization includes (resources,
// bases, components) is not built on its own: the build of the
// kustomization that includes it reads it, and the tracer places what it
// finds on the files users edit. It is built on its own only when a build
// that includes it fails or leaves it out (a base outside the repository),
// so a broken overlay costs none of its bases' findings. Of kustomizations that only include each other (a cycle, which
// kustomize refuses) the first is built, and the others when it fails.

// kustPlan is one run's kustomize plan.
type kustPlan struct {
	// children maps a scanned kustomization (its input path) to the
	// scanned kustomizations it includes (their input paths).
	children map[string][]string

	// weight is, per kustomization built, how many kustomizations its
	// build reads (bases counted each time they are read, as kustomize
	// does): the largest builds start first.
	weight map[string]int64

	mu    sync.Mutex
	built map[string]bool // input paths built, or claimed for building
}

// treeWeight counts the kustomizations a build of k reads, capped (a
// diamond of overlays may read a base many times).
func (p *kustPlan) treeWeight(k string, memo map[string]int64, depth int) int64 {
	if w, ok := memo[k]; ok {
		return w
	}
	memo[k] = 1 // a cycle counts once
	w := int64(1)
	if depth < 64 {
		for _, c := range p.children[k] {
			w += p.treeWeight(c, memo, depth+1)
		}
	}
	w = min(w, 1<<20)
	memo[k] = w
	return w
}

// sizeOf is the scheduling size of a kustomization input: far above any
// file (kustomize builds cost more than reading a file), growing with the
// tree it reads.
func (p *kustPlan) sizeOf(k string) int64 {
	if p == nil {
		return 0
	}
	return (1 << 40) * p.weight[k]
}

// planKustomize returns the inputs to run (files, charts, and the
// kustomizations no other scanned kustomization includes) and the plan for
// the others.
func planKustomize(inputs []scan.Input) ([]scan.Input, *kustPlan) {
	plan := &kustPlan{children: map[string][]string{}, built: map[string]bool{}, weight: map[string]int64{}}
	byAbs := map[string]string{} // absolute directory → input path
	var kusts []string
	for _, in := range inputs {
		if in.Kind != scan.InputKustomization {
			continue
		}
		if abs, err := filepath.Abs(in.Path); err == nil {
			byAbs[abs] = in.Path
			kusts = append(kusts, in.Path)
		}
	}
	if len(kusts) < 2 {
		for _, k := range kusts {
			plan.built[k], plan.weight[k] = true, 1
		}
		return inputs, plan
	}
	included := map[string]bool{}
	// Read in parallel (each is a file read and parse; kubeflow: 386, 20 ms
	// on one core before any build can start), used in order.
	includes := iter.Map(kusts, func(k *string) []string { return scan.KustomizationIncludes(*k) })
	for i, k := range kusts {
		for _, dir := range includes[i] {
			abs, err := filepath.Abs(dir)
			if err != nil {
				continue
			}
			if child, ok := byAbs[abs]; ok && child != k {
				plan.children[k] = append(plan.children[k], child)
				included[child] = true
			}
		}
	}
	// The roots, then whatever no root reaches (cycles).
	reached := map[string]bool{}
	var walk func(k string)
	walk = func(k string) {
		if reached[k] {
			return
		}
		reached[k] = true
		for _, c := range plan.children[k] {
			walk(c)
		}
	}
	for _, k := range kusts {
		if !included[k] {
			plan.built[k] = true
			walk(k)
		}
	}
	for _, k := range kusts {
		if !reached[k] {
			plan.built[k] = true
			walk(k)
		}
	}
	memo := map[string]int64{}
	for k := range plan.built {
		plan.weight[k] = plan.treeWeight(k, memo, 0)
	}
	out := make([]scan.Input, 0, len(inputs))
	for _, in := range inputs {
		if in.Kind == scan.InputKustomization && !plan.built[in.Path] {
			continue
		}
		out = append(out, in)
	}
	return out, plan
}

// fallback claims the kustomizations that the build b of k includes but
// did not build (all of them when it failed; else those it left out, such
// as a base outside the repository) and that no other build has claimed:
// they are built on their own.
func (p *kustPlan) fallback(k string, b *scan.KustomizeBuild) []string {
	if p == nil {
		return nil
	}
	var missed []string
	for _, c := range p.children[k] {
		if b == nil || b.Failed || !b.Reads(c) {
			missed = append(missed, c)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range missed {
		if !p.built[c] {
			p.built[c] = true
			out = append(out, c)
		}
	}
	return out
}
